import type { MetricSample, RunEvent } from '../model/run.js';
import type { Lifetime, Report, ReportPhase, Restart, TargetReport } from '../model/report.js';
import { judgeLifetimes, mergeRestarts, splitLifetimes } from './lifetimes.js';
import { OVERHEAD_METRICS, decomposeOverhead } from './overhead.js';
import { segmentPhases } from './phases.js';
import { metricsAt, metricsLookup, type SeriesPoint } from './series.js';
import { formatMiB } from '../model/size.js';
import { allocationReport, goroutineReport, type GoroutineCounts } from './allocation.js';
import { growthContributors, type CallPath } from './root-causes.js';
import type { CatalogEntry, RuleSet } from '../model/alert-rules.js';
import { evaluateRules } from './alerts.js';
import { metricSeries } from './metric-series.js';
import { recommend } from './recommendations.js';
import { successMetrics } from './success-metrics.js';
import { DEFAULT_THRESHOLD_OPTIONS, recommendThresholds, type ThresholdOptions } from './thresholds.js';

/** What analysis needs of one target: its series and, per snapshot, the in-use bytes per call site. */
export interface TargetInput {
  readonly name: string;
  readonly series: readonly SeriesPoint[];
  readonly sites: readonly ReadonlyMap<string, number>[];
  /** Per snapshot: the sampling variance of each site's bytes (absent: estimated from the sampling period). */
  readonly siteVariances?: readonly ReadonlyMap<string, number>[];
  /** Per snapshot: in-use bytes per component. */
  readonly components: readonly ReadonlyMap<string, number>[];
  /** Per snapshot: in-use bytes per function (flat). */
  readonly functions: readonly ReadonlyMap<string, { readonly flat: number; readonly allocFlat: number }>[];
  /** The heaviest call paths of each component at the peak heap snapshot. */
  readonly peakPaths: ReadonlyMap<string, readonly CallPath[]>;
  /** Goroutine profiles, when collected: goroutines in all and per stack. */
  readonly goroutineProfiles: readonly GoroutineCounts[];
  readonly metrics: readonly MetricSample[];
  readonly samplingPeriodBytes: number;
  readonly intervalMs: number | null;
  /** The run's events about this target (restarts among them). */
  readonly events?: readonly RunEvent[];
}

export interface RunInput {
  readonly name: string;
  readonly start: string | null;
  readonly end: string | null;
  readonly layout: string;
  readonly toolVersion: string;
  /** A memory limit given by the user (--memory-limit), overriding any found in the metrics. */
  readonly memoryLimitBytes?: number | null;
  /** Component rules in order (for optimizable and notes). */
  readonly rules: readonly { readonly name: string; readonly optimizable: string; readonly note: string | null }[];
  readonly targets: readonly TargetInput[];
  /** Alert rules to evaluate (--alerts FILE, else the built-in pair); none: no alerts section. */
  readonly alertRules?: RuleSet | null;
  /** The recommendation catalog, in order. */
  readonly catalog?: readonly CatalogEntry[];
  readonly thresholdOptions?: ThresholdOptions;
  /** Success-metric targets: this much less peak heap and RSS (default 0.25). */
  readonly targetReduction?: number;
}

/** Run → Report, pure: no I/O, no clock; the same input gives the same report. */
export function analyzeRun(run: RunInput): Report {
  return {
    schemaVersion: 1,
    tool: { name: 'heaplens', version: run.toolVersion },
    run: { name: run.name, start: run.start, end: run.end, snapshots: run.targets.reduce((n, t) => n + t.series.length, 0), layout: run.layout },
    targets: run.targets.map((t) => analyzeTarget(t, run)),
  };
}

/** The scrape interval: as the manifest states it, else the median step of the RSS (or heap) samples. */
function intervalOf(t: TargetInput): number {
  if (t.intervalMs !== null && t.intervalMs > 0) return t.intervalMs;
  const rss = t.metrics.filter((m) => m.name === 'process_resident_memory_bytes').map((m) => m.t);
  const times = rss.length > 1 ? rss : t.series.map((p) => p.t);
  const steps = times.slice(1).map((x, i) => x - times[i]!).filter((d) => d > 0).sort((a, b) => a - b);
  return steps.length > 0 ? steps[steps.length >> 1]! : 10_000;
}

