import type { AllocationReport, GoroutineReport } from '../model/report.js';
import type { MetricSample } from '../model/run.js';
import { metricsLookup, type SeriesPoint } from './series.js';
import { mannKendall, theilSen } from './stats.js';
import { rankRisingStacks } from './suspects.js';

export function allocationReport(series: readonly SeriesPoint[], functions: readonly ReadonlyMap<string, { readonly allocFlat: number }>[]): AllocationReport | null {
  const live = series.map((p, i) => ({ p, i })).filter(({ p }) => !p.stale);
  if (live.length < 2) return null;
  const points = live.slice(1).map(({ p }, k) => {
    const prev = live[k]!.p;
    const dt = (p.t - prev.t) / 1000;
    return { index: p.index, t: p.t, bytesPerSec: (p.allocBytes - prev.allocBytes) / dt, objectsPerSec: (p.allocObjects - prev.allocObjects) / dt };
  });
  const first = live[0]!;
  const last = live[live.length - 1]!;
  const seconds = (last.p.t - first.p.t) / 1000;
  const from = functions[first.i] ?? new Map();
  const to = functions[last.i] ?? new Map();
  const topFunctions = [...to]
    .map(([name, v]) => ({ function: name, bytes: v.allocFlat - (from.get(name)?.allocFlat ?? 0) }))
    .filter((f) => f.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes || (a.function < b.function ? -1 : 1))
    .slice(0, 8)
    .map((f) => ({ ...f, bytesPerSec: f.bytes / seconds }));
  return {
    series: points,
    meanBytesPerSec: (last.p.allocBytes - first.p.allocBytes) / seconds,
    peakBytesPerSec: Math.max(...points.map((p) => p.bytesPerSec)),
    topFunctions,
  };
}

/** One goroutine profile's counts (see summarizeGoroutines). */
export interface GoroutineCounts {
  readonly index: number;
  readonly t: number;
  readonly count: number;
  readonly stacks: ReadonlyMap<string, number>;
}

/**
 * Goroutine count over the run — from goroutine profiles when collected (and
 * then the stacks whose goroutines keep piling up, the usual shape of a
 * goroutine leak), else from go_goroutines scraped with each heap snapshot.
 */
export function goroutineReport(
  series: readonly SeriesPoint[],
  metrics: readonly MetricSample[],
  intervalMs: number | null,
  profiles: readonly GoroutineCounts[] = [],
): GoroutineReport | null {
  const fromProfiles = profiles.length >= 2;
  const goroutinesAt = metricsLookup(metrics, ['go_goroutines']);
  const points = fromProfiles
    ? profiles.map((p) => ({ index: p.index, t: p.t, count: p.count }))
    : series
        .map((p) => ({ index: p.index, t: p.t, count: goroutinesAt(p.t, (intervalMs ?? 10_000) / 2).get('go_goroutines') }))
        .filter((p): p is { index: number; t: number; count: number } => p.count !== undefined);
  if (points.length < 2) return null;
  const counts = points.map((p) => p.count);
  const mk = mannKendall(counts);
  const ts = theilSen(points.map((p) => p.t), counts);
  // A stack counts as growing when its goroutines rise steadily by more than a couple.
  const growingStacks = fromProfiles
    ? rankRisingStacks(
        profiles.map((p) => ({ t: p.t, sites: p.stacks })),
        2,
      ).map((s) => ({ stack: s.stack, from: s.start, to: s.end, growth: s.growth, rho: s.rho }))
    : [];
  return {
    source: fromProfiles ? 'goroutine profiles' : 'go_goroutines',
    series: points,
    first: counts[0]!,
    last: counts[counts.length - 1]!,
    peak: Math.max(...counts),
    growing: mk.p < 0.05 && mk.s > 0 && ts.low > 0,
    pValue: mk.p,
    slopePerHour: ts.slope * 3_600_000,
    growingStacks,
  };
}
