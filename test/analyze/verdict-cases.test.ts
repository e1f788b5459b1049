import { describe, expect, it } from 'vitest';
import { evaluateVerdicts } from '../../bench/verdict-evaluation.mjs';
import { loadRunInput } from '../../src/adapters/analyze-dir.js';
import { analyzeRun } from '../../src/analyze/analyze-run.js';
import { judgeLifetime } from '../../src/analyze/lifetimes.js';
import { verdictRuns } from '../helpers/verdict-runs.js';

// The labelled benchmark (bench/verdicts.mjs) as a test: the example workload in
// modes whose truth is known by construction, captured for real by `heaplens
// collect` (test/fixtures/verdicts/cases.json says what each must give).
const evaluation = (async () => evaluateVerdicts('test/fixtures/verdicts', await verdictRuns(), { loadRunInput, analyzeRun, judgeLifetime }))();

describe('the labelled verdict benchmark, on runs of the example workload captured by heaplens collect', () => {
  it('every case gets a verdict its truth accepts', async () => {
    const { results } = await evaluation;
    expect(results.length).toBeGreaterThanOrEqual(32);
    expect(results.filter((r) => !r.right).map((r) => `${r.case}: ${r.verdict} (${r.rule}), expected ${r.expect.join('|')}`)).toEqual([]);
  });

  it('no leak on any no-leak case, and none in 200+ windows cut from their bounded part', async () => {
    const { results, windows } = await evaluation;
    expect(results.filter((r) => !r.leakCase && r.verdict === 'leak').map((r) => r.case)).toEqual([]);
    expect(windows.length).toBeGreaterThanOrEqual(200);
    expect(windows.filter((w) => w.kind === 'leak').length).toBeLessThanOrEqual(0.01 * windows.length);
  });

  it('the true function (or the caller grouping its sites) ranks first on every leak case', async () => {
    const { results } = await evaluation;
    const leaks = results.filter((r) => r.leakCase);
    expect(leaks.length).toBeGreaterThanOrEqual(12);
    expect(leaks.filter((r) => r.rank !== 1).map((r) => `${r.case}: ${r.trueFunction} ranked ${r.rank}`)).toEqual([]);
  });

  it('once a leak run says leak, at least 95% of its longer prefixes say leak too', async () => {
    const { targets } = await evaluation;
    expect(targets.find((t) => t.target.startsWith('once a leak prefix'))).toMatchObject({ met: true });
  });

  it('the key-value store: the index (never released) first, the compacted log shown as released in cycles', async () => {
    const { results } = await evaluation;
    for (const r of results.filter((x) => x.case.startsWith('index-log'))) {
      expect(r.trueSuspect).toMatchObject({ function: 'main.indexNewKeys', history: { kind: 'never-released' }, risingNow: true });
      const log = r.boundedSuspect!.suspect!;
      expect(log.history.kind).toBe('released-before');
      expect(log.history.cycle!.releases).toBeGreaterThanOrEqual(2);
      expect(r.boundedSuspect!.rank).toBeGreaterThan(1);
    }
  });

  it('the leak that stops: not a leak now; its site is held (never released, no longer rising)', async () => {
    const { results } = await evaluation;
    for (const r of results.filter((x) => x.case.startsWith('leak-stops'))) {
      expect(r.verdict).not.toBe('leak');
      expect(r.trueSuspect).toMatchObject({ function: 'main.retainReplayEvents', risingNow: false, history: { kind: 'never-released' } });
    }
  });
});
