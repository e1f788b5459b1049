/**
 * Robust trend statistics for memory series: Theil–Sen slope (median of
 * pairwise slopes, insensitive to outliers such as a spike) with Sen's
 * confidence interval, and the Mann–Kendall trend test (with the variance
 * correction for tied values, which stale snapshots produce). References:
 * Sen (1968) J. Am. Stat. Assoc. 63:1379; Kendall, Rank Correlation Methods (1975);
 * Gilbert, Statistical Methods for Environmental Pollution Monitoring (1987) ch. 16.
 */

export interface MannKendall {
  readonly n: number;
  /** Kendall's S: concordant minus discordant pairs. */
  readonly s: number;
  readonly varS: number;
  readonly z: number;
  /** Two-sided p-value under "no trend" (normal approximation, continuity-corrected). */
  readonly p: number;
  /** Kendall's tau-b in [-1, 1]. */
  readonly tau: number;
}

export function mannKendall(ys: readonly number[]): MannKendall {
  const n = ys.length;
  let s = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) s += Math.sign(ys[j]! - ys[i]!);
  // Ties: Var(S) = [n(n-1)(2n+5) - Σ t(t-1)(2t+5)] / 18 over groups of t equal values.
  const groups = new Map<number, number>();
  for (const y of ys) groups.set(y, (groups.get(y) ?? 0) + 1);
  let tieTerm = 0;
  let tiedPairs = 0;
  for (const t of groups.values()) {
    tieTerm += t * (t - 1) * (2 * t + 5);
    tiedPairs += (t * (t - 1)) / 2;
  }
  const varS = (n * (n - 1) * (2 * n + 5) - tieTerm) / 18;
  const z = varS <= 0 ? 0 : s > 0 ? (s - 1) / Math.sqrt(varS) : s < 0 ? (s + 1) / Math.sqrt(varS) : 0;
  const p = varS <= 0 ? 1 : Math.min(1, 2 * (1 - normalCdf(Math.abs(z))));
  const pairs = (n * (n - 1)) / 2;
  const denom = Math.sqrt(pairs * (pairs - tiedPairs));
  return { n, s, varS, z, p, tau: denom > 0 ? s / denom : 0 };
}

export interface TheilSen {
  /** Median of the pairwise slopes (units of y per unit of x). */
  readonly slope: number;
  readonly intercept: number;
  /** Sen's two-sided confidence interval for the slope at `confidence`. */
  readonly low: number;
  readonly high: number;
}

/**
 * Theil–Sen slope with Sen's interval. `varianceFactor` widens the interval
 * as the Hamed–Rao correction widens the trend test (n/n* for autocorrelated
 * data, from mannKendallAutocorrelated): Sen's interval rests on Var(S), and
 * with serial correlation the plain Var(S) is too small.
 */
export function theilSen(xs: readonly number[], ys: readonly number[], confidence = 0.95, varianceFactor = 1): TheilSen {
  const n = xs.length;
  // n(n−1)/2 slopes: a typed array, sorted in place (a long series makes this the biggest allocation of the analysis).
  const all = new Float64Array((n * (n - 1)) / 2);
  let count = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dx = xs[j]! - xs[i]!;
      if (dx !== 0) all[count++] = (ys[j]! - ys[i]!) / dx;
    }
  }
  if (count === 0) return { slope: 0, intercept: n > 0 ? median([...ys]) : 0, low: 0, high: 0 };
  const slopes = all.subarray(0, count).sort();
  const mid = count >> 1;
  const slope = count % 2 ? slopes[mid]! : (slopes[mid - 1]! + slopes[mid]!) / 2;
  const intercept = median(ys.map((y, i) => y - slope * xs[i]!));
  // Sen's interval: ranks (N ± z·sqrt(Var S)) / 2 among the N ordered slopes.
  const varS = mannKendall(ys).varS * varianceFactor;
  const c = normalQuantile(1 - (1 - confidence) / 2) * Math.sqrt(Math.max(0, varS));
  const N = slopes.length;
  const lowRank = Math.max(0, Math.floor((N - c) / 2) - 1);
  const highRank = Math.min(N - 1, Math.ceil((N + c) / 2));
  return { slope, intercept, low: slopes[lowRank]!, high: slopes[highRank]! };
}

/** Median of any order of values; 0 for none. */
export function median(values: readonly number[]): number {
  const xs = [...values].sort((a, b) => a - b);
  const m = xs.length >> 1;
  return xs.length === 0 ? 0 : xs.length % 2 ? xs[m]! : (xs[m - 1]! + xs[m]!) / 2;
}

