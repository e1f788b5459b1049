/** A memory budget (DESIGN.md): top-level rules apply to every target, `targets:` overrides per target. */
export interface BudgetRules {
  readonly maxPeakHeap?: number;
  readonly maxPeakRss?: number;
  readonly maxSteadyGrowthPerHour?: number;
  readonly leak?: 'forbid' | 'allow';
  readonly forbiddenAlerts?: readonly string[];
}

export interface Budget {
  readonly source: string;
  readonly defaults: BudgetRules;
  readonly targets: Readonly<Record<string, BudgetRules>>;
}

export interface BudgetViolation {
  readonly target: string;
  readonly rule: string;
  readonly limit: string;
  readonly actual: string;
}
