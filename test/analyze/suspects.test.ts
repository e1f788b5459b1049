import { describe, expect, it } from 'vitest';
import { loadHeapSeries } from '../../src/adapters/load-series.js';
import { readRunDir } from '../../src/adapters/run-reader.js';
import { judgeLifetime } from '../../src/analyze/lifetimes.js';
import { callSiteKey } from '../../src/analyze/snapshot-summary.js';
import { spearman } from '../../src/analyze/stats.js';
import { givenBackShare, historyOf, judgeSuspects, ownsCode, rankRisingStacks, stoppedRising, type SuspectInput } from '../../src/analyze/suspects.js';
import { verdictRuns } from '../helpers/verdict-runs.js';

const MiB = 2 ** 20;
const R = 512 * 1024;

async function suspectsOf(dir: string) {
  const [t] = await loadHeapSeries(dir, await readRunDir(dir));
  return judgeLifetime({
    values: t!.series.map((p) => ({ t: p.t, bytes: p.heapInuseBytes, stale: p.stale })),
    sites: t!.summaries.map((s) => s.sites),
    indices: t!.series.map((p) => p.index),
    samplingPeriodBytes: t!.summaries[0]!.samplingPeriodBytes,
  }).suspects.map((s) => s.suspect);
}

describe('leak suspects on the example workload, collected from the running program', () => {
  it('leak: the call site through the leaking function (recordReconcileHistory) ranks #1, never released and rising', async () => {
    const [first] = await suspectsOf('test/fixtures/runs/leak');
    expect(first).toMatchObject({ function: 'main.deepCopyJSON', kind: 'site', risingNow: true, history: { kind: 'never-released' } });
    expect(first!.stack[1]).toBe('main.recordReconcileHistory');
    expect(first!.rho).toBeGreaterThan(0.9);
    expect(first!.growthBytes).toBeGreaterThan(20 * MiB);
    expect(first!.history.givenBackShare).toBeLessThan(0.1);
  });

  it.each(['plateau', 'spike', 'sawtooth'])('%s: no call site is never released and rising', async (mode) => {
    const suspects = await suspectsOf(`test/fixtures/runs/${mode}`);
    expect(suspects.filter((s) => s.risingNow && s.history.kind === 'never-released')).toEqual([]);
  });

  it('spread-leak: twenty helpers, each a small leak, are one leak of their caller (trackTenantUsage), ranked #1', async () => {
    const [first] = await suspectsOf(`${await verdictRuns()}/spread-leak-gc`);
    expect(first).toMatchObject({ function: 'main.trackTenantUsage', kind: 'caller', risingNow: true });
    // Helpers with 1/60 of the rate retain ~380 KiB over the run: one may never be sampled (512 KiB per sample).
    expect(first!.sites).toBeGreaterThanOrEqual(18);
    expect(first!.memberFunctions.every((f) => /^main\.tenantUsage\d\d$/.test(f))).toBe(true);
  });

  it('index-log: the index (never released, in steps) ranks above the log (released at every compaction)', async () => {
    const suspects = await suspectsOf(`${await verdictRuns()}/index-log-gc`);
    expect(suspects[0]).toMatchObject({ function: 'main.indexNewKeys', history: { kind: 'never-released' } });
    const log = suspects.find((s) => s.function === 'main.appendReplicationLog');
    if (log) {
      expect(log.history.kind).toBe('released-before');
      expect(suspects.indexOf(log)).toBeGreaterThan(0);
    }
  });

  it('leak-stops: the site that stopped retaining is held (never released, not rising), with when it stopped', async () => {
    const suspects = await suspectsOf(`${await verdictRuns()}/leak-stops-gc`);
    const replay = suspects.find((s) => s.function === 'main.retainReplayEvents')!;
    expect(replay).toMatchObject({ risingNow: false, history: { kind: 'never-released' } });
    // The leak stops 90 s into the run; snapshots are 2 s apart.
    expect(replay.history.grewUntilIndex).toBeGreaterThan(30);
    expect(replay.history.grewUntilIndex).toBeLessThan(50);
  });
});

