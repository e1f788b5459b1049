import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mannKendall, normalCdf, normalQuantile, theilSen } from '../../src/analyze/stats.js';

// Reference values computed with Python's statistics.NormalDist (an independent implementation).
describe('normal distribution', () => {
  it.each([
    [1.96, 0.9750021048517796],
    [-1, 0.15865525393145707],
    [3, 0.9986501019683699],
    [0, 0.5],
  ])('Φ(%d) = %d', (z, p) => expect(normalCdf(z)).toBeCloseTo(p, 6));
  it.each([
    [0.975, 1.9599639845400536],
    [0.001, -3.090232306167813],
  ])('Φ⁻¹(%d) = %d', (p, z) => expect(normalQuantile(p)).toBeCloseTo(z, 8));
});

describe('Mann–Kendall', () => {
  it('matches the textbook computation, with and without ties', () => {
    const up = mannKendall([1, 2, 3, 4, 5]);
    expect(up).toMatchObject({ s: 10, tau: 1 });
    expect(up.varS).toBeCloseTo(16.6667, 3);
    expect(up.z).toBeCloseTo(2.2045407685048604, 9);
    expect(up.p).toBeCloseTo(0.0274863361115103, 6);
    const tied = mannKendall([1, 1, 2, 3, 3, 3, 4]);
    expect(tied.s).toBe(17);
    expect(tied.varS).toBeCloseTo(39.666666666666664, 9);
    expect(tied.p).toBeCloseTo(0.011071644553191984, 6);
  });

  it('sees no trend in a constant series (all stale snapshots), p = 1', () => {
    expect(mannKendall([5, 5, 5, 5, 5])).toMatchObject({ s: 0, p: 1, tau: 0 });
  });

  it('is antisymmetric under reversal and invariant under monotone transforms', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1e9 }), { minLength: 3, maxLength: 40 }), (ys) => {
        const a = mannKendall(ys);
        expect(mannKendall([...ys].reverse()).s).toBe(a.s === 0 ? 0 : -a.s);
        expect(mannKendall(ys.map((y) => 3 * y + 7)).s).toBe(a.s);
      }),
      { numRuns: 200, seed: 1 },
    );
  });
});

describe('Theil–Sen', () => {
  it('recovers an exact line, with the slope inside its interval', () => {
    const xs = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    const r = theilSen(xs, xs.map((x) => 100 + 2.5 * x));
    expect(r.slope).toBe(2.5);
    expect(r.intercept).toBe(100);
    expect(r.low).toBeLessThanOrEqual(2.5);
    expect(r.high).toBeGreaterThanOrEqual(2.5);
  });

  it('ignores a spike that least squares would not', () => {
    const xs = Array.from({ length: 20 }, (_, i) => i);
    const ys = xs.map((x) => 1000 + x);
    ys[10] = 1e6;
    expect(theilSen(xs, ys).slope).toBe(1);
  });

  it('scales with the data and ignores shifts', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1e6 }), { minLength: 3, maxLength: 30 }), fc.integer({ min: 1, max: 1000 }), (ys, k) => {
        const xs = ys.map((_, i) => i * 1000);
        const base = theilSen(xs, ys).slope;
        expect(theilSen(xs, ys.map((y) => y * k)).slope).toBeCloseTo(base * k, 6);
        expect(theilSen(xs, ys.map((y) => y + 12345)).slope).toBeCloseTo(base, 9);
      }),
      { numRuns: 200, seed: 2 },
    );
  });
});
