import type { CatalogCondition, CatalogEntry } from '../model/alert-rules.js';
import { readYamlFile } from './yaml-file.js';
import { packageFile } from './package-root.js';

/** The recommendation catalog is unreadable or wrong; the message names the file, line and key. */
export class CatalogError extends Error {
  override readonly name = 'CatalogError';
}

export const BUILTIN_CATALOG = packageFile('rules/recommendations.yaml');

const KEYS = ['id', 'title', 'subject', 'when', 'minShare', 'effort', 'risk', 'saving', 'viable', 'reason', 'action'];
const EFFORTS = ['low', 'medium', 'high'];
const RISKS = ['none', 'low', 'medium', 'high'];

/** Reads recommendation catalogs (users' first, then the built-in one); a later entry with an id already seen is skipped. */
export function loadCatalog(userFiles: readonly string[] = []): CatalogEntry[] {
  const seen = new Set<string>();
  const out: CatalogEntry[] = [];
  for (const path of [...userFiles, BUILTIN_CATALOG]) {
    for (const entry of readCatalog(path)) {
      if (seen.has(entry.id)) continue;
      seen.add(entry.id);
      out.push(entry);
    }
  }
  return out;
}

function readCatalog(path: string): CatalogEntry[] {
  const file = readYamlFile(path, CatalogError);
  const data = file.data as { recommendations?: unknown } | null;
  if (!data || !Array.isArray(data.recommendations)) throw new CatalogError(`${file.where([])}: expected a top-level "recommendations:" list`);
  return data.recommendations.map((raw: unknown, i: number): CatalogEntry => {
    const at = ['recommendations', i];
    const fail = (key: string | null, msg: string): never => {
      throw new CatalogError(`${file.where(key ? [...at, key] : at)}: ${msg}`);
    };
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) fail(null, 'expected a mapping with id, title, when, effort, risk, saving, action');
    const e = raw as Record<string, unknown>;
    for (const key of Object.keys(e)) if (!KEYS.includes(key)) fail(key, `unknown key "${key}"`);
    for (const key of ['id', 'title', 'action']) if (typeof e[key] !== 'string' || e[key] === '') fail(key, `"${key}" must be a non-empty string`);
    const id = e.id as string;
    if (typeof e.effort !== 'string' || !EFFORTS.includes(e.effort)) fail('effort', `${id}: "effort" must be one of ${EFFORTS.join(', ')}`);
    if (typeof e.risk !== 'string' || !RISKS.includes(e.risk)) fail('risk', `${id}: "risk" must be one of ${RISKS.join(', ')}`);
    const saving = e.saving ?? [0, 0];
    if (!Array.isArray(saving) || saving.length !== 2 || !saving.every((x) => typeof x === 'number' && x >= 0 && x <= 1) || saving[0] > saving[1]) {
      fail('saving', `${id}: "saving" must be [low, high], fractions between 0 and 1, low ≤ high`);
    }
    const minShare = e.minShare ?? 0.05;
    if (typeof minShare !== 'number' || minShare < 0 || minShare > 1) fail('minShare', `${id}: "minShare" must be a fraction between 0 and 1`);
    const viable = e.viable ?? true;
    if (typeof viable !== 'boolean') fail('viable', `${id}: "viable" must be true or false`);
    if (!viable && typeof e.reason !== 'string') fail('reason', `${id}: a non-viable entry needs a "reason"`);
    return {
      id,
      title: e.title as string,
      action: e.action as string,
      effort: e.effort as CatalogEntry['effort'],
      risk: e.risk as CatalogEntry['risk'],
      when: condition(e.when, (msg) => fail('when', `${id}: ${msg}`)),
      subject: typeof e.subject === 'string' ? e.subject : null,
      minShare: minShare as number,
      saving: saving as [number, number],
      viable: viable as boolean,
      reason: typeof e.reason === 'string' ? e.reason : null,
    };
  });
}

function condition(when: unknown, fail: (msg: string) => never): CatalogCondition {
  if (!when || typeof when !== 'object' || Array.isArray(when)) return fail('"when" must be a mapping with one of component, functions, overhead, leak, goroutines, alerts, stale');
  const entries = Object.entries(when as Record<string, unknown>);
  if (entries.length !== 1) return fail('"when" must have exactly one condition');
  const [kind, value] = entries[0]!;
  const regex = (): RegExp => {
    if (typeof value !== 'string') return fail(`"when.${kind}" must be a regular expression string`);
    try {
      return new RegExp(value);
    } catch (e) {
      return fail(`"when.${kind}" is not a valid regular expression (${(e as Error).message})`);
    }
  };
  switch (kind) {
    case 'component':
    case 'functions':
    case 'overhead':
      return { kind, pattern: regex() };
    case 'leak':
    case 'goroutines':
    case 'alerts':
      if (value !== true) return fail(`"when.${kind}" must be true`);
      return { kind };
    case 'stale':
      if (typeof value !== 'number' || value < 0 || value > 1) return fail('"when.stale" must be the share of stale snapshots (0 to 1)');
      return { kind: 'stale', minShare: value };
    default:
      return fail(`unknown condition "${kind}" (component, functions, overhead, leak, goroutines, alerts, stale)`);
  }
}
