import type { Overhead } from '../analyze/overhead.js';
import type { Phase } from '../analyze/phases.js';
import type { SeriesPoint } from '../analyze/series.js';
import type { LeakSuspect } from '../analyze/suspects.js';
import type { CallPath, GrowthContributor } from '../analyze/root-causes.js';
import type { AllocationReport, GoroutineReport } from '../analyze/allocation.js';
import type { Verdict } from '../analyze/verdict.js';

/**
 * report.json: a contract with CI users (DESIGN.md). Field names are fixed
 * once shipped; sections still to come (components, alerts,
 * recommendations) are present and empty, so consumers can rely on them.
 */
export interface Report {
  readonly schemaVersion: 1;
  readonly tool: { readonly name: 'heaplens'; readonly version: string };
  readonly run: { readonly name: string; readonly start: string | null; readonly end: string | null; readonly snapshots: number; readonly layout: string };
  readonly targets: readonly TargetReport[];
}

export interface TargetReport {
  readonly name: string;
  readonly peak: { readonly heapInuseBytes: number; readonly heapSnapshot: number; readonly rssBytes: number | null };
  readonly series: readonly SeriesPoint[];
  /** At the snapshot of peak RSS; null without RSS or runtime metrics. */
  readonly overhead: (Overhead & { readonly atSnapshot: number }) | null;
  readonly staleSnapshots: number;
  /** At the peak heap snapshot: each byte in exactly one component (first matching rule), shares add up to 1. */
  readonly components: readonly { readonly name: string; readonly bytes: number; readonly share: number; readonly optimizable: string; readonly note: string | null }[];
  readonly componentsOverTime: readonly { readonly index: number; readonly t: number; readonly bytes: Readonly<Record<string, number>> }[];
  readonly phases: readonly ReportPhase[];
  /** The RSS series segmented the same way, when RSS was scraped. */
  readonly rssPhases: readonly ReportPhase[];
  /** The executive summary's paragraph: verdict and evidence in words. */
  readonly keyFinding: string;
  readonly verdict: Verdict;
  readonly leakSuspects: readonly LeakSuspect[];
  /** The largest components at the peak (≥ 5% of heap) with their heaviest call paths, leaf first. */
  readonly rootCauses: readonly { readonly component: string; readonly bytes: number; readonly share: number; readonly paths: readonly CallPath[] }[];
  /** What grew from the first snapshot after init to the peak, by function (flat bytes). */
  readonly growth: {
    readonly fromIndex: number;
    readonly toIndex: number;
    readonly fromBytes: number;
    readonly toBytes: number;
    readonly contributors: readonly GrowthContributor[];
  } | null;
  /** The memory limit and, for a leak, the hours until the steady slope reaches it from the last RSS (heap when no RSS). */
  readonly memoryLimit: { readonly bytes: number; readonly source: string; readonly currentBytes: number; readonly timeToLimitHours: number | null } | null;
  readonly allocation: AllocationReport | null;
  readonly goroutines: GoroutineReport | null;
  readonly alerts: readonly unknown[];
  readonly recommendations: readonly unknown[];
}

/** A phase with snapshot indices (as the run numbers them) instead of series positions. */
export interface ReportPhase extends Omit<Phase, 'start' | 'end'> {
  readonly startIndex: number;
  readonly endIndex: number;
}
