import type { SeriesPoint } from '../model/report.js';
import type { MetricSample } from '../model/run.js';
import type { HeapSummary } from './snapshot-summary.js';

export interface SnapshotInput {
  readonly index: number;
  readonly t: number;
  readonly summary: HeapSummary;
}

/**
 * Builds a target's heap series: totals from each summary, RSS and num_gc
 * from the metric scrape nearest each snapshot (within half an interval), and
 * stale marks from identical fingerprints (corroborated by an unchanged GC count when scraped).
 */
export function buildSeries(snapshots: readonly SnapshotInput[], metrics: readonly MetricSample[], intervalMs: number | null): SeriesPoint[] {
  const tolerance = (intervalMs ?? 10_000) / 2;
  const rss = metricSeries(metrics, 'process_resident_memory_bytes');
  const numGc = metricSeries(metrics, 'go_memstats_num_gc');
  const out: SeriesPoint[] = [];
  snapshots.forEach((s, i) => {
    const gc = nearest(numGc, s.t, tolerance);
    const prev = i > 0 ? snapshots[i - 1]! : null;
    const prevGc = i > 0 ? out[i - 1]!.numGc : null;
    const identical = prev !== null && prev.summary.fingerprint === s.summary.fingerprint;
    const noGc = gc !== null && prevGc !== null && gc === prevGc;
    out.push({
      index: s.index,
      t: s.t,
      heapInuseBytes: s.summary.inuseBytes,
      heapSamplingErrorBytes: Math.sqrt(s.summary.inuseVariance),
      heapInuseObjects: s.summary.inuseObjects,
      allocBytes: s.summary.allocBytes,
      allocObjects: s.summary.allocObjects,
      rssBytes: nearest(rss, s.t, tolerance),
      numGc: gc,
      stale: identical,
      staleEvidence: identical ? (noGc ? 'both' : 'identical-profile') : null,
    });
  });
  return out;
}

interface TimedValues {
  readonly t: Float64Array;
  readonly v: Float64Array;
}

/** One unlabelled metric's samples in time order (the first series when several carry the name). */
function metricSeries(metrics: readonly MetricSample[], name: string): TimedValues {
  const picked = metrics.filter((m) => m.name === name).sort((a, b) => a.t - b.t);
  return { t: Float64Array.from(picked, (m) => m.t), v: Float64Array.from(picked, (m) => m.value) };
}

/** Value of the sample nearest to t, if one lies within the tolerance. */
function nearest(series: TimedValues, t: number, tolerance: number): number | null {
  const { t: ts, v } = series;
  if (ts.length === 0) return null;
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ts[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  let best = -1;
  for (const j of [lo - 1, lo]) {
    if (j >= 0 && j < ts.length && (best < 0 || Math.abs(ts[j]! - t) < Math.abs(ts[best]! - t))) best = j;
  }
  return Math.abs(ts[best]! - t) <= tolerance ? v[best]! : null;
}

/** The metrics scraped nearest to `t` (within the tolerance), by name: what the target reported with a snapshot. */
export function metricsAt(metrics: readonly MetricSample[], names: readonly string[], t: number, tolerance: number): Map<string, number> {
  return metricsLookup(metrics, names)(t, tolerance);
}

/** metricsAt for many times: the named series are picked out once, then each lookup is a binary search. */
export function metricsLookup(metrics: readonly MetricSample[], names: readonly string[]): (t: number, tolerance: number) => Map<string, number> {
  const series = names.map((name) => [name, metricSeries(metrics, name)] as const);
  return (t, tolerance) => {
    const out = new Map<string, number>();
    for (const [name, s] of series) {
      const v = nearest(s, t, tolerance);
      if (v !== null) out.set(name, v);
    }
    return out;
  };
}

export type { SeriesPoint };