/** A lifetime of n points, 2 s apart, with the given sites (name → bytes at point i). */
function lifetime(n: number, sites: Record<string, (i: number) => number>, window: [number, number] = [0, n - 1]): SuspectInput {
  return {
    t: Array.from({ length: n }, (_, i) => 1e12 + i * 2000),
    sites: Array.from({ length: n }, (_, i) => new Map(Object.entries(sites).map(([k, f]) => [k, f(i)]))),
    windowFrom: window[0],
    windowTo: window[1],
    startupEnd: 0,
    samplingPeriodBytes: R,
    indices: Array.from({ length: n }, (_, i) => i),
  };
}

describe('judging sites (known answers)', () => {
  it('a site that gains a sampled object every other snapshot, never giving any back, is never released and rising', () => {
    const r = judgeSuspects(lifetime(40, { 'main.leaky\nmain.main': (i) => Math.floor(i / 2) * R, 'main.flat\nmain.main': () => 10 * MiB }));
    expect(r.suspects.map((s) => s.suspect.function)).toEqual(['main.leaky']);
    expect(r.suspects[0]!.suspect).toMatchObject({ risingNow: true, history: { kind: 'never-released', givenBackShare: 0 } });
    expect(r.evidence?.name).toBe('main.leaky (called from main.main)');
    expect(r.corroborated).toBe(true);
  });

  it('a verdict rests on one site alone only when it names the program\'s own code', () => {
    const r = judgeSuspects(lifetime(40, { 'encoding/json.(*decodeState).objectInterface\nencoding/json.Unmarshal': (i) => Math.floor(i / 2) * R }));
    expect(r.evidence).toBeNull();
    expect(r.corroborated).toBe(true);
    expect(['main.f', 'github.com/x/y.(*T).M', 'example.com/op.reconcile'].map(ownsCode)).toEqual([true, true, true]);
    expect(['runtime.malg', 'encoding/json.Unmarshal', 'net/http.(*conn).serve', 'internal/reflectlite.Swapper', '<unknown>'].map(ownsCode)).toEqual([false, false, false, false, false]);
  });

  it('three sampled objects kept are not a trend, however neatly they line up (sign test)', () => {
    const r = judgeSuspects(lifetime(40, { 'three\nmain': (i) => (i < 10 ? 0 : i < 20 ? 1 : i < 30 ? 2 : 3) * R }));
    expect(r.evidence).toBeNull();
  });

  it('a sawtooth site is released before, with its period and amplitude', () => {
    // Rises 1 MiB per snapshot for 9 snapshots, then released: period 10 snapshots = 20 s.
    const ys = Array.from({ length: 60 }, (_, i) => (i % 10) * MiB);
    const h = historyOf(
      ys,
      Array.from({ length: 60 }, (_, i) => i * 2000),
      ys.map((y) => Math.sqrt(y * R)),
      R,
      Array.from({ length: 60 }, (_, i) => i),
    );
    expect(h.kind).toBe('released-before');
    expect(h.cycle).toMatchObject({ releases: 5, periodSeconds: 20, amplitudeBytes: 9 * MiB });
  });

  it('given-back share: 0 for a pure leak, 1 for pure churn, the exact ratio in between', () => {
    expect(givenBackShare([0, 1, 2, 3])).toBe(0);
    expect(givenBackShare([5, 6, 5, 6, 5])).toBe(1);
    expect(givenBackShare([0, 4, 3, 7])).toBe(1 / 8);
    expect(givenBackShare([3, 3, 3])).toBe(0);
  });

  it('stopped: no progress for far longer than its own pace (a leak that ended); not for a pause as long as its steps', () => {
    const t = Array.from({ length: 120 }, (_, i) => i * 2000);
    // One sampled object per snapshot for 30 snapshots, then nothing: 30 checkpoints in 30 chances, so
    // the chance per snapshot is 30/31 (rule of succession) and m snapshots without one have p = (1/31)^m.
    const ended = Array.from({ length: 60 }, (_, i) => Math.min(i, 30) * R);
    expect(stoppedRising(t, ended, 0, 31, null, 0.05)).toBe(true); // p = 0.032
    expect(stoppedRising(t, ended, 0, 31, null, 0.01)).toBe(false);
    expect(stoppedRising(t, ended, 0, 32, null, 0.01)).toBe(true); // p = 0.001
    expect(stoppedRising(t, ended, 0, 30, null)).toBe(false); // still rising at its last snapshot
    // A step every 10 snapshots: 5 checkpoints in 50 chances (5/51 each); 9 snapshots since the last
    // step is one ordinary pause (p = (46/51)^9 = 0.40), 49 are not (p = 0.0063).
    const staircase = Array.from({ length: 120 }, (_, i) => Math.floor(Math.min(i, 50) / 10) * 4 * R);
    expect(stoppedRising(t, staircase, 0, 59, null)).toBe(false);
    expect(stoppedRising(t, staircase, 0, 99, null, 0.01)).toBe(true);
    expect(stoppedRising(t, staircase, 0, 99, null, 0.005)).toBe(false);
    // Wander within the sampling error is no checkpoint: a flat site with ±error noise never "stops" (never rose).
    const wander = Array.from({ length: 60 }, (_, i) => 10 * R + (i % 2) * R);
    expect(stoppedRising(t, wander, 0, 59, wander.map(() => 2 * R))).toBe(false);
  });

  it('stopped, for a site that never releases: its gains counted in sampled objects must have stopped too', () => {
    const t = Array.from({ length: 60 }, (_, i) => i * 2000);
    // Four objects per snapshot for 20 snapshots (80 objects in 40 s), then none for 3 snapshots (6 s):
    // by checkpoints p = (1/21)^3 = 1e-4; by objects p = e^(−80/40·6) = 6e-6: stopped.
    const fast = Array.from({ length: 60 }, (_, i) => Math.min(i, 20) * 4 * R);
    expect(stoppedRising(t, fast, 0, 23, null, 0.01, R)).toBe(true);
    // One object every other snapshot (10 objects in 40 s, at 10 of 20 chances), then 4 snapshots without:
    // by checkpoints p = (1 − 10/21)^4 = 0.075, not below ALPHA: not stopped, whatever the objects say.
    const slow = Array.from({ length: 60 }, (_, i) => Math.floor(Math.min(i, 20) / 2) * R);
    expect(stoppedRising(t, slow, 0, 24, null, 0.05, R)).toBe(false);
    // Eight snapshots without: checkpoints p = 0.0056, objects p = e^(−10/40·16) = 0.018: stopped at 0.05, not at 0.01.
    expect(stoppedRising(t, slow, 0, 28, null, 0.05, R)).toBe(true);
    expect(stoppedRising(t, slow, 0, 28, null, 0.01, R)).toBe(false);
  });

  it('a caller whose growth is spread over its sites is reported; one whose growth is one site is not', () => {
    const sites: Record<string, (i: number) => number> = {};
    for (let k = 0; k < 8; k++) sites[`helper${k}\ncaller\nmain`] = (i) => Math.floor((i * (k + 1)) / 8) * R;
    sites['big\nsolo\nmain'] = (i) => i * 2 * R;
    sites['tiny\nsolo\nmain'] = (i) => (i > 30 ? R : 0);
    const r = judgeSuspects(lifetime(40, sites), 20);
    const callers = r.suspects.filter((s) => s.suspect.kind === 'caller').map((s) => s.suspect.function);
    expect(callers).toContain('caller');
    expect(callers).not.toContain('solo'); // "big" alone explains it
    expect(callers).not.toContain('main'); // "caller" (nearer) explains what main adds
  });
});

describe('call sites and ranking', () => {
  it('collapses recursion and keeps the nearest distinct callers', () => {
    expect(callSiteKey(['f', 'f', 'f', 'g', 'h', 'h', 'i', 'j'])).toBe('f\ng\nh\ni');
  });

  it('rising stacks (goroutines): ranked by gain, steady risers only', () => {
    const window = Array.from({ length: 10 }, (_, i) => ({
      t: i * 1000,
      sites: new Map([
        ['big\nleaker', 1e6 + i * 4e6],
        ['small\nleaker', 1e6 + i * 1e6],
        ['noisy', i % 2 === 0 ? 1e6 : 3e7],
        ['flat', 5e6],
      ]),
    }));
    const ranked = rankRisingStacks(window, 2e6);
    expect(ranked.map((s) => s.stack[0])).toEqual(['big', 'small']);
    expect(ranked[0]!.growth).toBeCloseTo(36e6, -3);
  });

  it('spearman: 1 for a rising series, -1 falling, 0 for constant', () => {
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 40])).toBe(1);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBe(-1);
    expect(spearman([1, 2, 3], [5, 5, 5])).toBe(0);
  });
});
