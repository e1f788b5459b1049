// Growth rate (deriv as Prometheus computes it), allocation rates and the
// goroutine report, on series small enough to work out by hand.
import { describe, expect, it } from 'vitest';
import { allocationReport, goroutineReport } from '../../src/analyze/allocation.js';
import { growthRate, watchedGrowth } from '../../src/analyze/growth-rate.js';
import type { SeriesPoint } from '../../src/model/report.js';
import type { MetricSample } from '../../src/model/run.js';

describe('growthRate: deriv over (t − window, t], both ends included', () => {
  it('least-squares slopes per second over the points in the window', () => {
    const points = [0, 1000, 3000, 6000].map((bytes, i) => ({ t: 1e12 + i * 1000, bytes }));
    const rates = growthRate(points, 2000).map((r) => r.bytesPerSec);
    // One point: none. (0,0)(1,1000): 1000/s. (0,0)(1,1000)(2,3000): Σ(x−1)(y−ȳ)/Σ(x−1)² = 3000/2.
    // At t = 3 s the point exactly 2 s old is in: (1,1000)(2,3000)(3,6000): 5000/2 = 2500/s.
    expect(rates).toEqual([null, 1000, 1500, 2500]);
  });

  it('a flat series grows at 0; the default window is the seed rules’ 5 minutes', () => {
    const flat = Array.from({ length: 5 }, (_, i) => ({ t: i * 60_000, bytes: 7 }));
    expect(growthRate(flat).map((r) => r.bytesPerSec)).toEqual([null, 0, 0, 0, 0]);
    // 10 points a minute apart rising 60 kB a minute: 1 kB/s however far back the window reaches.
    const line = Array.from({ length: 10 }, (_, i) => ({ t: i * 60_000, bytes: i * 60_000 }));
    const rates = growthRate(line);
    expect(rates.slice(1).every((r) => Math.abs(r.bytesPerSec! - 1000) < 1e-9)).toBe(true);
  });

  it('watchedGrowth draws RSS when two readings exist, else the heap', () => {
    const series = [
      { t: 0, heapInuseBytes: 0, rssBytes: 100 },
      { t: 1000, heapInuseBytes: 50, rssBytes: 300 },
    ];
    expect(watchedGrowth(series, 2000)).toEqual({ source: 'rss', rates: [{ t: 0, bytesPerSec: null }, { t: 1000, bytesPerSec: 200 }] });
    const oneRss = [series[0]!, { ...series[1]!, rssBytes: null }];
    expect(watchedGrowth(oneRss, 2000)).toEqual({ source: 'heap', rates: [{ t: 0, bytesPerSec: null }, { t: 1000, bytesPerSec: 50 }] });
  });
});

const point = (index: number, t: number, allocBytes: number, allocObjects: number, stale = false): SeriesPoint => ({
  index,
  t,
  heapInuseBytes: 0,
  heapSamplingErrorBytes: 0,
  heapInuseObjects: 0,
  allocBytes,
  allocObjects,
  rssBytes: null,
  numGc: null,
  stale,
  staleEvidence: stale ? 'identical-profile' : null,
});

