import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mannKendall, mannKendallAutocorrelated, median, normalCdf, normalQuantile, rank, signTest, spearman, theilSen } from '../../src/analyze/stats.js';

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

describe('Hamed–Rao, Sen’s widened interval, the sign test (known answers)', () => {
  it('Hamed–Rao by the paper’s formula: detrend by Sen’s slope, rank, keep the significant lags', () => {
    // 12 points: a slow wave on a slope, so that the detrended ranks are autocorrelated.
    const xs = Array.from({ length: 12 }, (_, i) => i);
    const ys = xs.map((x) => x * 0.5 + 3 * Math.sin(x / 2));
    const n = ys.length;
    // By hand, step by step (Hamed & Rao 1998, eq. 18 and the 1.96/√n bound).
    const slope = theilSen(xs, ys).slope;
    const detrended = ys.map((y, i) => y - slope * xs[i]!);
    const ranks = rank(detrended);
    const mean = (n + 1) / 2;
    const denom = ranks.reduce((s, r) => s + (r - mean) ** 2, 0);
    let sum = 0;
    for (let k = 1; k <= n - 3; k++) {
      let num = 0;
      for (let i = 0; i + k < n; i++) num += (ranks[i]! - mean) * (ranks[i + k]! - mean);
      const rho = num / denom;
      if (Math.abs(rho) > 1.96 / Math.sqrt(n)) sum += (n - k) * (n - k - 1) * (n - k - 2) * rho;
    }
    const expected = Math.max(1, 1 + (2 / (n * (n - 1) * (n - 2))) * sum);
    const mk = mannKendallAutocorrelated(xs, ys);
    expect(expected).toBeGreaterThan(1.5); // the example does need the correction
    expect(mk.varianceFactor).toBeCloseTo(expected, 12);
    expect(mk.varS).toBeCloseTo(mannKendall(ys).varS * expected, 9);
    expect(mk.z).toBeCloseTo((mk.s - Math.sign(mk.s)) / Math.sqrt(mk.varS), 12);
    expect(mk.p).toBeGreaterThan(mannKendall(ys).p);
  });

  it('a floor on the factor is honoured, and fewer than four points are left as they are', () => {
    const xs = [0, 1, 2, 3, 4, 5, 6, 7];
    const ys = [1, 3, 2, 5, 4, 6, 8, 7];
    expect(mannKendallAutocorrelated(xs, ys, 10).varianceFactor).toBe(10);
    expect(mannKendallAutocorrelated([0, 1, 2], [1, 2, 3]).varianceFactor).toBe(1);
    expect(mannKendallAutocorrelated([0, 1, 2], [1, 2, 3], 4)).toMatchObject({ varianceFactor: 4, varS: mannKendall([1, 2, 3]).varS * 4 });
    expect(mannKendallAutocorrelated([0, 1, 2, 3], [2, 2, 2, 2])).toMatchObject({ s: 0, p: 1, z: 0 });
  });

  it('Sen’s interval: ranks (N ± z·√(Var S · factor))/2 among the N slopes', () => {
    // y = x² on 0..5: 15 slopes i + j for i < j, from 1 to 9; S = 15, Var S = 5·4·15/18.
    const xs = [0, 1, 2, 3, 4, 5];
    const ys = xs.map((x) => x * x);
    const slopes: number[] = [];
    for (let i = 0; i < 6; i++) for (let j = i + 1; j < 6; j++) slopes.push(i + j);
    slopes.sort((a, b) => a - b);
    const c = (f: number): number => 1.959963984540054 * Math.sqrt(((6 * 5 * 17) / 18) * f);
    const bounds = (f: number): [number, number] => [slopes[Math.max(0, Math.floor((15 - c(f)) / 2) - 1)]!, slopes[Math.min(14, Math.ceil((15 + c(f)) / 2))]!];
    expect(theilSen(xs, ys).slope).toBe(5);
    expect([theilSen(xs, ys).low, theilSen(xs, ys).high]).toEqual(bounds(1));
    expect([theilSen(xs, ys, 0.95, 0.25).low, theilSen(xs, ys, 0.95, 0.25).high]).toEqual(bounds(0.25));
    // A larger factor widens the interval.
    const narrow = theilSen(xs, ys, 0.95, 0.25);
    const wide = theilSen(xs, ys, 0.95, 1);
    expect(wide.low).toBeLessThan(narrow.low);
    expect(wide.high).toBeGreaterThan(narrow.high);
    expect(theilSen([1, 1, 1], [1, 2, 3])).toEqual({ slope: 0, intercept: 2, low: 0, high: 0 });
  });

  it('sign test: the exact binomial tail of the rises among the moves', () => {
    const near = (r: { rises: number; falls: number; p: number }, rises: number, falls: number, p: number): void => {
      expect([r.rises, r.falls]).toEqual([rises, falls]);
      expect(r.p).toBeCloseTo(p, 15);
    };
    near(signTest([1, 2, 3, 4]), 3, 0, 1 / 8);
    near(signTest([1, 2, 1, 2, 1]), 2, 2, 11 / 16);
    near(signTest([5, 5, 5]), 0, 0, 1);
    expect(signTest([0, 1, 2, 3, 4, 5, 6]).p).toBeCloseTo(1 / 64, 15);
    expect(signTest([0, 1, 1, 2, 2, 3, 0]).p).toBeCloseTo(5 / 16, 15); // 3 rises of 4 moves: (4 + 1)/16
  });

  it('ranks with ties share their average rank; Spearman of a monotone pair is 1', () => {
    expect(rank([10, 20, 20, 30])).toEqual([1, 2.5, 2.5, 4]);
    expect(rank([3, 1, 2])).toEqual([3, 1, 2]);
    expect(spearman([1, 2, 3, 4], [1, 4, 9, 16])).toBe(1);
    expect(spearman([1, 2, 3, 4], [2, 1, 4, 3])).toBeCloseTo(0.6, 12); // 1 − 6·4/(4·15)
  });
});

