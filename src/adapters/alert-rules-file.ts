import type { Rule, RuleGroup, RuleSet } from '../model/alert-rules.js';
import { parsePromDuration, parsePromQL, PromQLError } from '../analyze/promql/parse.js';
import { readYamlFile, type YamlFile } from './yaml-file.js';
import { packageFile } from './package-root.js';

/** An alert rule file is unreadable or wrong; the message names the file, line, rule and key. */
export class AlertRulesError extends Error {
  override readonly name = 'AlertRulesError';
}

/** The seed's alert pair (growth and peak, on RSS and on the container working set). */
export const BUILTIN_ALERTS = packageFile('rules/alerts.yaml');

const GROUP_KEYS = ['name', 'interval', 'rules', 'limit'];
const RULE_KEYS = ['alert', 'record', 'expr', 'for', 'keep_firing_for', 'labels', 'annotations'];

/**
 * Reads alerting rules in Prometheus rule-file format (`groups:`), or a
 * PrometheusRule object (its `spec.groups`), validated as Prometheus
 * validates them: unknown keys, missing expressions, bad durations and
 * expressions outside heaplens' PromQL subset are errors naming the line.
 */
export function loadAlertRules(path: string | null): RuleSet {
  const file = readYamlFile(path ?? BUILTIN_ALERTS, AlertRulesError);
  const data = file.data as Record<string, unknown> | null;
  const fail = (keys: (string | number)[], msg: string): never => {
    throw new AlertRulesError(`${file.where(keys)}: ${msg}`);
  };
  if (!data || typeof data !== 'object' || Array.isArray(data)) fail([], 'expected a mapping with "groups:" (a rule file) or a PrometheusRule object');
  let base: (string | number)[] = [];
  let groupsData = data!.groups;
  if (data!.kind === 'PrometheusRule' || 'spec' in data!) {
    const spec = data!.spec as Record<string, unknown> | undefined;
    if (!spec || typeof spec !== 'object') fail(['spec'], 'a PrometheusRule needs "spec.groups"');
    base = ['spec'];
    groupsData = spec!.groups;
  } else {
    for (const key of Object.keys(data!)) if (key !== 'groups') fail([key], `unknown key "${key}" (a rule file has only "groups:")`);
  }
  if (!Array.isArray(groupsData)) fail([...base, 'groups'], '"groups" must be a list of rule groups');
  const names = new Set<string>();
  const groups = (groupsData as unknown[]).map((g, i) => readGroup(file, [...base, 'groups', i], g, names));
  return { source: path ?? 'built-in', groups };
}

function readGroup(file: YamlFile, at: (string | number)[], g: unknown, names: Set<string>): RuleGroup {
  const fail = (keys: (string | number)[], msg: string): never => {
    throw new AlertRulesError(`${file.where([...at, ...keys])}: ${msg}`);
  };
  if (!g || typeof g !== 'object' || Array.isArray(g)) fail([], 'a rule group must be a mapping with "name" and "rules"');
  const group = g as Record<string, unknown>;
  for (const key of Object.keys(group)) if (!GROUP_KEYS.includes(key)) fail([key], `unknown key "${key}" in a rule group`);
  if (typeof group.name !== 'string' || group.name === '') fail(['name'], 'group "name" must be a non-empty string');
  const name = group.name as string;
  if (names.has(name)) fail(['name'], `group "${name}" is defined twice`);
  names.add(name);
  let intervalMs: number | null = null;
  if (group.interval !== undefined) {
    intervalMs = typeof group.interval === 'string' ? parsePromDuration(group.interval) : null;
    if (intervalMs === null) fail(['interval'], `group "${name}": "interval" must be a duration like 30s or 1m`);
  }
  if (!Array.isArray(group.rules)) fail(['rules'], `group "${name}": "rules" must be a list`);
  const rules = (group.rules as unknown[]).map((r, j) => readRule(file, [...at, 'rules', j], r, name));
  return { name, intervalMs, rules };
}

function readRule(file: YamlFile, at: (string | number)[], r: unknown, group: string): Rule {
  const fail = (keys: (string | number)[], msg: string): never => {
    throw new AlertRulesError(`${file.where([...at, ...keys])}: ${msg}`);
  };
  if (!r || typeof r !== 'object' || Array.isArray(r)) fail([], `group "${group}": a rule must be a mapping`);
  const rule = r as Record<string, unknown>;
  for (const key of Object.keys(rule)) if (!RULE_KEYS.includes(key)) fail([key], `unknown key "${key}" in a rule`);
  const isAlert = rule.alert !== undefined;
  if (isAlert === (rule.record !== undefined)) fail([], `group "${group}": a rule needs exactly one of "alert" and "record"`);
  const name = (isAlert ? rule.alert : rule.record) as unknown;
  if (typeof name !== 'string' || name === '') fail([isAlert ? 'alert' : 'record'], `"${isAlert ? 'alert' : 'record'}" must be a non-empty string`);
  const label = `${isAlert ? 'alert' : 'record'} "${name as string}"`;
  if (!isAlert && !/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name as string)) fail(['record'], `${label}: not a valid metric name`);
  if (typeof rule.expr !== 'string' && typeof rule.expr !== 'number') fail(['expr'], `${label}: "expr" is missing`);
  const expr = String(rule.expr);
  try {
    parsePromQL(expr);
  } catch (e) {
    if (e instanceof PromQLError) fail(['expr'], `${label}: ${e.message} of ${JSON.stringify(expr)}`);
    throw e;
  }
  const stringMap = (key: 'labels' | 'annotations'): Record<string, string> => {
    const v = rule[key];
    if (v === undefined || v === null) return {};
    if (typeof v !== 'object' || Array.isArray(v)) fail([key], `${label}: "${key}" must be a mapping of names to strings`);
    const out: Record<string, string> = {};
    for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
      if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(k)) fail([key, k], `${label}: "${k}" is not a valid ${key === 'labels' ? 'label' : 'annotation'} name`);
      if (typeof val !== 'string' && typeof val !== 'number' && typeof val !== 'boolean') fail([key, k], `${label}: ${key}.${k} must be a string`);
      out[k] = String(val);
    }
    return out;
  };
  const duration = (key: 'for' | 'keep_firing_for'): number => {
    const v = rule[key];
    if (v === undefined) return 0;
    const ms = typeof v === 'string' ? (v === '0' || v === '0s' ? 0 : parsePromDuration(v)) : null;
    if (ms === null) return fail([key], `${label}: "${key}" must be a duration like 5m, got ${JSON.stringify(v)}`);
    return ms;
  };
  if (!isAlert) {
    for (const key of ['for', 'keep_firing_for', 'annotations']) if (rule[key] !== undefined) fail([key], `${label}: "${key}" is only for alerting rules`);
    return { kind: 'record', name: name as string, expr, labels: stringMap('labels') };
  }
  return { kind: 'alert', name: name as string, expr, forMs: duration('for'), keepFiringForMs: duration('keep_firing_for'), labels: stringMap('labels'), annotations: stringMap('annotations') };
}