function analyzeTarget(t: TargetInput, run: RunInput): TargetReport {
  const rules = run.rules;
  const userLimit = run.memoryLimitBytes ?? null;
  const series = t.series;
  const values = series.map((p) => ({ t: p.t, bytes: p.heapInuseBytes, stale: p.stale, samplingError: p.heapSamplingErrorBytes }));
  // A restart starts the heap over: each process lifetime is segmented and judged on its own.
  const interval = intervalOf(t);
  const restarts = mergeRestarts(t.events ?? [], series, interval * 1.5);
  const startAt = metricsLookup(t.metrics, ['process_start_time_seconds']);
  const processStarts = series.map((p) => {
    const s = startAt(p.t, interval).get('process_start_time_seconds');
    return s === undefined ? null : s * 1000;
  });
  const judged = judgeLifetimes({ values, sites: t.sites, siteVariances: t.siteVariances, indices: series.map((p) => p.index), samplingPeriodBytes: t.samplingPeriodBytes, processStarts }, splitLifetimes(series, restarts));
  const { phases, verdict, window } = judged;
  const leakSuspects = judged.suspects.map(({ suspect, memberKeys }) => ({
    ...suspect,
    bytesOverTime: t.sites.map((sites) => memberKeys.reduce((sum, k) => sum + (sites.get(k) ?? 0), 0)),
  }));
  const peakHeap = series.reduce((best, p, i) => (p.heapInuseBytes > series[best]!.heapInuseBytes ? i : best), 0);
  const withRss = series.filter((p) => p.rssBytes !== null);
  const peakRss = withRss.reduce<SeriesPoint | null>((best, p) => (best === null || p.rssBytes! > best.rssBytes! ? p : best), null);
  const overhead =
    peakRss === null
      ? null
      : decomposeOverhead(peakRss.rssBytes!, peakRss.heapInuseBytes, metricsAt(t.metrics, OVERHEAD_METRICS, peakRss.t, (t.intervalMs ?? 10_000) / 2));
  const components = componentsAt(t.components[peakHeap] ?? new Map(), series[peakHeap]?.heapInuseBytes ?? 0, rules);
  // Growth contributors: from the first snapshot after init to the peak.
  const firstAfterInit = phases[0]?.kind === 'init' && phases.length > 1 ? phases[1]!.start : 0;
  const growthFrom = Math.min(firstAfterInit, peakHeap);
  // RSS phases too, when RSS was scraped (no staleness: RSS is read fresh each time).
  const rssValues = series.filter((p) => p.rssBytes !== null).map((p) => ({ t: p.t, bytes: p.rssBytes!, stale: false, index: p.index }));
  const rssPhases = rssValues.length >= 2 ? segmentPhases(rssValues).map(({ start, end, ...rest }) => ({ ...rest, startIndex: rssValues[start]!.index, endIndex: rssValues[end]!.index })) : [];
  const reportPhases: ReportPhase[] = phases.map(({ start, end, ...rest }) => ({ ...rest, startIndex: series[start]!.index, endIndex: series[end]!.index }));

  // Alerts, thresholds, recommendations and success metrics.
  const allSeries = metricSeries(t.metrics, series);
  const times = allSeries.flatMap((s) => [s.t[0]!, s.t[s.t.length - 1]!]);
  const alerts =
    run.alertRules && times.length > 0 ? evaluateRules(run.alertRules, allSeries, { start: Math.min(...times), end: Math.max(...times), intervalMs: interval }) : [];
  const thresholds = recommendThresholds({ series: allSeries, heapPhases: reportPhases, rssPhases, verdict, intervalMs: interval }, run.thresholdOptions ?? DEFAULT_THRESHOLD_OPTIONS);
  const overheadReport = overhead && peakRss ? { ...overhead, atSnapshot: peakRss.index } : null;
  const verdictReport = {
    ...verdict,
    startIndex: verdict.startIndex >= 0 ? series[verdict.startIndex]!.index : -1,
    endIndex: verdict.endIndex >= 0 ? series[verdict.endIndex]!.index : -1,
  };
  const goroutines = goroutineReport(series, t.metrics, t.intervalMs, t.goroutineProfiles);
  const functionsAtPeak = new Map([...(t.functions[peakHeap] ?? new Map())].map(([name, v]) => [name, v.flat]));
  const advice = recommend(run.catalog ?? [], {
    peakHeapBytes: series[peakHeap]?.heapInuseBytes ?? 0,
    peakRssBytes: peakRss?.rssBytes ?? null,
    components,
    componentPaths: t.peakPaths,
    functionsAtPeak,
    overheadParts: overhead?.parts ?? null,
    verdict,
    windowMs: window.length > 1 ? series[window[window.length - 1]!]!.t - series[window[0]!]!.t : 0,
    leakSuspects,
    goroutines: goroutines ? { growing: goroutines.growing, first: goroutines.first, last: goroutines.last, stacks: goroutines.growingStacks.map((g) => g.stack) } : null,
    staleSnapshots: staleCountOf(series),
    snapshots: series.length,
    alerts,
    thresholds,
  });
  const peak = {
    heapInuseBytes: series[peakHeap]?.heapInuseBytes ?? 0,
    heapSnapshot: series[peakHeap]?.index ?? -1,
    rssBytes: peakRss?.rssBytes ?? null,
  };
  return {
    name: t.name,
    peak,
    series,
    overhead: overheadReport,
    staleSnapshots: series.filter((p) => p.stale).length,
    components,
    componentsOverTime: series.map((p, i) => ({ index: p.index, t: p.t, bytes: Object.fromEntries([...(t.components[i] ?? new Map())].sort((a, b) => (a[0] < b[0] ? -1 : 1))) })),
    phases: reportPhases,
    rssPhases,
    keyFinding: keyFinding(verdict, components, leakSuspects, staleCountOf(series)) + restartFinding(restarts, judged.lifetimes.length, series[0]?.t ?? 0),
    verdict: verdictReport,
    leakSuspects,
    rootCauses: components
      .filter((c) => c.share >= 0.05)
      .slice(0, 5)
      .map((c) => ({ component: c.name, bytes: c.bytes, share: c.share, paths: t.peakPaths.get(c.name) ?? [] })),
    growth:
      series.length > 1
        ? {
            fromIndex: series[growthFrom]!.index,
            toIndex: series[peakHeap]!.index,
            fromBytes: series[growthFrom]!.heapInuseBytes,
            toBytes: series[peakHeap]!.heapInuseBytes,
            contributors: growthContributors(t.functions[growthFrom] ?? new Map(), t.functions[peakHeap] ?? new Map()),
          }
        : null,
    memoryLimit: memoryLimit(userLimit, t.metrics, series, verdict),
    restarts,
    lifetimes:
      judged.lifetimes.length > 1
        ? judged.lifetimes.map((l, k): Lifetime => ({
            startIndex: series[l.start]!.index,
            endIndex: series[l.end]!.index,
            snapshots: l.end - l.start + 1,
            verdict: l.verdict.kind,
            slopeBytesPerHour: l.verdict.slopeBytesPerHour,
            pValue: l.verdict.pValue,
            peakHeapBytes: Math.max(...series.slice(l.start, l.end + 1).map((p) => p.heapInuseBytes)),
            endedBy: k === judged.lifetimes.length - 1 ? null : (restarts.find((r) => r.t > series[l.end]!.t)?.reason ?? 'restart'),
          }))
        : [],
    allocation: allocationReport(series, t.functions),
    goroutines,
    alerts,
    thresholds,
    recommendations: advice.recommendations,
    nonViable: advice.nonViable,
    actionPlan: advice.actionPlan,
    successMetrics: successMetrics({ peak, series, verdict: verdictReport, overhead: overheadReport }, window, run.targetReduction ?? 0.25),
  };
}

