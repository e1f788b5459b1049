
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
  /** Alert rules (--alerts FILE, else the seed's default pair) evaluated over the run's series. */
  readonly alerts: readonly AlertResult[];
  /** Alert thresholds this run supports, and how they fare on it. Null without any memory series. */
  readonly thresholds: Thresholds | null;
  /** Catalog actions that apply to this run, best first, each with its evidence and estimated saving. */
  readonly recommendations: readonly Recommendation[];
  /** Catalog actions considered and rejected, with the run's numbers that rule them out. */
  readonly nonViable: readonly Recommendation[];
  readonly actionPlan: readonly ActionPlanPhase[];
  readonly successMetrics: SuccessMetrics;
  /** The process restarted (a new start time, a container restart, a replaced pod), in time order. */
  readonly restarts: readonly Restart[];
  /** With restarts: each process lifetime judged on its own (the verdict above is the leaking one, else the last). */
  readonly lifetimes: readonly Lifetime[];
}

export interface Restart {
  /** Unix ms when it was seen. */
  readonly t: number;
  /** The first snapshot after it (-1 when none was taken). */
  readonly index: number;
  readonly kind: 'target-restarted' | 'pod-restarted' | 'pod-replaced';
  /** The pod that runs from here (Kubernetes targets), and the one before. */
  readonly pod: string | null;
  readonly previousPod: string | null;
  /** Why the previous container ended (OOMKilled, Error, Completed...), and its exit code, when the cluster said. */
  readonly reason: string | null;
  readonly exitCode: number | null;
  readonly message: string;
}

export interface Lifetime {
  readonly startIndex: number;
  readonly endIndex: number;
  readonly snapshots: number;
  readonly verdict: VerdictKind;
  readonly slopeBytesPerHour: number;
  readonly pValue: number;
  readonly peakHeapBytes: number;
  /** How it ended: the next restart's reason (OOMKilled...), "restart" without one, null for the last. */
  readonly endedBy: string | null;
}

/** One alerting rule evaluated over the run, evaluation after evaluation, as Prometheus would have. */
export interface AlertResult {
  readonly name: string;
  readonly group: string;
  /** "built-in" or the rule file's path. */
  readonly source: string;
  readonly expr: string;
  readonly forSeconds: number;
  readonly keepFiringForSeconds: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** fired; pending (active, never long enough to fire); inactive; no-data (the metrics it needs were not collected). */
  readonly state: 'fired' | 'pending' | 'inactive' | 'no-data';
  readonly fired: boolean;
  /** Unix ms. */
  readonly firstActiveAt: number | null;
  readonly firstFiredAt: number | null;
  readonly firingEvaluations: number;
  /** The expression's largest value while the alert was active (Prometheus' $value). */
  readonly maxValue: number | null;
  readonly unit: 'bytes' | 'bytes/s' | null;
  /** For `quantity OP constant` rules: the threshold and the quantity's extremes over the run. */
  readonly threshold: { readonly op: string; readonly value: number; readonly observedMax: number | null; readonly observedMin: number | null } | null;
  /** Firing periods (unix ms of the first and last firing evaluation) per alert label set. */
  readonly firing: readonly { readonly labels: Readonly<Record<string, string>>; readonly from: number; readonly to: number }[];
  readonly lastEvaluation: number | null;
}

/**
 * Alert thresholds recommended from the run: the peak with headroom, growth
 * above the largest windowed slope after warm-up, and `for` longer than the
 * longest spike — so this run's normal behaviour would not alert.
 */
export interface Thresholds {
  /** The series the rules watch (working set, else RSS, else heaplens' heap series). */
  readonly metric: string;
  readonly windowSeconds: number;
  readonly forSeconds: number;
  readonly forBasis: string;
  readonly peak: { readonly bytes: number; readonly observedBytes: number; readonly headroom: number; readonly basis: string };
  readonly growth: { readonly bytesPerSec: number; readonly observedBytesPerSec: number | null; readonly basis: string };
  /** Unix ms when the warm-up (init or rapid growth at the start) ended. */
  readonly warmupEnd: number | null;
  /** The recommended rules, as `heaplens rules` writes them. */
  readonly rules: readonly { readonly alert: string; readonly expr: string; readonly for: string; readonly summary: string }[];
  /** The recommended rules evaluated over this run. */
  readonly onThisRun: readonly AlertResult[];
}

export type Effort = 'low' | 'medium' | 'high';
export type Risk = 'none' | 'low' | 'medium' | 'high';

export interface Recommendation {
  readonly id: string;
  readonly title: string;
  /** 1 is first. Non-viable entries have 0. */
  readonly priority: number;
  readonly action: string;
  readonly effort: Effort;
  readonly risk: Risk;
  /** Midpoint of the range below; 0 for actions that save no bytes (alert tuning, collection quality). */
  readonly estimatedSavingsBytes: number;
  readonly savingsLowBytes: number;
  readonly savingsHighBytes: number;
  readonly savingsBasis: string;
  readonly evidence: RecommendationEvidence;
  readonly viable: boolean;
  /** Why it is not viable on this run's numbers (non-viable entries). */
  readonly reason: string | null;
}

