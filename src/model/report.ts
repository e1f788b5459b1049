import type { Overhead } from '../analyze/overhead.js';
import type { Phase } from '../analyze/phases.js';
import type { SeriesPoint } from '../analyze/series.js';
import type { LeakSuspect } from '../analyze/suspects.js';
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
  readonly verdict: Verdict;
  readonly leakSuspects: readonly LeakSuspect[];
  readonly alerts: readonly unknown[];
  readonly recommendations: readonly unknown[];
}

/** A phase with snapshot indices (as the run numbers them) instead of series positions. */
export interface ReportPhase extends Omit<Phase, 'start' | 'end'> {
  readonly startIndex: number;
  readonly endIndex: number;
}
