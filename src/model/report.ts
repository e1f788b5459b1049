
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

export type PhaseKind = 'init' | 'rapid-growth' | 'steady-growth' | 'plateau' | 'spike' | 'decline';

export interface Phase {
  readonly kind: PhaseKind;
  /** Positions in the input series (first and last point of the phase). */
  readonly start: number;
  readonly end: number;
  readonly startT: number;
  readonly endT: number;
  readonly startBytes: number;
  readonly endBytes: number;
  /** Least-squares slope over the phase's points, bytes per second. */
  readonly slopeBytesPerSec: number;
}

export type VerdictKind = 'leak' | 'no-leak' | 'inconclusive';

/** report.json's `verdict`: the decision, the window it was made on, and its evidence. */
export interface Verdict {
  readonly kind: VerdictKind;
  /** Series positions of the steady window (first and last point), -1 when there is none. */
  readonly startIndex: number;
  readonly endIndex: number;
  /** Theil–Sen slope over the window, bytes per hour, and its 95% interval. */
  readonly slopeBytesPerHour: number;
  readonly slopeLowBytesPerHour: number;
  readonly slopeHighBytesPerHour: number;
  /** Mann–Kendall two-sided p-value of a trend in the window. */
  readonly pValue: number;
  /** Non-stale snapshots in the window: the evidence the decision rests on. */
  readonly points: number;
  readonly reason: string;
}

/** report.json's `leakSuspects` entries. */
export interface LeakSuspect {
  /** The allocating function (leaf of the call site). */
  readonly function: string;
  /** The call site, leaf first, recursion collapsed: the allocating function and its nearest distinct callers. */
  readonly stack: readonly string[];
  /** Bytes gained over the window (Theil–Sen slope × window length). */
  readonly growthBytes: number;
  readonly startBytes: number;
  readonly endBytes: number;
  /** Spearman rank correlation of the site's bytes with time over the window: 1 is a steady rise. */
  readonly rho: number;
}

/** One heap snapshot of a target's series, as report.json's `series` entries. */
export interface SeriesPoint {
  readonly index: number;
  /** Unix ms. */
  readonly t: number;
  readonly heapInuseBytes: number;
  readonly heapInuseObjects: number;
  readonly allocBytes: number;
  readonly allocObjects: number;
  /** process_resident_memory_bytes scraped with the snapshot, null when none was. */
  readonly rssBytes: number | null;
  /** go_memstats_num_gc scraped with the snapshot, null when none was. */
  readonly numGc: number | null;
  /**
   * The profile shows the same heap as the previous snapshot because no GC
   * ran in between: not a measurement of stability. The evidence is the
   * profile itself (identical samples); a GC count scraped alongside and
   * unchanged corroborates it ('both'). The GC count alone is not enough:
   * it is read a moment apart from the profile, and a GC can fall between.
   */
  readonly stale: boolean;
  readonly staleEvidence: 'identical-profile' | 'both' | null;
}

/**
 * RSS − heap, decomposed from the Go runtime's own accounting
 * (runtime.MemStats, as scraped from go_memstats_*), instead of being
 * declared "typical". The parts add up to RSS − heap exactly: what the
 * runtime does not account for is the non-Go remainder.
 */
export interface OverheadPart {
  readonly name: string;
  readonly bytes: number;
}

export interface Overhead {
  /** RSS − heap (the heap as the profile measured it). */
  readonly bytes: number;
  /** Of RSS. */
  readonly share: number;
  readonly parts: readonly OverheadPart[];
}

export interface CallPath {
  /** Function names, leaf first, recursion collapsed. */
  readonly stack: readonly string[];
  readonly bytes: number;
}

export interface GrowthContributor {
  readonly function: string;
  readonly fromBytes: number;
  readonly toBytes: number;
  readonly deltaBytes: number;
}

/**
 * Allocation rate (the GC pressure behind RSS) from the cumulative
 * alloc_space of successive heap profiles, and where it comes from.
 */
export interface AllocationReport {
  /** Between successive non-stale snapshots (alloc_* only move at a GC). */
  readonly series: readonly { readonly index: number; readonly t: number; readonly bytesPerSec: number; readonly objectsPerSec: number }[];
  readonly meanBytesPerSec: number;
  readonly peakBytesPerSec: number;
  /** Functions allocating most over the run (alloc_space gained, flat). */
  readonly topFunctions: readonly { readonly function: string; readonly bytes: number; readonly bytesPerSec: number }[];
}

/** Goroutine count over the run (go_goroutines scraped with each snapshot) and whether it keeps rising. */
export interface GoroutineReport {
  /** Where the counts come from: 'goroutine profiles' or 'go_goroutines'. */
  readonly source: string;
  /** Stacks whose goroutine count rises steadily (from goroutine profiles): leaked goroutines wait here. Counts, not bytes. */
  readonly growingStacks: readonly { readonly stack: readonly string[]; readonly from: number; readonly to: number; readonly growth: number; readonly rho: number }[];
  readonly series: readonly { readonly index: number; readonly t: number; readonly count: number }[];
  readonly first: number;
  readonly last: number;
  readonly peak: number;
  /** A Mann–Kendall upward trend (p < 0.05) with a Theil–Sen slope interval above zero: goroutines leak. */
  readonly growing: boolean;
  readonly pValue: number;
  readonly slopePerHour: number;
}
