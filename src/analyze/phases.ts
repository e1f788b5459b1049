/**
 * Growth phases of a memory series, by piecewise-linear segmentation.
 *
 * Segmentation proposes where the heap changed behaviour; it does not decide
 * whether the heap leaks (the verdict does, with tests corrected for
 * autocorrelation, over the longest window its rules can defend).
 *
 * Method (deterministic):
 * 1. Stale points (a heap profile repeating the previous one because no GC
 *    ran) carry no new measurement and are left out; they would fake plateaus.
 * 2. The short-range noise σ is the trimmed scale of successive differences
 *    over √2 (noise.ts), floored at 0.5% of the median level.
 * 3. Optimal partitioning (Jackson et al. 2005; Killick et al. 2012) finds the
 *    segmentation minimising Σ SSE(segment line fit) + β per segment, with
 *    β = 3σ²·ln(n) (a BIC penalty for slope, intercept and breakpoint), by
 *    dynamic programming over O(n²) candidate segments, each fitted in O(1)
 *    from prefix sums. Segments hold at least two points.
 * 4. Each segment is classified by the change of its fitted line Δ: plateau
 *    when |Δ| is within twice the larger of σ and the profiles' sampling
 *    uncertainty (each profile's own standard error from its object sizes,
 *    else √(level × period); the same uncertainty the verdict uses: a sampled
 *    size wanders by about that much over tens of seconds, which short-range
 *    noise does not show); growth or decline otherwise. Growth
 *    is rapid when it gains at least a fifth of the peak at least twice as
 *    fast as reaching the peak evenly over half the run would. A rise, an
 *    optional plateau and a fall giving back at least half of the rise,
 *    from the rise's start to the level being back (the end of a gradual
 *    fall, the start of a step down) within 30% of the run, are a spike. The first segment is init
 *    when it stays below a quarter of the peak. Adjacent segments of one kind
 *    are merged.
 */
import type { PhaseKind, Phase } from '../model/report.js';
import { stepNoise } from './noise.js';

export interface SeriesValue {
  /** Unix ms. */
  readonly t: number;
  readonly bytes: number;
  readonly stale: boolean;
  /** The measurement's own sampling standard error, when known (a heap profile's, from its object sizes). */
  readonly samplingError?: number;
}

/**
 * The sampling uncertainty of a stretch of measurements: the median of their
 * own standard errors when they carry them, else √(level × period), the
 * error of a level made of objects much smaller than the sampling period.
 */
export function samplingErrorOf(points: readonly SeriesValue[], level: number, period: number): number {
  const known = points.map((p) => p.samplingError).filter((e): e is number => e !== undefined).sort((a, b) => a - b);
  if (known.length > 0) return known[known.length >> 1]!;
  return Math.sqrt(Math.max(level, 0) * period);
}

interface Segment {
  from: number; // positions among the non-stale points, inclusive
  to: number;
  kind: PhaseKind | 'growth';
}

export interface SegmentOptions {
  /**
   * Mean bytes between heap profile samples (Go's MemProfileRate, 512 KiB by
   * default): a level estimated from such samples is uncertain by about
   * √(level × period). 0 for series measured exactly (RSS).
   */
  readonly samplingPeriodBytes?: number;
}

/** The short-range noise of the measured (non-stale) values, floored at 0.5% of their median (see noise.ts). */
export function seriesNoise(ys: readonly number[]): number {
  const sorted = [...ys].sort((a, b) => a - b);
  return stepNoise(ys, Math.max(0.005 * (sorted[sorted.length >> 1] ?? 0), 1));
}

/** Prefix sums for O(1) least-squares line fits over any range. */
function lineFitter(xs: readonly number[], ys: readonly number[]) {
  const n = xs.length;
  const sx = new Float64Array(n + 1);
  const sy = new Float64Array(n + 1);
  const sxx = new Float64Array(n + 1);
  const sxy = new Float64Array(n + 1);
  const syy = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) {
    sx[i + 1] = sx[i]! + xs[i]!;
    sy[i + 1] = sy[i]! + ys[i]!;
    sxx[i + 1] = sxx[i]! + xs[i]! * xs[i]!;
    sxy[i + 1] = sxy[i]! + xs[i]! * ys[i]!;
    syy[i + 1] = syy[i]! + ys[i]! * ys[i]!;
  }
  /** Fit over points [a, b]: slope, intercept and residual sum of squares. */
  return (a: number, b: number): { slope: number; intercept: number; sse: number } => {
    const m = b - a + 1;
    const X = sx[b + 1]! - sx[a]!;
    const Y = sy[b + 1]! - sy[a]!;
    const cxx = sxx[b + 1]! - sxx[a]! - (X * X) / m;
    const cxy = sxy[b + 1]! - sxy[a]! - (X * Y) / m;
    const cyy = syy[b + 1]! - syy[a]! - (Y * Y) / m;
    const slope = cxx > 0 ? cxy / cxx : 0;
    return { slope, intercept: (Y - slope * X) / m, sse: Math.max(0, cyy - slope * cxy) };
  };
}