// Hand-computed answers for the branches a trend on memory rarely takes: a
// falling series, ties, an even number of slopes, the tails of the normal.
describe('known answers at the edges', () => {
  it('a falling series: S < 0 is continuity-corrected towards zero, z = (S + 1)/√Var S', () => {
    // 5 4 3 2 1: S = −10, Var S = 5·4·15/18, z = −9/√16.667 = −2.2045 (the mirror of 1..5).
    const down = mannKendall([5, 4, 3, 2, 1]);
    expect(down).toMatchObject({ s: -10, tau: -1 });
    expect(down.z).toBeCloseTo(-2.2045407685048604, 9);
    expect(down.p).toBeCloseTo(0.0274863361115103, 6);
    // With a factor of 4 (Hamed–Rao floor): z = −9/√(4·16.667) = −1.1023.
    const widened = mannKendallAutocorrelated([0, 1, 2, 3, 4], [5, 4, 3, 2, 1], 4);
    expect(widened.z).toBeCloseTo(-9 / Math.sqrt(4 * (300 / 18)), 12);
    expect(mannKendallAutocorrelated([0, 1, 2, 3, 4], [1, 2, 3, 4, 5], 4).z).toBeCloseTo(9 / Math.sqrt(4 * (300 / 18)), 12);
  });

  it('S = 0 with ties: z = 0 and p = 1, whatever the variance', () => {
    // 1 2 2 1: two rises, two falls, two ties; Var S = (4·3·13 − 2·(2·1·9))/18 = 6.667.
    const flat = mannKendall([1, 2, 2, 1]);
    expect(flat).toMatchObject({ s: 0, z: 0 });
    expect(flat.p).toBeCloseTo(1, 6); // Φ(0) by A&S 7.1.26: 1e-9 off
    expect(flat.varS).toBeCloseTo(120 / 18, 12);
    expect(mannKendallAutocorrelated([0, 1, 2, 3], [1, 2, 2, 1], 2)).toMatchObject({ s: 0, z: 0 });
  });

  it("Kendall's tau-b with a tie: S/√(pairs·(pairs − tied pairs))", () => {
    // Against time, 1 2 2 3: S = 5 of 6 pairs, one tied pair: 5/√30 = 0.91287 (scipy.stats.kendalltau gives 0.9128709).
    const t = mannKendall([1, 2, 2, 3]);
    expect(t.s).toBe(5);
    expect(t.tau).toBeCloseTo(5 / Math.sqrt(30), 12);
    expect(t.varS).toBeCloseTo((4 * 3 * 13 - 2 * 1 * 9) / 18, 12);
  });

  it('Theil–Sen with an even number of slopes takes the mean of the middle two', () => {
    // (0,0) (1,0) (2,3) (3,4): slopes 0, 1.5, 4/3, 3, 2, 1 → sorted 0 1 4/3 1.5 2 3 → (4/3 + 1.5)/2.
    expect(theilSen([0, 1, 2, 3], [0, 0, 3, 4]).slope).toBeCloseTo((4 / 3 + 1.5) / 2, 12);
  });

  it("Sen's interval on few points reaches the extreme slopes, never beyond them", () => {
    // 4 points: N = 6 slopes, c = 1.96·√(4·3·13/18) = 5.77 > N − 2: the interval is [min, max] of the slopes.
    const ts = theilSen([0, 1, 2, 3], [0, 0, 3, 4]);
    expect([ts.low, ts.high]).toEqual([0, 3]);
  });

  it('median: odd, even, empty', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBe(0);
  });

  it('the normal quantile in its tails and at its ends (Python statistics.NormalDist().inv_cdf)', () => {
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.3263478740408408, 8);
    expect(normalQuantile(0.99)).toBeCloseTo(2.3263478740408408, 8);
    expect(normalQuantile(0.9995)).toBeCloseTo(3.2905267314918945, 8);
  });

  it('Spearman is 0 when a side is constant (no ranks to correlate)', () => {
    expect(spearman([1, 1, 1], [1, 2, 3])).toBe(0);
    expect(spearman([1, 2, 3], [7, 7, 7])).toBe(0);
  });
});
