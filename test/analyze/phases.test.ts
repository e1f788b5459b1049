import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeCycles, findResets, RESET_Z } from '../../src/analyze/cycles.js';
import { stepNoise, trimmedNormalVariance, trimmedScale, TRIM } from '../../src/analyze/noise.js';
import { samplingErrorOf, segmentPhases, seriesNoise, type SeriesValue } from '../../src/analyze/phases.js';

// Phases, noise and cycles on series built by hand: each expectation holds by
// construction, and each names the wrong implementation it would catch.
const MiB = 2 ** 20;
const R = 512 * 1024;

const series = (ys: readonly number[], { stale = [] as readonly boolean[], error }: { stale?: readonly boolean[]; error?: number } = {}): SeriesValue[] =>
  ys.map((bytes, i) => ({ t: 1e12 + i * 1000, bytes, stale: stale[i] ?? false, ...(error !== undefined ? { samplingError: error } : {}) }));
const kinds = (v: SeriesValue[], period = R): string[] => segmentPhases(v, { samplingPeriodBytes: period }).map((p) => p.kind);
/** Deterministic noise in [-amp, amp]. */
const jitter = (i: number, amp: number): number => amp * (((i * 7919) % 13) / 6 - 1);

describe('phase kinds', () => {
  it('flat is a plateau; a line is steady growth; a fall is a decline', () => {
    expect(kinds(series(Array.from({ length: 40 }, (_, i) => 50 * MiB + jitter(i, 0.1 * MiB)), { error: 0.5 * MiB }))).toEqual(['plateau']);
    expect(kinds(series(Array.from({ length: 40 }, (_, i) => 20 * MiB + i * MiB + jitter(i, 0.1 * MiB)), { error: 0.5 * MiB }))).toEqual(['steady-growth']);
    expect(kinds(series(Array.from({ length: 40 }, (_, i) => 80 * MiB - i * MiB + jitter(i, 0.1 * MiB)), { error: 0.5 * MiB }))).toEqual(['decline']);
  });

  it('init, then rapid growth, then a plateau: a process starting up', () => {
    // 5 points at 2 MiB (below a quarter of the 100 MiB peak), then to 100 MiB in 5 points, then flat.
    const ys = [...Array.from({ length: 5 }, () => 2 * MiB), ...Array.from({ length: 5 }, (_, i) => 5 * MiB + i * 23.75 * MiB), ...Array.from({ length: 40 }, () => 100 * MiB)];
    expect(kinds(series(ys.map((y, i) => y + jitter(i, 0.05 * MiB)), { error: 0.3 * MiB }))).toEqual(['init', 'rapid-growth', 'plateau']);
  });

  it('growth gaining a fifth of the peak, but slowly, is steady, not rapid', () => {
    // +30 MiB over 40 points to a 100 MiB peak: a fifth of the peak, at far less than twice the even pace over half the run.
    const ys = [...Array.from({ length: 40 }, (_, i) => 70 * MiB + i * 0.75 * MiB), ...Array.from({ length: 40 }, () => 100 * MiB)];
    expect(kinds(series(ys, { error: 0.3 * MiB }))).toEqual(['steady-growth', 'plateau']);
  });

  it('a burst that is given back within 30% of the run is a spike; one held longer is growth then decline', () => {
    const burst = (from: number, to: number): number[] => Array.from({ length: 60 }, (_, i) => (i >= from && i < to ? 90 * MiB : 30 * MiB) + jitter(i, 0.1 * MiB));
    expect(kinds(series(burst(20, 28), { error: 0.5 * MiB }))).toEqual(['plateau', 'spike', 'plateau']);
    // Held 30 of 60 points: half the run is no spike.
    expect(kinds(series(burst(15, 45), { error: 0.5 * MiB }))).not.toContain('spike');
  });

  it('a level change within twice the sampling error is a plateau; beyond it, growth (the band is 2 × the error)', () => {
    // Two flat halves 3 MiB apart. With each measurement uncertain by 2 MiB (band 4 MiB) that is one plateau...
    const step = Array.from({ length: 60 }, (_, i) => (i < 30 ? 40 * MiB : 43 * MiB));
    expect(kinds(series(step, { error: 2 * MiB }))).toEqual(['plateau']);
    // ...with 1 MiB (band 2 MiB) it is a step up.
    expect(kinds(series(step, { error: MiB }))).toContain('steady-growth');
  });

  it('stale points are never measurements: a staircase seen once per step is growth, not plateaus', () => {
    const ys = Array.from({ length: 30 }, (_, i) => 10 * MiB + Math.floor(i / 5) * 3 * MiB);
    const stale = ys.map((_, i) => i % 5 !== 0);
    const phases = segmentPhases(series(ys, { stale, error: 0.2 * MiB }), { samplingPeriodBytes: R });
    expect(phases.map((p) => p.kind)).toEqual(['steady-growth']);
    // Trailing stale points belong to the last phase.
    expect(phases.at(-1)!.end).toBe(29);
  });

  it('is unchanged when the series and the sampling period are scaled together', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1_000_000, max: 100_000_000 }), { minLength: 3, maxLength: 60 }), fc.integer({ min: 2, max: 64 }), (ys, k) => {
        const a = segmentPhases(series(ys), { samplingPeriodBytes: R }).map((p) => [p.kind, p.start, p.end]);
        const b = segmentPhases(series(ys.map((y) => y * k)), { samplingPeriodBytes: R * k }).map((p) => [p.kind, p.start, p.end]);
        expect(b).toEqual(a);
      }),
      { numRuns: 150, seed: 11 },
    );
  });
});