/** Components at one snapshot, largest first; shares of that snapshot's heap (they add up to 1). */
function componentsAt(bytes: ReadonlyMap<string, number>, total: number, rules: RunInput['rules']): TargetReport['components'] {
  return [...bytes]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([name, b]) => {
      // A module-split component ("Module: github.com/x/y") takes its rule's hints.
      const rule = rules.find((r) => r.name === name || name.startsWith(`${r.name}: `));
      return { name, bytes: b, share: total > 0 ? b / total : 0, optimizable: rule?.optimizable ?? 'limited', note: rule?.note ?? null };
    });
}

/** Metrics that state a memory limit, in order of preference (the container's own limit first). */
const LIMIT_METRICS = ['container_spec_memory_limit_bytes', 'kube_pod_container_resource_limits', 'go_gc_gomemlimit_bytes'];

/**
 * The memory limit the process runs under, and when a growing heap reaches
 * it: from --memory-limit, else the container limit or GOMEMLIMIT when
 * scraped. Projected from the last RSS (or heap) at the steady slope, only
 * when the verdict is a leak.
 */
function memoryLimit(userLimit: number | null, metrics: readonly MetricSample[], series: readonly SeriesPoint[], verdict: { kind: string; slopeBytesPerHour: number }): TargetReport['memoryLimit'] {
  let limit: { bytes: number; source: string } | null = userLimit !== null ? { bytes: userLimit, source: '--memory-limit' } : null;
  for (const name of LIMIT_METRICS) {
    if (limit) break;
    // kube-state-metrics labels its limits by resource; take the memory one. GOMEMLIMIT's "no limit" is MaxInt64.
    const values = metrics.filter((m) => m.name === name && (m.labels.resource ?? 'memory') === 'memory' && m.value > 0 && m.value < 2 ** 62);
    if (values.length > 0) limit = { bytes: values[values.length - 1]!.value, source: name };
  }
  if (!limit || series.length === 0) return null;
  const last = series[series.length - 1]!;
  const current = last.rssBytes ?? last.heapInuseBytes;
  const hours = verdict.kind === 'leak' && verdict.slopeBytesPerHour > 0 ? Math.max(0, (limit.bytes - current) / verdict.slopeBytesPerHour) : null;
  return { bytes: limit.bytes, source: limit.source, currentBytes: current, timeToLimitHours: hours };
}

