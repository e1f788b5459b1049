/**
 * compare.json: two sides (each one run or several repeated runs) compared
 * target by target, with the noise each change must clear to count.
 */
export interface Comparison {
  readonly schemaVersion: 1;
  readonly tool: { readonly name: 'heaplens'; readonly version: string };
  readonly base: { readonly runs: readonly string[] };
  readonly new: { readonly runs: readonly string[] };
  /** The significance rule, in words. */
  readonly rule: string;
  /** Peak-heap growth (fraction of the base) beyond which a significant regression fails the gate. */
  readonly maxRegression: number;
  readonly targets: readonly TargetComparison[];
  /** Significant regressions beyond --max-regression, and leaks that appeared: what --gate fails on. */
  readonly regressions: readonly Regression[];
}

export interface Regression {
  readonly target: string;
  readonly what: string;
  readonly detail: string;
}

/** One side's values of a measure over its runs. */
export interface SideStats {
  readonly values: readonly (number | null)[];
  readonly n: number;
  readonly mean: number | null;
  readonly min: number | null;
  readonly max: number | null;
  /** Sample standard deviation across runs; null with fewer than two. */
  readonly sd: number | null;
}

export type MeasureName = 'peakHeapBytes' | 'peakRssBytes' | 'overheadBytes' | 'steadySlopeBytesPerHour';

export interface MeasureComparison {
  readonly measure: MeasureName;
  readonly base: SideStats;
  readonly new: SideStats;
  /** new mean − base mean. */
  readonly delta: number | null;
  readonly deltaPct: number | null;
  /** The change must exceed this to be significant (2 standard errors, floors included). */
  readonly noise: number | null;
  readonly significant: boolean;
  /** For memory, less is better. */
  readonly direction: 'better' | 'worse' | 'unchanged';
}

export interface TargetComparison {
  readonly name: string;
  readonly measures: readonly MeasureComparison[];
  readonly verdicts: { readonly base: readonly string[]; readonly new: readonly string[] };
  /** A leak on the new side where the base had none, or the reverse. */
  readonly verdictChange: 'leak-appeared' | 'leak-gone' | null;
  /** Bytes at the peak per component (means over runs), largest change first. */
  readonly components: readonly { readonly name: string; readonly base: number; readonly new: number; readonly delta: number; readonly deltaPct: number | null }[];
  /** Flat in-use bytes per function between the peak profiles of each side's first run, like `go tool pprof -diff_base`. */
  readonly functions: {
    readonly normalized: boolean;
    readonly baseTotal: number;
    readonly newTotal: number;
    readonly rows: readonly { readonly name: string; readonly base: number; readonly new: number; readonly delta: number }[];
  } | null;
  readonly functionsNote: string | null;
  /** Per alert: on how many runs of each side it fired. */
  readonly alerts: readonly { readonly name: string; readonly baseFired: number; readonly baseRuns: number; readonly newFired: number; readonly newRuns: number }[];
  /** The base's success-metric targets, checked on the new side (its mean). */
  readonly successTargets: readonly { readonly metric: string; readonly target: number; readonly actual: number | null; readonly met: boolean }[];
}
