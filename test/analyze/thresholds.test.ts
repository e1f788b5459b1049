// Recommended alert thresholds on series built by hand: the peak with its
// headroom, the growth threshold from whole windows after warm-up, and `for`
// outlasting spikes. Each figure below is worked out in the comment above it.
import { describe, expect, it } from 'vitest';
import { niceCeil, recommendThresholds, type ThresholdInput } from '../../src/analyze/thresholds.js';
import type { ReportPhase } from '../../src/model/report.js';

const MIN = 60_000;
const T0 = 1.7e12;

/** An RSS series, one reading a minute. */
function rss(values: readonly number[]): ThresholdInput['series'] {
  return [{ labels: { __name__: 'process_resident_memory_bytes' }, t: Float64Array.from(values, (_, i) => T0 + i * MIN), v: Float64Array.from(values) }];
}

function phase(kind: ReportPhase['kind'], fromMin: number, toMin: number): ReportPhase {
  return { kind, startIndex: fromMin, endIndex: toMin, startT: T0 + fromMin * MIN, endT: T0 + toMin * MIN, startBytes: 0, endBytes: 0, slopeBytesPerSec: 0 };
}

function input(values: readonly number[], over: Partial<ThresholdInput> = {}): ThresholdInput {
  return { series: rss(values), heapPhases: [], rssPhases: [], verdict: { kind: 'no-leak', slopeBytesPerHour: 0 }, intervalMs: MIN, ...over };
}

describe('niceCeil: up to two significant digits', () => {
  it.each([
    [72.8e6, 73e6],
    [140.3e6, 150e6],
    [100e6, 100e6],
    [1300, 1300],
    [1301, 1400],
    [0, 0],
    [-5, 0],
  ])('%d → %d', (x, y) => expect(niceCeil(x)).toBeCloseTo(y, 3));
});

