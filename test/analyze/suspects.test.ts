import { describe, expect, it } from 'vitest';
import { loadHeapSeries } from '../../src/adapters/load-series.js';
import { readRunDir } from '../../src/adapters/run-reader.js';
import { segmentPhases } from '../../src/analyze/phases.js';
import { callSiteKey } from '../../src/analyze/snapshot-summary.js';
import { spearman } from '../../src/analyze/stats.js';
import { rankSuspects } from '../../src/analyze/suspects.js';
import { steadyWindow } from '../../src/analyze/verdict.js';

async function suspectsOf(mode: string) {
  const dir = `test/fixtures/runs/${mode}`;
  const [t] = await loadHeapSeries(dir, await readRunDir(dir));
  const input = t!.series.map((p) => ({ t: p.t, bytes: p.heapInuseBytes, stale: p.stale }));
  const window = steadyWindow(input, segmentPhases(input));
  const level = t!.series[window[0]!]!.heapInuseBytes;
  const minGrowth = 2 * Math.sqrt(level * t!.summaries[0]!.samplingPeriodBytes);
  return rankSuspects(window.map((i) => ({ t: t!.series[i]!.t, sites: t!.summaries[i]!.sites })), minGrowth);
}

describe('leak suspects on the example workload', () => {
  it('leak: the call site through the leaking function (recordReconcileHistory) ranks #1, rising steadily', async () => {
    const [first] = await suspectsOf('leak');
    expect(first).toBeDefined();
    expect(first!.function).toBe('main.deepCopyJSON');
    expect(first!.stack[1]).toBe('main.recordReconcileHistory');
    expect(first!.rho).toBeGreaterThan(0.9);
    expect(first!.growthBytes).toBeGreaterThan(20 * 2 ** 20);
  });

  it.each(['plateau', 'spike', 'sawtooth'])('%s: no call site rises beyond the sampling noise', async (mode) => {
    expect(await suspectsOf(mode)).toEqual([]);
  });
});

describe('call sites and ranking', () => {
  it('collapses recursion and keeps the nearest distinct callers', () => {
    expect(callSiteKey(['f', 'f', 'f', 'g', 'h', 'h', 'i', 'j'])).toBe('f\ng\nh\ni');
  });

  it('ranks by bytes gained and ignores sites that do not rise steadily', () => {
    const window = Array.from({ length: 10 }, (_, i) => ({
      t: i * 1000,
      sites: new Map([
        ['big\nleaker', 1e6 + i * 4e6],
        ['small\nleaker', 1e6 + i * 1e6],
        ['noisy', i % 2 === 0 ? 1e6 : 3e7],
        ['flat', 5e6],
      ]),
    }));
    const ranked = rankSuspects(window, 2e6);
    expect(ranked.map((s) => s.function)).toEqual(['big', 'small']);
    expect(ranked[0]!.growthBytes).toBeCloseTo(36e6, -3);
  });

  it('spearman: 1 for a rising series, -1 falling, 0 for constant', () => {
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 40])).toBe(1);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBe(-1);
    expect(spearman([1, 2, 3], [5, 5, 5])).toBe(0);
  });
});
