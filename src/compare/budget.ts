import type { Budget, BudgetRules, BudgetViolation } from '../model/budget.js';
import type { Report } from '../model/report.js';
import { formatMiB } from '../model/size.js';

/** Every rule of the budget checked on every target of the report; no violation means the budget holds. */
export function checkBudget(report: Report, budget: Budget): BudgetViolation[] {
  const out: BudgetViolation[] = [];
  for (const name of Object.keys(budget.targets)) {
    if (!report.targets.some((t) => t.name === name)) out.push({ target: name, rule: 'target', limit: 'present in the run', actual: `not in the run (targets: ${report.targets.map((t) => t.name).join(', ') || 'none'})` });
  }
  for (const t of report.targets) {
    const rules: BudgetRules = { ...budget.defaults, ...(budget.targets[t.name] ?? {}) };
    const v = (rule: string, limit: string, actual: string): void => void out.push({ target: t.name, rule, limit, actual });
    if (rules.maxPeakHeap !== undefined && t.peak.heapInuseBytes > rules.maxPeakHeap) {
      v('maxPeakHeap', formatMiB(rules.maxPeakHeap), `${formatMiB(t.peak.heapInuseBytes)} at snapshot ${t.peak.heapSnapshot}`);
    }
    if (rules.maxPeakRss !== undefined) {
      if (t.peak.rssBytes === null) v('maxPeakRss', formatMiB(rules.maxPeakRss), 'no RSS was collected');
      else if (t.peak.rssBytes > rules.maxPeakRss) v('maxPeakRss', formatMiB(rules.maxPeakRss), formatMiB(t.peak.rssBytes));
    }
    if (rules.maxSteadyGrowthPerHour !== undefined) {
      if (t.verdict.startIndex < 0) v('maxSteadyGrowthPerHour', `${formatMiB(rules.maxSteadyGrowthPerHour)}/h`, `no steady window to measure (${t.verdict.reason})`);
      else if (t.verdict.slopeBytesPerHour > rules.maxSteadyGrowthPerHour) {
        v('maxSteadyGrowthPerHour', `${formatMiB(rules.maxSteadyGrowthPerHour)}/h`, `${formatMiB(t.verdict.slopeBytesPerHour)}/h (95% interval ${formatMiB(t.verdict.slopeLowBytesPerHour)} to ${formatMiB(t.verdict.slopeHighBytesPerHour)}/h)`);
      }
    }
    if (rules.leak === 'forbid' && t.verdict.kind === 'leak') v('leak', 'forbid', `leak: ${t.verdict.reason}`);
    for (const name of rules.forbiddenAlerts ?? []) {
      const a = t.alerts.find((x) => x.name === name);
      if (a?.fired) v('forbiddenAlerts', name, `fired at ${a.firstFiredAt !== null && t.series[0] ? `+${Math.round((a.firstFiredAt - t.series[0].t) / 1000)}s` : '?'}`);
    }
  }
  return out;
}