describe('recommendThresholds', () => {
  it('a run growing 2 kB/s: growth threshold = slope × headroom, peak = peak × headroom', () => {
    // 21 readings a minute apart, +120 kB a minute (2000 B/s) from 50 MB: every 5-minute window's slope is 2000 B/s.
    const values = Array.from({ length: 21 }, (_, i) => 50e6 + i * 120_000);
    const th = recommendThresholds(input(values))!;
    expect(th.metric).toBe('process_resident_memory_bytes');
    // 2000 × 1.3 = 2600 → floored at 10 kB/s (below that a growth alert is noise).
    expect(th.growth).toMatchObject({ bytesPerSec: 10_000 });
    expect(th.growth.observedBytesPerSec).toBeCloseTo(2000, 6);
    // Windows ending at minutes 5..20: 16 of them.
    expect(th.growth.basis).toMatch(/^largest 5m least-squares slope after warm-up 2\.0 kB\/s \(16 windows\) × 1\.3 headroom, rounded up; floored at 10\.0 kB\/s$/);
    // Peak 52.4 MB × 1.3 = 68.12 MB → 69 MB.
    expect(th.peak).toMatchObject({ bytes: 69e6, observedBytes: 52.4e6, headroom: 1.3 });
    expect(th).toMatchObject({ windowSeconds: 300, forSeconds: 300, warmupEnd: null });
    expect(th.forBasis).toBe('no spike in this run: the minimum 5m');
    expect(th.rules.map((r) => [r.alert, r.expr, r.for])).toEqual([
      ['MemoryGrowth', 'deriv(process_resident_memory_bytes[5m]) > 10000', '5m'],
      ['MemoryPeak', 'process_resident_memory_bytes > 69000000', '5m'],
    ]);
    // On its own run neither rule fires.
    expect(th.onThisRun.map((a) => a.state)).toEqual(['inactive', 'inactive']);
  });

  it('a faster run: the threshold is its largest window slope × 1.3, rounded up to two digits', () => {
    // +1.2 MB a minute = 20 kB/s; the last 5 minutes +2.4 MB a minute = 40 kB/s → 52 kB/s.
    const values = Array.from({ length: 21 }, (_, i) => 50e6 + Math.min(i, 15) * 1.2e6 + Math.max(0, i - 15) * 2.4e6);
    const th = recommendThresholds(input(values))!;
    expect(th.growth.observedBytesPerSec).toBeCloseTo(40_000, 6);
    expect(th.growth.bytesPerSec).toBe(52_000);
    // The run crosses its own growth threshold nowhere (40 kB/s < 52 kB/s), its peak threshold nowhere.
    expect(th.onThisRun.every((a) => !a.fired)).toBe(true);
  });

  it('a leaking run keeps the seed’s 100 kB/s: its own growth is the defect, not a baseline', () => {
    const values = Array.from({ length: 21 }, (_, i) => 50e6 + i * 12e6);
    const th = recommendThresholds(input(values, { verdict: { kind: 'leak', slopeBytesPerHour: 200_000 * 3600 } }))!;
    expect(th.growth.bytesPerSec).toBe(100_000);
    expect(th.growth.observedBytesPerSec).toBeCloseTo(200_000, 6);
    expect(th.growth.basis).toMatch(/^this run leaks \(heap \+200\.0 kB\/s in the steady state\)/);
    expect(th.growth.basis).toMatch(/which this run's 5m slopes \(up to 200\.0 kB\/s\) cross$/);
    // And it fires on the run: 200 kB/s > 100 kB/s for well over 5 minutes.
    expect(th.onThisRun.find((a) => a.name === 'MemoryGrowth')!.fired).toBe(true);
  });

  it('warm-up is left out: windows must start after it', () => {
    // Minutes 0–4 rise 5 MB a minute (init), then flat for 16 minutes.
    const values = Array.from({ length: 21 }, (_, i) => 50e6 + Math.min(i, 4) * 5e6);
    const th = recommendThresholds(input(values, { heapPhases: [phase('init', 0, 4), phase('plateau', 4, 20)] }))!;
    expect(th.warmupEnd).toBe(T0 + 4 * MIN);
    // Windows from minute 4 on: ending at 9..20 (12), all flat.
    expect(th.growth.observedBytesPerSec).toBe(0);
    expect(th.growth.basis).toContain('(12 windows)');
    // `for` outlasts the time the growth condition holds while a window still spans start-up.
    expect(th.forSeconds).toBeGreaterThanOrEqual(300);
  });

  it('a run shorter than warm-up + window gets one slope, from warm-up to its end', () => {
    // 8 minutes; warm-up ends at minute 4; then +60 kB a minute (1 kB/s) for 4 minutes.
    const values = Array.from({ length: 9 }, (_, i) => 50e6 + Math.min(i, 4) * 5e6 + Math.max(0, i - 4) * 60_000);
    const th = recommendThresholds(input(values, { heapPhases: [phase('rapid-growth', 0, 4)] }))!;
    expect(th.growth.observedBytesPerSec).toBeCloseTo(1000, 6);
    expect(th.growth.basis).toMatch(/^least-squares slope from warm-up to the end \(the run is shorter than warm-up \+ 5m\) 1\.0 kB\/s \(1 window\)/);
  });

  it('too few readings after warm-up for a slope: the seed’s threshold stays', () => {
    const values = [50e6, 60e6, 70e6, 70e6];
    const th = recommendThresholds(input(values, { heapPhases: [phase('init', 0, 2)] }))!;
    expect(th.growth).toMatchObject({ bytesPerSec: 100_000, observedBytesPerSec: null });
    expect(th.growth.basis).toBe("too few samples after warm-up for a 5m slope: the seed's 100.0 kB/s stays");
  });

  it('`for` is longer than the longest spike: spike + one interval, rounded up to whole minutes', () => {
    const values = Array.from({ length: 21 }, () => 50e6);
    // A 7-minute spike: 7 + 1 = 8 minutes.
    const th = recommendThresholds(input(values, { heapPhases: [phase('plateau', 0, 5), phase('spike', 5, 12)], rssPhases: [phase('spike', 14, 16)] }))!;
    expect(th.forSeconds).toBe(480);
    expect(th.forBasis).toBe('longest spike 7m (2 spike phases), plus one scrape interval, rounded up');
    expect(th.rules[0]!.for).toBe('8m');
    // A 2-minute spike stays under the 5-minute minimum.
    const short = recommendThresholds(input(values, { heapPhases: [phase('spike', 5, 7)] }))!;
    expect(short.forSeconds).toBe(300);
    expect(short.forBasis).toBe('longest spike 2m (1 spike phase), under the minimum 5m');
  });

  it('the selector goes into the rules, not into the evaluation on the run', () => {
    const th = recommendThresholds(input(Array.from({ length: 10 }, () => 50e6)), { windowMs: 300_000, headroom: 1.5, minForMs: 600_000, selector: 'job="op"' })!;
    expect(th.rules[1]!.expr).toBe('process_resident_memory_bytes{job="op"} > 75000000');
    expect(th.forSeconds).toBe(600);
    expect(th.onThisRun).toHaveLength(2);
  });

  it('prefers the container working set, and gives nothing without a memory series', () => {
    const ws = { labels: { __name__: 'container_memory_working_set_bytes' }, t: Float64Array.from([T0, T0 + MIN]), v: Float64Array.from([1e6, 1e6]) };
    expect(recommendThresholds({ ...input([5e6, 5e6]), series: [...rss([5e6, 5e6]), ws] })!.metric).toBe('container_memory_working_set_bytes');
    expect(recommendThresholds({ ...input([]), series: [{ labels: { __name__: 'other' }, t: Float64Array.from([T0]), v: Float64Array.from([1]) }] })).toBeNull();
  });
});
