import type { Budget, BudgetRules } from '../model/budget.js';
import { parseSize } from '../model/size.js';
import { readYamlFile } from './yaml-file.js';

/** The budget file is unreadable or wrong: a usage error (exit 2), naming file, line and key. */
export class BudgetFileError extends Error {
  override readonly name = 'BudgetFileError';
}

const RULE_KEYS = ['maxPeakHeap', 'maxPeakRss', 'maxSteadyGrowthPerHour', 'leak', 'forbiddenAlerts'];

/** Reads a budget file (DESIGN.md): sizes accept B, KB/KiB, MB/MiB, GB/GiB; `targets:` overrides per target. */
export function loadBudget(path: string): Budget {
  const file = readYamlFile(path, BudgetFileError);
  const data = file.data as Record<string, unknown> | null;
  const fail = (keys: (string | number)[], msg: string): never => {
    throw new BudgetFileError(`${file.where(keys)}: ${msg}`);
  };
  if (!data || typeof data !== 'object' || Array.isArray(data)) return fail([], 'a budget is a mapping of rules (maxPeakHeap, maxPeakRss, maxSteadyGrowthPerHour, leak, forbiddenAlerts, targets)');
  const rules = (obj: Record<string, unknown>, at: (string | number)[], allowTargets: boolean): BudgetRules => {
    const out: { -readonly [K in keyof BudgetRules]: BudgetRules[K] } = {};
    for (const [key, value] of Object.entries(obj)) {
      const here = [...at, key];
      if (key === 'targets' && allowTargets) continue;
      if (!RULE_KEYS.includes(key)) fail(here, `unknown key "${key}" (${[...RULE_KEYS, ...(allowTargets ? ['targets'] : [])].join(', ')})`);
      if (key === 'maxPeakHeap' || key === 'maxPeakRss' || key === 'maxSteadyGrowthPerHour') {
        const bytes = typeof value === 'string' || typeof value === 'number' ? parseSize(String(value)) : null;
        if (bytes === null || bytes <= 0) fail(here, `${key}: expected a size such as 120MiB or 1GB, got ${JSON.stringify(value)}`);
        out[key] = bytes!;
      } else if (key === 'leak') {
        if (value !== 'forbid' && value !== 'allow') fail(here, `leak: expected forbid or allow, got ${JSON.stringify(value)}`);
        out.leak = value as 'forbid' | 'allow';
      } else {
        if (!Array.isArray(value) || !value.every((x) => typeof x === 'string' && x !== '')) fail(here, 'forbiddenAlerts: expected a list of alert names');
        out.forbiddenAlerts = value as string[];
      }
    }
    return out;
  };
  const defaults = rules(data, [], true);
  const targets: Record<string, BudgetRules> = {};
  if (data.targets !== undefined) {
    if (!data.targets || typeof data.targets !== 'object' || Array.isArray(data.targets)) fail(['targets'], 'targets: expected a mapping of target names to rules');
    for (const [name, value] of Object.entries(data.targets as Record<string, unknown>)) {
      if (!value || typeof value !== 'object' || Array.isArray(value)) fail(['targets', name], `targets.${name}: expected a mapping of rules`);
      targets[name] = rules(value as Record<string, unknown>, ['targets', name], false);
    }
  }
  return { source: path, defaults, targets };
}
