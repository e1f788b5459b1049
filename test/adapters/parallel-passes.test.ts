import { afterAll, describe, expect, it } from 'vitest';
import { parallelPasses } from '../../src/adapters/parallel-passes.js';
import { aggregateNodes, inlineLabels, prepareInputs } from '../../src/pprof/aggregate.js';
import { decodeProfile } from '../../src/pprof/decode.js';
import { profileWithReference } from '../helpers/synthetic-profile.js';

// The worker is dist/adapters/top-worker.js: the built package, as the CLI runs it.
describe('parallel passes: this thread and the worker each summing half of a profile', () => {
  const { bytes, flat, cum } = profileWithReference({ functions: 400, locations: 1500, samples: 20_001, maxLines: 5, seed: 11 });
  const prepared = prepareInputs([{ profile: decodeProfile(bytes, { shared: true }), valueIndex: 0, sign: 1 }], 'functions');
  const expected = aggregateNodes(prepared);
  const kept = Array.from(expected.cum.keys()).sort((a, b) => expected.cum[b]! - expected.cum[a]!).slice(0, 50);
  const expectedLabels = inlineLabels(prepared, kept, 0);
  const opened: ReturnType<typeof parallelPasses>[] = [];
  afterAll(async () => {
    for (const p of opened) await p.close();
  });

  const check = async (passes: ReturnType<typeof parallelPasses>): Promise<void> => {
    const totals = await passes.nodeTotals(prepared);
    expect(Array.from(totals.flat)).toEqual(Array.from(expected.flat));
    expect(Array.from(totals.cum)).toEqual(Array.from(expected.cum));
    expect(totals.total).toBe(expected.total);
    expect(await passes.inlineLabels(prepared, kept, 0)).toEqual(expectedLabels);
  };

  it('the reference itself equals a naive count', () => {
    const named = (values: Float64Array): Map<string, number> => new Map(expected.names.map((n, i) => [n, values[i]!] as const).filter(([, v]) => v !== 0));
    expect(named(expected.flat)).toEqual(flat);
    expect(named(expected.cum)).toEqual(cum);
    expect(expectedLabels.some((l) => l !== '')).toBe(true);
  });

  it('a worker started and ready: the same sums and labels, five times over', async () => {
    const passes = parallelPasses(0);
    opened.push(passes);
    passes.start();
    await passes.nodeTotals(prepared); // the worker has booted once a reply came
    const before = passes.workerSamples;
    for (let i = 0; i < 5; i++) await check(passes);
    // The worker summed the second half of each pass: 5 × (nodes + edges).
    expect(passes.workerSamples - before).toBe(5 * 2 * (20_001 - (20_001 >> 1)));
  });

  it('a worker not started yet when the pass begins: the same sums and labels', async () => {
    const passes = parallelPasses(0);
    opened.push(passes);
    await check(passes);
  });

  it('a worker that has exited: everything summed on this thread', async () => {
    const passes = parallelPasses(0);
    opened.push(passes);
    passes.start();
    await passes.nodeTotals(prepared);
    await passes.close();
    const before = passes.workerSamples;
    await check(passes);
    expect(passes.workerSamples).toBe(before);
  });
});