describe('sampling error of a stretch', () => {
  it("the median of the measurements' own errors, else √(level × period)", () => {
    expect(samplingErrorOf(series([1, 2, 3]).map((p, i) => ({ ...p, samplingError: [3, 1, 2][i] })), 0, R)).toBe(2);
    expect(samplingErrorOf(series([1, 2, 3]), 32 * MiB, R)).toBe(4 * MiB);
    expect(samplingErrorOf(series([1, 2, 3]), -1, R)).toBe(0);
  });
});

describe('noise: trimmed scales', () => {
  it('the trimmed normal variance for a quarter trimmed: 1 − 2·q·φ(q)/0.75 at q = 1.1503', () => {
    expect(TRIM).toBe(0.25);
    expect(trimmedNormalVariance(0.25)).toBeCloseTo(0.3684, 3);
    expect(trimmedNormalVariance(0.1)).toBeCloseTo(0.6232, 3);
  });

  it('ignores the largest quarter of the deviations from the median', () => {
    // Median 1; deviations 0, 0, 2, 2, 99; the three smallest plus one more (ceil(5 × 0.75) = 4) kept: 0, 0, 2, 2.
    expect(trimmedScale([1, -1, 1, -1, 100])).toBeCloseTo(Math.sqrt(8 / 4 / trimmedNormalVariance(0.25)), 12);
    expect(trimmedScale([0, 0, 0, 10])).toBe(0);
    expect(trimmedScale([])).toBe(0);
    expect(trimmedScale([5])).toBe(0);
  });

  it('gives σ for a normal sample (within 5% over 20,000 points)', () => {
    // Box–Muller over a deterministic uniform sequence.
    let s = 1;
    const u = (): number => ((s = (s * 48271) % 2147483647) / 2147483647);
    const xs = Array.from({ length: 20_000 }, () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u()) * 3);
    expect(trimmedScale(xs)).toBeGreaterThan(3 * 0.95);
    expect(trimmedScale(xs)).toBeLessThan(3 * 1.05);
  });

  it('step noise: successive differences over √2, at least the floor', () => {
    // Alternating ±1: differences ±2, their trimmed scale around their median 0 is 2/√(variance kept)...
    const alt = Array.from({ length: 40 }, (_, i) => (i % 2 ? 1 : -1));
    expect(stepNoise(alt)).toBeCloseTo(trimmedScale(alt.slice(1).map((y, i) => y - alt[i]!)) / Math.SQRT2, 12);
    // A straight line has no step noise: its differences are all equal; the floor then.
    expect(stepNoise(Array.from({ length: 40 }, (_, i) => i * 10), 3)).toBe(3);
    expect(stepNoise([1, 2], 7)).toBe(7);
    // seriesNoise floors at 0.5% of the median level.
    expect(seriesNoise(Array.from({ length: 40 }, () => 200 * MiB))).toBe(MiB);
  });
});

describe('cycles: resets and troughs', () => {
  /** Teeth of `period` points rising 2 MiB each from 30 MiB + k × troughStep. */
  const saw = (cycles: number, period: number, troughStep = 0): number[] =>
    Array.from({ length: cycles * period }, (_, i) => 30 * MiB + Math.floor(i / period) * troughStep + (i % period) * 2 * MiB);

  it('finds each reset, at the first point after the drop, with its size', () => {
    const ys = saw(5, 10);
    const resets = findResets(ys, R);
    expect(resets.map((r) => r.at)).toEqual([10, 20, 30, 40]);
    expect(resets.every((r) => r.dropBytes === 18 * MiB)).toBe(true);
  });

  it(`a drop needs more than ${RESET_Z}² sampling periods (a Poisson count of freed sampled objects)`, () => {
    // Teeth rising 0.75 MiB a point for 10 points: drops of 6.75 MiB, under 16 × 512 KiB = 8 MiB.
    const small = Array.from({ length: 50 }, (_, i) => 30 * MiB + (i % 10) * 0.75 * MiB);
    expect(findResets(small, R)).toEqual([]);
    // With a 256 KiB period (4 MiB needed) they are resets.
    expect(findResets(small, R / 2)).toHaveLength(4);
  });

  it(`a drop must be an outlier among the series' differences (${RESET_Z} trimmed standard deviations)`, () => {
    // Noise of ±5 MiB a point (uniform): its drops are within it.
    let s = 7;
    const noisy = Array.from({ length: 60 }, () => 50 * MiB + 5 * MiB * (((s = (s * 48271) % 2147483647) / 2147483647) * 2 - 1));
    expect(findResets(noisy, 0)).toEqual([]);
    // One 30 MiB drop in it is a reset.
    noisy[30]! -= 30 * MiB;
    expect(findResets(noisy, 0).map((r) => r.at)).toEqual([30]);
    expect(findResets([1, 2], R)).toEqual([]);
  });

  it('describes the cycles: troughs after each reset, peaks of each cycle, median period and drop', () => {
    const ys = saw(5, 10, 3 * MiB);
    const xs = ys.map((_, i) => i * 2000);
    const c = describeCycles(xs, ys, findResets(ys, R));
    expect(c.troughs).toEqual([10, 20, 30, 40]);
    expect(c.peaks).toEqual([9, 19, 29, 39, 49]);
    expect(c.periodMs).toBe(20_000);
    expect(c.amplitudeBytes).toBe(15 * MiB);
    expect(describeCycles(xs, ys, []).periodMs).toBeNull();
    expect(describeCycles(xs, ys, []).amplitudeBytes).toBe(0);
  });
});