describe('allocationReport: rates between measured snapshots', () => {
  it('skips stale snapshots, and ranks functions by what they allocated over the run', () => {
    const series = [point(0, 0, 0, 0), point(1, 2000, 4000, 10), point(2, 4000, 4000, 10, true), point(3, 6000, 20_000, 30)];
    const fns = (m: Record<string, number>) => new Map(Object.entries(m).map(([k, v]) => [k, { allocFlat: v }]));
    const r = allocationReport(series, [fns({ a: 100, b: 50 }), fns({}), fns({}), fns({ a: 1100, b: 50, c: 300, d: 300 })])!;
    // 0→2 s: 4000 B in 2 s; 2→6 s (the stale point skipped): 16000 B in 4 s.
    expect(r.series).toEqual([
      { index: 1, t: 2000, bytesPerSec: 2000, objectsPerSec: 5 },
      { index: 3, t: 6000, bytesPerSec: 4000, objectsPerSec: 5 },
    ]);
    expect(r.meanBytesPerSec).toBeCloseTo(20_000 / 6, 12);
    expect(r.peakBytesPerSec).toBe(4000);
    // a gained 1000, c and d 300 each (ties by name), b nothing (left out).
    expect(r.topFunctions).toEqual([
      { function: 'a', bytes: 1000, bytesPerSec: 1000 / 6 },
      { function: 'c', bytes: 300, bytesPerSec: 50 },
      { function: 'd', bytes: 300, bytesPerSec: 50 },
    ]);
  });

  it('keeps the eight largest, and needs two measured snapshots', () => {
    const many = new Map(Array.from({ length: 10 }, (_, i) => [`f${i}`, { allocFlat: (i + 1) * 10 }]));
    const r = allocationReport([point(0, 0, 0, 0), point(1, 1000, 100, 1)], [new Map(), many])!;
    expect(r.topFunctions.map((f) => f.function)).toEqual(['f9', 'f8', 'f7', 'f6', 'f5', 'f4', 'f3', 'f2']);
    expect(allocationReport([point(0, 0, 0, 0), point(1, 1000, 100, 1, true)], [new Map(), new Map()])).toBeNull();
    expect(allocationReport([point(0, 0, 0, 0)], [new Map()])).toBeNull();
  });
});

describe('goroutineReport', () => {
  const profile = (i: number, stacks: Record<string, number>) => ({
    index: i,
    t: i * 1000,
    count: Object.values(stacks).reduce((a, b) => a + b, 0),
    stacks: new Map(Object.entries(stacks)),
  });

  it('from goroutine profiles: a steady rise is growing, and the stack that piles up is named', () => {
    // 10 + 2i goroutines: S = 10, p = 0.0275; every slope is 2/s: 7200 per hour.
    const profiles = Array.from({ length: 5 }, (_, i) => profile(i, { 'wait\nleaky': 2 * i + 2, 'serve\nmain': 8 }));
    const r = goroutineReport([], [], null, profiles)!;
    expect(r).toMatchObject({ source: 'goroutine profiles', first: 10, last: 18, peak: 18, growing: true });
    expect(r.pValue).toBeCloseTo(0.0274863361115103, 6);
    expect(r.slopePerHour).toBeCloseTo(7200, 9);
    expect(r.growingStacks.map((s) => s.stack)).toEqual([['wait', 'leaky']]);
    expect(r.growingStacks[0]!.growth).toBeCloseTo(8, 9);
  });

  it('a count that comes back down is not growing', () => {
    const profiles = [10, 14, 10, 14, 10].map((n, i) => profile(i, { s: n }));
    expect(goroutineReport([], [], null, profiles)!.growing).toBe(false);
    // Rising, but not significantly (S = 3 of 3 pairs, p = 0.30).
    expect(goroutineReport([], [], null, [10, 11, 12].map((n, i) => profile(i, { s: n })))!.growing).toBe(false);
  });

  it('from go_goroutines scraped with each snapshot when no profiles were taken', () => {
    const series = [point(0, 0, 0, 0), point(1, 10_000, 0, 0), point(2, 20_000, 0, 0)];
    const metrics: MetricSample[] = [
      { t: 100, name: 'go_goroutines', labels: {}, value: 5 },
      { t: 10_200, name: 'go_goroutines', labels: {}, value: 6 },
      // Scraped 9 s off the snapshot: beyond half the interval, not its reading.
      { t: 29_000, name: 'go_goroutines', labels: {}, value: 50 },
    ];
    const r = goroutineReport(series, metrics, 10_000)!;
    expect(r).toMatchObject({ source: 'go_goroutines', first: 5, last: 6, peak: 6 });
    expect(r.series.map((p) => p.index)).toEqual([0, 1]);
    expect(goroutineReport(series.slice(0, 1), metrics, 10_000)).toBeNull();
  });
});