/** Standard normal CDF, via erf (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const t = 1 / (1 + 0.3275911 * (Math.abs(z) / Math.SQRT2));
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-(z * z) / 2);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/** Inverse of normalCdf (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

/**
 * Mann–Kendall with the Hamed & Rao (1998, J. Hydrology 204:182) variance
 * correction for autocorrelated data. Successive heap profiles share most of
 * their sampled objects, so their sampling errors persist from one snapshot
 * to the next; the plain test then finds "trends" in noise. The correction
 * inflates Var(S) by n/n*, from the significant autocorrelations of the
 * ranks of the Theil–Sen-detrended series. `minVarianceFactor` floors that
 * factor with one known from elsewhere (a short window cannot show a
 * correlation longer than itself; see verdict.ts).
 */
export function mannKendallAutocorrelated(xs: readonly number[], ys: readonly number[], minVarianceFactor = 1): MannKendall & { readonly varianceFactor: number } {
  const plain = mannKendall(ys);
  const n = ys.length;
  if (n < 4) return withFactor(plain, Math.max(1, minVarianceFactor));
  const slope = theilSen(xs, ys).slope;
  const residuals = ys.map((y, i) => y - slope * xs[i]!);
  const ranks = rank(residuals);
  const mean = (n + 1) / 2;
  const denom = ranks.reduce((s, r) => s + (r - mean) ** 2, 0);
  let sum = 0;
  const bound = 1.96 / Math.sqrt(n);
  for (let k = 1; k < n - 2; k++) {
    let num = 0;
    for (let i = 0; i + k < n; i++) num += (ranks[i]! - mean) * (ranks[i + k]! - mean);
    const rho = denom > 0 ? num / denom : 0;
    if (Math.abs(rho) > bound) sum += (n - k) * (n - k - 1) * (n - k - 2) * rho;
  }
  return withFactor(plain, Math.max(1, 1 + (2 / (n * (n - 1) * (n - 2))) * sum, minVarianceFactor));
}

/** A Mann–Kendall result with Var(S) multiplied by `factor`, and z and p to match. */
function withFactor(plain: MannKendall, factor: number): MannKendall & { readonly varianceFactor: number } {
  const varS = plain.varS * factor;
  const s = plain.s;
  const z = varS <= 0 ? 0 : s > 0 ? (s - 1) / Math.sqrt(varS) : s < 0 ? (s + 1) / Math.sqrt(varS) : 0;
  const p = varS <= 0 ? 1 : Math.min(1, 2 * (1 - normalCdf(Math.abs(z))));
  return { ...plain, varS, z, p, varianceFactor: factor };
}

/** Ranks 1..n, ties given their average rank. */
export function rank(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(values.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    for (let k = i; k <= j; k++) out[order[k]![1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return out;
}

/** Spearman's rank correlation (average ranks for ties); 0 when either side is constant. */
export function spearman(xs: readonly number[], ys: readonly number[]): number {
  const rx = rank(xs);
  const ry = rank(ys);
  const n = xs.length;
  const mean = (n + 1) / 2;
  let num = 0;
  let dx = 0;
  let dy = 0;
  for (let i = 0; i < n; i++) {
    num += (rx[i]! - mean) * (ry[i]! - mean);
    dx += (rx[i]! - mean) ** 2;
    dy += (ry[i]! - mean) ** 2;
  }
  return dx > 0 && dy > 0 ? num / Math.sqrt(dx * dy) : 0;
}

/**
 * One-sided sign test for an upward trend made of distinct events: among the
 * non-zero successive differences, the probability of at least as many rises
 * as observed if rises and falls were equally likely (exact binomial tail).
 * A sampled heap size moves in steps of one sampled object; a Mann–Kendall
 * test counts every pair of points, so a single retained step makes hundreds
 * of concordant pairs, where this test counts it once.
 */
export function signTest(ys: readonly number[]): { readonly rises: number; readonly falls: number; readonly p: number } {
  let rises = 0;
  let falls = 0;
  for (let i = 1; i < ys.length; i++) {
    if (ys[i]! > ys[i - 1]!) rises++;
    else if (ys[i]! < ys[i - 1]!) falls++;
  }
  const n = rises + falls;
  // P(X >= rises), X ~ Binomial(n, 1/2), summed in log space from the top term.
  let logTerm = -n * Math.LN2; // log C(n, n) / 2^n
  let p = 0;
  for (let k = n; k >= rises; k--) {
    p += Math.exp(logTerm);
    logTerm += Math.log(k) - Math.log(n - k + 1); // C(n, k-1) = C(n, k) · k / (n - k + 1)
  }
  return { rises, falls, p: Math.min(1, p) };
}
