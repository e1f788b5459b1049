import type { MetricSample } from '../model/run.js';
import { labelsKey, type Series } from './promql/evaluate.js';

/** The series heaplens adds from the profiles themselves, so rules can watch the heap where no metric was scraped. */
export const HEAP_SERIES_NAME = 'heaplens_heap_inuse_bytes';

/** Memory series the default rules and the thresholds watch, most telling first. */
export const MEMORY_METRICS = ['container_memory_working_set_bytes', 'process_resident_memory_bytes', HEAP_SERIES_NAME] as const;

/**
 * A target's metric samples as time series (name and labels → samples in
 * time order), plus heaplens_heap_inuse_bytes from the heap profiles.
 */
export function metricSeries(metrics: readonly MetricSample[], heap: readonly { readonly t: number; readonly heapInuseBytes: number }[]): Series[] {
  const byKey = new Map<string, { labels: Record<string, string>; t: number[]; v: number[] }>();
  const add = (labels: Record<string, string>, t: number, v: number): void => {
    const key = labelsKey(labels);
    let s = byKey.get(key);
    if (!s) byKey.set(key, (s = { labels, t: [], v: [] }));
    s.t.push(t);
    s.v.push(v);
  };
  for (const m of metrics) add({ ...m.labels, __name__: m.name }, m.t, m.value);
  for (const p of heap) add({ __name__: HEAP_SERIES_NAME }, p.t, p.heapInuseBytes);
  return [...byKey.values()].map((s) => {
    // Samples are written in time order; a merged directory might not be.
    const order = s.t.map((_, i) => i);
    if (s.t.some((t, i) => i > 0 && t < s.t[i - 1]!)) order.sort((a, b) => s.t[a]! - s.t[b]!);
    return { labels: s.labels, t: Float64Array.from(order, (i) => s.t[i]!), v: Float64Array.from(order, (i) => s.v[i]!) };
  });
}

/** The memory series to watch: the first of MEMORY_METRICS present, its longest series. */
export function memorySeries(series: readonly Series[]): { readonly name: string; readonly series: Series } | null {
  for (const name of MEMORY_METRICS) {
    const candidates = series.filter((s) => s.labels.__name__ === name && s.t.length > 0);
    if (candidates.length > 0) return { name, series: candidates.reduce((a, b) => (b.t.length > a.t.length ? b : a)) };
  }
  return null;
}
