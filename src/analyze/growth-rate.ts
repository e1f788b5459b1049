import { linearRegression } from './promql/evaluate.js';

export interface RatePoint {
  /** Unix ms. */
  readonly t: number;
  /** Bytes per second; null until the window holds two points. */
  readonly bytesPerSec: number | null;
}

/**
 * Growth rate as `deriv(x[window])` would give it at each sample: the
 * least-squares slope of the points in (t − window, t] — Prometheus 2.x
 * includes both ends of a range, and a sample exactly `window` old is
 * included here too. Intercept at the first point, as Prometheus computes
 * deriv, so the floats are the same bit for bit. The series the alerts watch, drawn.
 */
export function growthRate(points: readonly { readonly t: number; readonly bytes: number }[], windowMs = 300_000): RatePoint[] {
  const t = Float64Array.from(points, (p) => p.t);
  const v = Float64Array.from(points, (p) => p.bytes);
  const out: RatePoint[] = [];
  let from = 0;
  for (let i = 0; i < points.length; i++) {
    while (t[from]! < t[i]! - windowMs) from++;
    out.push({ t: t[i]!, bytesPerSec: i - from >= 1 ? linearRegression(t.subarray(from, i + 1), v.subarray(from, i + 1), t[from]!)[0] : null });
  }
  return out;
}

/**
 * The memory growth a report draws: of RSS when at least two RSS readings
 * were scraped (what the default alerts watch), else of the profiles' heap,
 * as deriv over `windowMs` at each reading.
 */
export function watchedGrowth(series: readonly { readonly t: number; readonly heapInuseBytes: number; readonly rssBytes: number | null }[], windowMs = 300_000): { readonly source: 'rss' | 'heap'; readonly rates: RatePoint[] } {
  const rss = series.filter((p) => p.rssBytes !== null);
  return rss.length >= 2
    ? { source: 'rss', rates: growthRate(rss.map((p) => ({ t: p.t, bytes: p.rssBytes! })), windowMs) }
    : { source: 'heap', rates: growthRate(series.map((p) => ({ t: p.t, bytes: p.heapInuseBytes })), windowMs) };
}
