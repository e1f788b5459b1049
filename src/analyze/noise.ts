/**
 * Robust scales for memory series.
 *
 * Heap series carry outliers by nature: a reset, a step, a spike. Their
 * scales are therefore trimmed standard deviations: the largest quarter of
 * the deviations from the median is ignored, and the rest corrected so that
 * a normal sample gives its σ. (The median absolute deviation would ignore
 * half, but heap sizes move in steps of one sample, ~512 KiB, and more than
 * half of the successive differences of a quiet heap can be exactly zero.)
 *
 * `stepNoise` is the short-range noise: the scale of successive differences
 * divided by √2, what one measurement scatters by around its neighbours.
 * It is what a phase boundary must stand out from. It is not the whole noise
 * of a heap profile: a cache of fixed true size wanders by several MiB over
 * tens of seconds, because its long-lived objects keep their sampled status
 * from snapshot to snapshot. That slower wander is handled where decisions
 * are made: phase bands include the profile's sampling uncertainty
 * √(level × period), and the verdict's trend tests and slope intervals are
 * corrected for the autocorrelation they find in their own window (Hamed &
 * Rao 1998).
 */
import { normalQuantile } from './stats.js';

/** Share of the largest deviations a trimmed scale ignores. */
export const TRIM = 0.25;

/** E[x² | |x| below its (1 − trim) two-sided quantile] for a standard normal. */
export function trimmedNormalVariance(trim: number): number {
  const q = normalQuantile(1 - trim / 2);
  const density = Math.exp((-q * q) / 2) / Math.sqrt(2 * Math.PI);
  return 1 - (2 * q * density) / (1 - trim);
}
const TRIMMED_VARIANCE = trimmedNormalVariance(TRIM);

/**
 * Standard deviation of `values` around their median, ignoring the largest
 * TRIM share of the deviations and corrected so that a normal sample gives its σ.
 */
export function trimmedScale(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const m = sorted.length >> 1;
  const center = sorted.length % 2 ? sorted[m]! : (sorted[m - 1]! + sorted[m]!) / 2;
  const dev = values.map((v) => Math.abs(v - center)).sort((a, b) => a - b);
  const keep = Math.max(1, Math.ceil(dev.length * (1 - TRIM)));
  let sum = 0;
  for (let i = 0; i < keep; i++) sum += dev[i]! * dev[i]!;
  return Math.sqrt(sum / keep / TRIMMED_VARIANCE);
}

/**
 * The short-range noise of a series of measurements (stale points already
 * removed): the trimmed scale of successive differences over √2, at least
 * `floor` (identical values have no measurable noise, but their measurements
 * still have a resolution).
 */
export function stepNoise(ys: readonly number[], floor = 1): number {
  if (ys.length < 3) return floor;
  const diffs = ys.slice(1).map((y, i) => y - ys[i]!);
  return Math.max(trimmedScale(diffs) / Math.SQRT2, floor);
}
