import type { AlertRule, RuleSet } from '../model/alert-rules.js';
import type { AlertResult } from '../model/report.js';
import type { ComparisonOp, Expr } from './promql/ast.js';
import { COMPARISON_OPS } from './promql/ast.js';
import { EvaluationError, binop, evaluate, labelsKey, type Labels, type Sample, type Series, type Value } from './promql/evaluate.js';
import { parsePromQL } from './promql/parse.js';

/** Prometheus keeps a resolved alert this long before forgetting it. */
const RESOLVED_RETENTION_MS = 15 * 60_000;

interface ActiveAlert {
  readonly labels: Labels;
  activeAt: number;
  state: 'pending' | 'firing' | 'inactive';
  firedAt: number | null;
  resolvedAt: number | null;
  keepFiringSince: number | null;
}

/** A recording rule's output, growing evaluation by evaluation. */
interface RecordedSeries extends Series {
  readonly t: number[];
  readonly v: number[];
}

export interface RuleEvaluationOptions {
  /** Unix ms of the first and last evaluation. */
  readonly start: number;
  readonly end: number;
  /** Evaluation interval when a group sets none: the run's scrape interval. */
  readonly intervalMs: number;
}

/**
 * Evaluates alerting rules over a target's series as Prometheus' rule
 * manager would have, evaluation after evaluation from `start` to `end`:
 * an alert is pending from the first evaluation its expression returns a
 * series, fires once it has been so for `for`, stays firing for
 * `keep_firing_for` after the condition ends, and resets when it is gone.
 * Recording rules add their output as new series, for the rules after them.
 */
export function evaluateRules(ruleSet: RuleSet, input: readonly Series[], options: RuleEvaluationOptions): AlertResult[] {
  const series: Series[] = [...input];
  const recorded = new Map<string, RecordedSeries>();
  const results: AlertResult[] = [];
  for (const group of ruleSet.groups) {
    const interval = group.intervalMs ?? options.intervalMs;
    const parsed = group.rules.map((r) => {
      const expr = parsePromQL(r.expr);
      return { rule: r, expr, threshold: r.kind === 'alert' ? thresholdOf(expr) : null };
    });
    const states = parsed.map(() => new RuleState());
    // The grid ends on the last sample, so the newest values are always evaluated.
    const first = options.end - Math.floor((options.end - options.start) / interval) * interval;
    for (let ts = first; ts <= options.end; ts += interval) {
      const ctx = { series, intervalMs: interval };
      parsed.forEach(({ rule, expr, threshold }, i) => {
        let samples: readonly Sample[];
        let quantity: readonly Sample[] | null = null;
        try {
          if (threshold) {
            // `X op c`: evaluate X once; the alert's samples are those passing the comparison, as Prometheus filters.
            quantity = toSamples(evaluate(threshold.quantity, ts, ctx));
            samples = quantity.filter((q) => binop(threshold.op, q.value, threshold.value)[1]);
          } else samples = toSamples(evaluate(expr, ts, ctx));
        } catch (e) {
          if (e instanceof EvaluationError) throw new EvaluationError(`${ruleSet.source}: ${rule.kind} "${rule.name}" in group "${group.name}": ${e.message}`);
          throw e;
        }
        if (rule.kind === 'record') {
          for (const s of samples) {
            const labels = { ...s.labels, ...rule.labels, __name__: rule.name };
            const key = labelsKey(labels);
            let out = recorded.get(key);
            if (!out) {
              out = { labels, t: [], v: [] };
              recorded.set(key, out);
              series.push(out);
            }
            out.t.push(ts);
            out.v.push(s.value);
          }
          return;
        }
        states[i]!.step(rule, samples, quantity, ts);
      });
    }
    parsed.forEach(({ rule, expr, threshold }, i) => {
      if (rule.kind === 'alert') results.push(states[i]!.result(rule, expr, threshold, group.name, ruleSet.source));
    });
  }
  return results;
}

function toSamples(v: Value): readonly Sample[] {
  if (v.type === 'vector') return v.samples;
  if (v.type === 'scalar') return [{ labels: {}, value: v.value }];
  return [];
}

/** `X > 100000` and the like: the quantity an alert watches and its threshold, to say how close it came. */
export function thresholdOf(expr: Expr): { readonly quantity: Expr; readonly op: ComparisonOp; readonly value: number } | null {
  if (expr.type !== 'binary' || !COMPARISON_OPS.includes(expr.op) || expr.returnBool) return null;
  if (expr.rhs.type === 'number') return { quantity: expr.lhs, op: expr.op as ComparisonOp, value: expr.rhs.value };
  if (expr.lhs.type === 'number') {
    const flipped: Record<ComparisonOp, ComparisonOp> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '==': '==', '!=': '!=' };
    return { quantity: expr.rhs, op: flipped[expr.op as ComparisonOp], value: expr.lhs.value };
  }
  return null;
}

