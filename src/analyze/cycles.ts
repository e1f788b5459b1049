/**
 * Resets and cycles: memory that is released, suddenly and for real.
 *
 * A work queue flushed every 18 s, a log compacted every N entries, a batch
 * job that frees its data: each rises and then drops back. A rise after such
 * a drop is memory being taken again, not memory kept, so a leak among them
 * shows in what survives the drops — the troughs rising from cycle to cycle —
 * not in any one rise. A reset is a drop between two successive measurements
 * that is (a) an outlier among the series' own successive differences (below
 * their median by more than RESET_Z trimmed standard deviations: the series'
 * fast noise does not make it) and (b) measured by enough samples to be
 * real: a drop of D bytes rests on about D / period sampled objects freed, a
 * Poisson count, so D must exceed RESET_Z·√(D × period), i.e. D > RESET_Z² ×
 * period (8 MiB at Go's default 512 KiB).
 */
import { trimmedScale } from './noise.js';

/** How many standard deviations a drop must lie beyond the noise to be a reset. */
export const RESET_Z = 4;

export interface Reset {
  /** Position (in the measured points) of the first point after the drop. */
  readonly at: number;
  readonly dropBytes: number;
}

/** The resets of a series of measurements (stale points already removed). */
export function findResets(ys: readonly number[], samplingPeriodBytes: number): Reset[] {
  if (ys.length < 3) return [];
  const diffs = ys.slice(1).map((y, i) => y - ys[i]!);
  const sorted = [...diffs].sort((a, b) => a - b);
  const m = sorted.length >> 1;
  const center = sorted.length % 2 ? sorted[m]! : (sorted[m - 1]! + sorted[m]!) / 2;
  const scale = trimmedScale(diffs);
  const out: Reset[] = [];
  const minDrop = RESET_Z * RESET_Z * samplingPeriodBytes;
  diffs.forEach((d, i) => {
    if (d < center - RESET_Z * scale && -d > minDrop) out.push({ at: i + 1, dropBytes: -d });
  });
  return out;
}

export interface Cycles {
  readonly resets: readonly Reset[];
  /** Per cycle from the first reset on: the position of its lowest point (what survived the reset). */
  readonly troughs: readonly number[];
  /** Per cycle, the one before the first reset included: the position of its highest point. */
  readonly peaks: readonly number[];
  /** Median time between resets (ms), null with fewer than two. */
  readonly periodMs: number | null;
  /** Median drop at a reset. */
  readonly amplitudeBytes: number;
}

/** Cycles of a series cut at its resets: each cycle runs from one reset to the next. */
export function describeCycles(xs: readonly number[], ys: readonly number[], resets: readonly Reset[]): Cycles {
  const bounds = [0, ...resets.map((r) => r.at), ys.length];
  const troughs: number[] = [];
  const peaks: number[] = [];
  for (let k = 0; k + 1 < bounds.length; k++) {
    const from = bounds[k]!;
    const to = bounds[k + 1]! - 1;
    if (to < from) continue;
    let lo = from;
    let hi = from;
    for (let i = from; i <= to; i++) {
      if (ys[i]! < ys[lo]!) lo = i;
      if (ys[i]! > ys[hi]!) hi = i;
    }
    peaks.push(hi);
    if (k > 0) troughs.push(lo);
  }
  const gaps = resets.slice(1).map((r, i) => xs[r.at]! - xs[resets[i]!.at]!);
  return { resets, troughs, peaks, periodMs: gaps.length > 0 ? medianOf(gaps) : null, amplitudeBytes: medianOf(resets.map((r) => r.dropBytes)) };
}

function medianOf(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