export interface RecommendationEvidence {
  /** What the catalog entry matched: a component, functions, an overhead part, the verdict... */
  readonly kind: 'component' | 'functions' | 'overhead' | 'leak' | 'goroutines' | 'stale' | 'alerts';
  readonly subject: string;
  readonly bytes: number;
  /** Of the peak heap (overhead: of peak RSS). */
  readonly share: number;
  /** The heaviest frames behind the bytes, leaf first. */
  readonly frames: readonly string[];
  readonly detail: string;
}

export interface ActionPlanPhase {
  readonly phase: string;
  readonly items: readonly { readonly id: string; readonly text: string }[];
}

/** Baseline figures of this run and the targets a later run (`compare`) is checked against. */
export interface SuccessMetrics {
  readonly baseline: {
    readonly peakHeapBytes: number;
    readonly peakRssBytes: number | null;
    /** Median heap over the steady window, null without one. */
    readonly steadyHeapBytes: number | null;
    readonly steadySlopeBytesPerHour: number;
    readonly overheadBytes: number | null;
    readonly verdict: VerdictKind;
  };
  readonly targets: readonly { readonly metric: 'peakHeapBytes' | 'peakRssBytes' | 'steadyHeapBytes'; readonly baseline: number; readonly target: number; readonly reduction: number }[];
  /** A leak run's target is no leak. */
  readonly leakFree: boolean;
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

/**
 * The verdict rule that decided (src/analyze/verdict.ts, in order):
 * too-few-points, troughs-rise (cyclic heap, leak), heap-grows (leak),
 * growth-unexplained (inconclusive: the heap grows, but no call site holds
 * never-released memory that still rises), site-grows (leak shown by one
 * site or caller), declines, bounded (no-leak with growth ruled out),
 * unresolved (inconclusive: growth that would matter cannot be ruled out yet).
 */
export type VerdictRule = 'too-few-points' | 'troughs-rise' | 'heap-grows' | 'growth-unexplained' | 'site-grows' | 'declines' | 'bounded' | 'unresolved';

/** report.json's `verdict`: the decision, the window it was made on, and its evidence. */
export interface Verdict {
  readonly kind: VerdictKind;
  readonly rule: VerdictRule;
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
  /** The allocating function (leaf of the call site), or the caller that groups several growing sites. */
  readonly function: string;
  /** The call site, leaf first, recursion collapsed: the allocating function and its nearest distinct callers (for a caller: it and its callers). */
  readonly stack: readonly string[];
  /** A call site, or a caller whose growth is spread over several call sites (pprof's cum). */
  readonly kind: 'site' | 'caller';
  /** Call sites summed: 1 for a site. */
  readonly sites: number;
  /** For a caller: the allocating functions of its sites (up to five). */
  readonly memberFunctions: readonly string[];
  /** Bytes gained: over the window (Theil–Sen slope × window length) when rising now, else over the lifetime (held since). */
  readonly growthBytes: number;
  /** Bytes at the window's first and last snapshot. */
  readonly startBytes: number;
  readonly endBytes: number;
  /** Spearman rank correlation of the bytes with time over the window: 1 is a steady rise. */
  readonly rho: number;
  /** Rising over the window: a significant trend (Hamed–Rao Mann–Kendall, Bonferroni over the sites tested), interval above zero, gain beyond the site's sampling uncertainty. */
  readonly risingNow: boolean;
  /** Theil–Sen slope over the window, bytes per hour, with its 95% interval (widened for autocorrelation). */
  readonly slopeBytesPerHour: number;
  readonly slopeLowBytesPerHour: number;
  readonly slopeHighBytesPerHour: number;
  readonly pValue: number;
  /** What it did over the whole lifetime: never released (the leak's signature) or released before (bounded by its cycle). */
  readonly history: SuspectHistory;
  /** The first snapshot of the window the trend was measured on. */
  readonly windowStartIndex: number;
  /** The bytes at every snapshot of the target's series (same order): the suspect's sparkline. */
  readonly bytesOverTime: readonly number[];
}

export interface SuspectHistory {
  readonly kind: 'never-released' | 'released-before';
  /** Bytes gained from the lowest point before the peak to the peak. */
  readonly grewBytes: number;
  /** Position (among measured snapshots) and snapshot index where it reached its peak level (within sampling uncertainty). */
  readonly grewUntil: number;
  readonly grewUntilIndex: number;
  /** Bytes given back over bytes taken, snapshot to snapshot: near 0 for a leak, near 1 for a churning cache. */
  readonly givenBackShare: number;
  /** Released before in drops of at least half its range (a sawtooth): how often, how regularly, how much. */
  readonly cycle: { readonly releases: number; readonly periodSeconds: number | null; readonly amplitudeBytes: number } | null;
}

/** One heap snapshot of a target's series, as report.json's `series` entries. */
export interface SeriesPoint {
  readonly index: number;
  /** Unix ms. */
  readonly t: number;
  readonly heapInuseBytes: number;
  /** The profile's sampling standard error of heapInuseBytes, from its own object sizes (snapshot-summary.ts samplingVariance). */
  readonly heapSamplingErrorBytes: number;
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