/** Bytes per second for rates of byte gauges, bytes for byte gauges, else unknown. */
export function unitOf(expr: Expr): 'bytes' | 'bytes/s' | null {
  let rate = false;
  let bytes = false;
  const walk = (e: Expr, inRate: boolean): void => {
    switch (e.type) {
      case 'vector': {
        const name = e.matchers.find((m) => m.name === '__name__' && m.op === '=')?.value ?? '';
        if (/_bytes(_total)?$/.test(name)) {
          bytes = true;
          if (inRate) rate = true;
        }
        return;
      }
      case 'matrix':
        return walk(e.selector, inRate);
      case 'subquery':
        return walk(e.expr, inRate);
      case 'call':
        for (const a of e.args) walk(a, inRate || ['deriv', 'rate', 'irate'].includes(e.func));
        return;
      case 'aggregate':
      case 'unary':
        return walk(e.expr, inRate);
      case 'binary':
        walk(e.lhs, inRate);
        walk(e.rhs, inRate);
        return;
      default:
        return;
    }
  };
  const t = thresholdOf(expr);
  walk(t ? t.quantity : expr, false);
  return rate ? 'bytes/s' : bytes ? 'bytes' : null;
}

class RuleState {
  private readonly active = new Map<string, ActiveAlert>();
  private everReturned = false;
  private quantitySeen = false;
  private firstActiveAt: number | null = null;
  private firstFiredAt: number | null = null;
  private maxValue: number | null = null;
  private observedMax: number | null = null;
  private observedMin: number | null = null;
  private firingEvaluations = 0;
  private readonly intervals: { labels: Labels; from: number; to: number }[] = [];
  private readonly open = new Map<string, { labels: Labels; from: number; to: number }>();
  private lastEval: number | null = null;

  step(rule: AlertRule, samples: readonly Sample[], quantity: readonly Sample[] | null, ts: number): void {
    if (quantity) {
      for (const s of quantity) {
        this.quantitySeen = true;
        if (Number.isNaN(s.value)) continue;
        this.observedMax = this.observedMax === null ? s.value : Math.max(this.observedMax, s.value);
        this.observedMin = this.observedMin === null ? s.value : Math.min(this.observedMin, s.value);
      }
    }
    const current = new Set<string>();
    for (const s of samples) {
      this.everReturned = true;
      const { __name__: _name, ...rest } = s.labels;
      const labels = { ...rest, ...rule.labels, alertname: rule.name };
      const key = labelsKey(labels);
      current.add(key);
      if (!Number.isNaN(s.value)) this.maxValue = this.maxValue === null ? s.value : Math.max(this.maxValue, s.value);
      const existing = this.active.get(key);
      if (existing && existing.state !== 'inactive') continue;
      this.active.set(key, { labels, activeAt: ts, state: 'pending', firedAt: null, resolvedAt: null, keepFiringSince: null });
      if (this.firstActiveAt === null) this.firstActiveAt = ts;
    }
    let firing = false;
    for (const [key, a] of this.active) {
      if (!current.has(key)) {
        let keepFiring = false;
        if (a.state === 'firing' && rule.keepFiringForMs > 0) {
          a.keepFiringSince ??= ts;
          if (ts - a.keepFiringSince < rule.keepFiringForMs) keepFiring = true;
        }
        if (a.state === 'pending' || (a.resolvedAt !== null && ts - a.resolvedAt > RESOLVED_RETENTION_MS)) this.active.delete(key);
        if (a.state !== 'inactive' && !keepFiring) {
          if (a.state === 'firing') this.close(key);
          a.state = 'inactive';
          a.resolvedAt = ts;
        }
        if (!keepFiring) continue;
      } else a.keepFiringSince = null;
      if (a.state === 'pending' && ts - a.activeAt >= rule.forMs) {
        a.state = 'firing';
        a.firedAt = ts;
        this.firstFiredAt ??= ts;
        this.open.set(key, { labels: a.labels, from: ts, to: ts });
      }
      if (a.state === 'firing') {
        firing = true;
        this.open.get(key)!.to = ts;
      }
    }
    if (firing) this.firingEvaluations++;
    this.lastEval = ts;
  }

  private close(key: string): void {
    const o = this.open.get(key);
    if (o) {
      this.intervals.push(o);
      this.open.delete(key);
    }
  }

  result(rule: AlertRule, expr: Expr, threshold: ReturnType<typeof thresholdOf>, group: string, source: string): AlertResult {
    for (const key of [...this.open.keys()]) this.close(key);
    const fired = this.firstFiredAt !== null;
    const state: AlertResult['state'] = fired ? 'fired' : this.firstActiveAt !== null ? 'pending' : this.everReturned || this.quantitySeen ? 'inactive' : 'no-data';
    return {
      name: rule.name,
      group,
      source,
      expr: rule.expr,
      forSeconds: rule.forMs / 1000,
      keepFiringForSeconds: rule.keepFiringForMs / 1000,
      labels: rule.labels,
      annotations: rule.annotations,
      state,
      fired,
      firstActiveAt: this.firstActiveAt,
      firstFiredAt: this.firstFiredAt,
      firingEvaluations: this.firingEvaluations,
      maxValue: this.maxValue,
      unit: unitOf(expr),
      threshold: threshold ? { op: threshold.op, value: threshold.value, observedMax: this.observedMax, observedMin: this.observedMin } : null,
      firing: this.intervals.sort((a, b) => a.from - b.from).map((i) => ({ labels: i.labels, from: i.from, to: i.to })),
      lastEvaluation: this.lastEval,
    };
  }
}
