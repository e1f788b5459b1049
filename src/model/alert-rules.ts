/**
 * Alerting and recording rules as Prometheus rule files state them
 * (`groups:` / `rules:`), after validation: durations in milliseconds,
 * the expression kept as written (it is parsed where it is evaluated).
 */
export interface RuleGroup {
  readonly name: string;
  /** The group's `interval:`; null: evaluate at the run's scrape interval. */
  readonly intervalMs: number | null;
  readonly rules: readonly Rule[];
}

export type Rule = AlertRule | RecordingRule;

export interface AlertRule {
  readonly kind: 'alert';
  readonly name: string;
  readonly expr: string;
  readonly forMs: number;
  readonly keepFiringForMs: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

export interface RecordingRule {
  readonly kind: 'record';
  readonly name: string;
  readonly expr: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** Where a rule set came from, for the report: the built-in defaults or a file. */
export interface RuleSet {
  readonly source: string;
  readonly groups: readonly RuleGroup[];
}

/**
 * One entry of the recommendation catalog (rules/recommendations.yaml): the
 * finding it answers, the action, and what share of the evidence's bytes the
 * action saves (a range, from experience; the bytes come from the run).
 */
export interface CatalogEntry {
  readonly id: string;
  /** May name the evidence: {subject}, {function}. */
  readonly title: string;
  readonly action: string;
  readonly effort: 'low' | 'medium' | 'high';
  readonly risk: 'none' | 'low' | 'medium' | 'high';
  readonly when: CatalogCondition;
  /** What the evidence is called in the report (functions conditions): e.g. "JSON decoding". */
  readonly subject: string | null;
  /** The evidence must hold at least this share of the peak heap (overhead: of peak RSS). Default 0.05. */
  readonly minShare: number;
  /** Fractions of the evidence's bytes the action saves, low and high. */
  readonly saving: readonly [number, number];
  /** False: listed as considered and rejected, with `reason`. */
  readonly viable: boolean;
  readonly reason: string | null;
}

export type CatalogCondition =
  | { readonly kind: 'component'; readonly pattern: RegExp }
  | { readonly kind: 'functions'; readonly pattern: RegExp }
  | { readonly kind: 'overhead'; readonly pattern: RegExp }
  | { readonly kind: 'leak' }
  | { readonly kind: 'goroutines' }
  | { readonly kind: 'stale'; readonly minShare: number }
  | { readonly kind: 'alerts' };