function staleCountOf(series: readonly SeriesPoint[]): number {
  return series.filter((p) => p.stale).length;
}

const mib = (b: number): string => formatMiB(b);

/** The executive summary's paragraph: the verdict and the evidence it rests on, in words. */
function keyFinding(
  verdict: { kind: string; reason: string },
  components: TargetReport['components'],
  suspects: readonly { function: string; stack: readonly string[]; growthBytes: number }[],
  stale: number,
): string {
  const parts: string[] = [];
  if (verdict.kind === 'leak') {
    const s = suspects[0];
    parts.push(`Memory leaks: ${verdict.reason}.`);
    if (s) parts.push(`Most of the growth (${mib(s.growthBytes)}) is allocated in ${s.function}${s.stack[1] ? ` called from ${s.stack[1]}` : ''}.`);
  } else if (verdict.kind === 'no-leak') parts.push(`No leak: ${verdict.reason}.`);
  else parts.push(`Inconclusive: ${verdict.reason}.`);
  const top = components[0];
  if (top) parts.push(`At the peak, the largest component is ${top.name} (${mib(top.bytes)}, ${(top.share * 100).toFixed(0)}% of the heap).`);
  if (stale > 0) parts.push(`${stale} snapshots were stale (no GC between them) and are not counted as evidence of stability.`);
  return parts.join(' ');
}

/** The key finding's sentence about restarts: how many, and what ended the containers. */
function restartFinding(restarts: readonly Restart[], lifetimes: number, t0: number): string {
  if (restarts.length === 0) return '';
  const reasons = restarts.map((r) => `${r.reason ?? 'restart'}${r.exitCode !== null ? ` (exit ${r.exitCode})` : ''} at +${Math.round((r.t - t0) / 1000)}s`);
  return ` The process restarted ${restarts.length} time${restarts.length > 1 ? 's' : ''}: ${reasons.join(', ')}; each of the ${lifetimes} lifetimes was judged on its own.`;
}