/** Segments and classifies a heap (or RSS) series; returns phases in time order. */
export function segmentPhases(series: readonly SeriesValue[], options: SegmentOptions = {}): Phase[] {
  const pos: number[] = [];
  series.forEach((p, i) => {
    if (!p.stale) pos.push(i);
  });
  if (pos.length === 0) return [];
  // Seconds from the first point keep the sums well-conditioned.
  const t0 = series[pos[0]!]!.t;
  const xs = pos.map((i) => (series[i]!.t - t0) / 1000);
  const ys = pos.map((i) => series[i]!.bytes);
  const n = xs.length;
  const fit = lineFitter(xs, ys);
  const sigma = seriesNoise(ys);
  const beta = 3 * sigma * sigma * Math.log(Math.max(n, 2));
  const period = options.samplingPeriodBytes ?? 0;

  // Optimal partitioning: best[j] = cheapest segmentation of points [0, j).
  const best = new Float64Array(n + 1).fill(Infinity);
  const cut = new Int32Array(n + 1).fill(-1);
  best[0] = -beta;
  for (let j = 2; j <= n; j++) {
    for (let i = 0; i <= j - 2; i++) {
      if (best[i] === Infinity) continue;
      const cost = best[i]! + fit(i, j - 1).sse + beta;
      if (cost < best[j]!) {
        best[j] = cost;
        cut[j] = i;
      }
    }
  }
  if (n === 1) return [toPhase({ from: 0, to: 0, kind: 'plateau' })];
  const segments: Segment[] = [];
  // A lone last point (n odd with pairs) joins the previous segment.
  let j = best[n] === Infinity ? n - 1 : n;
  while (j > 0) {
    const i = cut[j]!;
    segments.unshift({ from: i, to: j - 1, kind: 'plateau' });
    j = i;
  }
  if (segments.length > 0 && segments[segments.length - 1]!.to < n - 1) segments[segments.length - 1]!.to = n - 1;

  const maxY = Math.max(...ys);
  const duration = Math.max(xs[n - 1]! - xs[0]!, 1e-9);
  const fitted = segments.map((seg) => {
    const f = fit(seg.from, seg.to);
    return { start: f.intercept + f.slope * xs[seg.from]!, end: f.intercept + f.slope * xs[seg.to]!, slope: f.slope };
  });
  // A segment's change counts the step from where the previous one ended: a level that
  // jumps between two flat segments is growth (or decline), not two plateaus. What the
  // previous segment's own slope explains across the gap between them (in the step's
  // direction, and never more than the step) is its, not a step.
  const stepAt = (k: number): number => {
    if (k === 0) return 0;
    const raw = fitted[k]!.start - fitted[k - 1]!.end;
    const carried = fitted[k - 1]!.slope * (xs[segments[k]!.from]! - xs[segments[k - 1]!.to]!);
    return Math.sign(carried) === Math.sign(raw) ? raw - Math.sign(raw) * Math.min(Math.abs(carried), Math.abs(raw)) : raw;
  };
  const changeOf = (k: number, withStep: boolean): number => fitted[k]!.end - fitted[k]!.start + (withStep ? stepAt(k) : 0);
  const classify = (k: number, withStep: boolean): PhaseKind => {
    const seg = segments[k]!;
    const d = changeOf(k, withStep);
    const from = withStep && k > 0 ? xs[segments[k - 1]!.to]! : xs[seg.from]!;
    const rate = d / Math.max(xs[seg.to]! - from, 1e-9);
    const level = Math.max(0, (fitted[k]!.start + fitted[k]!.end) / 2);
    const band = 2 * Math.max(sigma, samplingErrorOf(pos.slice(seg.from, seg.to + 1).map((i) => series[i]!), level, period));
    if (Math.abs(d) < band) return 'plateau';
    if (d < 0) return 'decline';
    return d >= 0.2 * maxY && rate >= (2 * maxY) / duration ? 'rapid-growth' : 'steady-growth';
  };
  segments.forEach((seg, k) => (seg.kind = classify(k, true)));
  // Spikes: a rise, then (after any plateaus on top) a fall giving back at least half of it,
  // the raised stretch within 30% of the run. The segment after the fall is judged on its own.
  for (let k = 0; k < segments.length; k++) {
    const rise = segments[k]!;
    if (rise.kind !== 'rapid-growth' && rise.kind !== 'steady-growth') continue;
    const gained = changeOf(k, true);
    let m = k + 1;
    while (m < segments.length && segments[m]!.kind === 'plateau') m++;
    const fall = segments[m];
    if (!fall || gained < 4 * sigma) continue;
    const lost = fall.kind === 'decline' ? -changeOf(m, true) : -stepAt(m);
    // The spike lasts until the level is back: to the end of a gradual fall, to the start of a step down.
    const dropIsStepAt = -stepAt(m) >= 0.5 * gained;
    const raisedFor = (dropIsStepAt ? xs[fall.from]! : xs[fall.to]!) - xs[rise.from]!;
    if (lost < 0.5 * gained || raisedFor > 0.3 * duration) continue;
    for (let j = k; j < m; j++) segments[j]!.kind = 'spike';
    // The fall: its step ends the spike; what follows it is judged by its own slope.
    if (dropIsStepAt) fall.kind = classify(m, false);
    else fall.kind = 'spike';
    k = m - 1;
  }
  const first = segments[0]!;
  if (segments.length > 1 && Math.max(...ys.slice(first.from, first.to + 1)) < 0.25 * maxY) first.kind = 'init';

  const merged: Segment[] = [];
  for (const s of segments) {
    const last = merged[merged.length - 1];
    if (last && last.kind === s.kind) last.to = s.to;
    else merged.push({ ...s });
  }
  return merged.map(toPhase);

  function toPhase(s: Segment): Phase {
    const a = pos[s.from]!;
    const b = s.to === n - 1 ? series.length - 1 : pos[s.to]!; // trailing stale points belong to the last phase
    const f = fit(s.from, s.to);
    return {
      kind: s.kind as PhaseKind,
      start: a,
      end: b,
      startT: series[a]!.t,
      endT: series[b]!.t,
      startBytes: series[a]!.bytes,
      endBytes: series[b]!.bytes,
      slopeBytesPerSec: f.slope,
    };
  }
}

export type { PhaseKind, Phase };
