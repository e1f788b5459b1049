import type { Aggregate, Binary, Call, Expr, MatrixSelector, Subquery, VectorSelector } from './ast.js';
import { COMPARISON_OPS } from './ast.js';
import { matches } from './parse.js';

/**
 * Instant evaluation of the PromQL subset over in-memory series, with
 * Prometheus 2.x semantics (the version CI checks against with promtool):
 * an instant selector takes the newest sample at most 5 minutes old, a range
 * `[d]` holds the samples in [t−d, t] (both ends included in 2.x), subquery
 * steps are aligned to multiples of the step, and the float arithmetic of
 * each function follows Prometheus' so results agree bit for bit.
 */

export type Labels = Readonly<Record<string, string>>;

/** Sample times or values: typed arrays for collected series (windows are views, not copies). */
export type Numbers = readonly number[] | Float64Array;

/** A window of a series without copying it when it is a typed array. */
export function view(a: Numbers, from: number, to: number): Numbers {
  return a instanceof Float64Array ? a.subarray(from, to) : a.slice(from, to);
}

/** One time series: labels (with `__name__`) and samples in time order (unix ms). */
export interface Series {
  readonly labels: Labels;
  readonly t: Numbers;
  readonly v: Numbers;
}

export interface Sample {
  readonly labels: Labels;
  readonly value: number;
}

export interface RangeSeries {
  readonly labels: Labels;
  readonly t: Numbers;
  readonly v: Numbers;
}

export type Value =
  | { readonly type: 'scalar'; readonly value: number }
  | { readonly type: 'vector'; readonly samples: readonly Sample[] }
  | { readonly type: 'matrix'; readonly series: readonly RangeSeries[] }
  | { readonly type: 'string'; readonly value: string };

/** An expression that parsed but cannot be evaluated on this data (e.g. duplicate series in a match). */
export class EvaluationError extends Error {
  override readonly name = 'EvaluationError';
}

export interface EvalContext {
  readonly series: readonly Series[];
  /** The default subquery step: the rule evaluation interval. */
  readonly intervalMs: number;
  /** How far back an instant selector looks for a sample (Prometheus' default is 5 minutes). */
  readonly lookbackMs?: number;
}

const DEFAULT_LOOKBACK_MS = 300_000;

export function evaluate(expr: Expr, t: number, ctx: EvalContext): Value {
  return new Evaluator(ctx).eval(expr, t);
}

/** The last index with times[i] ≤ t, or -1. */
function lastAtOrBefore(times: Numbers, t: number): number {
  let lo = 0;
  let hi = times.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! <= t) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

function withoutName(labels: Labels): Labels {
  if (!('__name__' in labels)) return labels;
  const { __name__: _name, ...rest } = labels;
  return rest;
}

/** A canonical key of a label set (sorted pairs). */
export function labelsKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}\u0000${labels[k]}`)
    .join('\u0001');
}

function signature(labels: Labels, matching: Binary['matching']): string {
  if (matching?.on) return matching.labels.map((l) => `${l}\u0000${labels[l] ?? ''}`).join('\u0001');
  const ignored = new Set(['__name__', ...(matching?.labels ?? [])]);
  return Object.keys(labels)
    .filter((k) => !ignored.has(k))
    .sort()
    .map((k) => `${k}\u0000${labels[k]}`)
    .join('\u0001');
}

/** Neumaier-compensated addition, as Prometheus sums over time. */
function kahanSumInc(inc: number, sum: number, c: number): [number, number] {
  const t = sum + inc;
  if (Math.abs(sum) >= Math.abs(inc)) c += sum - t + inc;
  else c += inc - t + sum;
  return [t, c];
}

/** Least-squares slope and intercept (at interceptTime), with Prometheus 2.x's plain sums. */
export function linearRegression(t: Numbers, v: Numbers, interceptTime: number): [number, number] {
  let n = 0;
  let sumX = 0;
  let sumY = 0;
  let sumXY = 0;
  let sumX2 = 0;
  const initY = v[0]!;
  let constY = true;
  for (let i = 0; i < t.length; i++) {
    const y = v[i]!;
    if (constY && i > 0 && y !== initY) constY = false;
    n += 1;
    const x = (t[i]! - interceptTime) / 1e3;
    sumX += x;
    sumY += y;
    sumXY += x * y;
    sumX2 += x * x;
  }
  if (constY) return Number.isFinite(initY) || Number.isNaN(initY) ? [0, initY] : [NaN, NaN];
  const covXY = sumXY - (sumX * sumY) / n;
  const varX = sumX2 - (sumX * sumX) / n;
  const slope = covXY / varX;
  return [slope, sumY / n - (slope * sumX) / n];
}

class Evaluator {
  private readonly lookback: number;
  constructor(private readonly ctx: EvalContext) {
    this.lookback = ctx.lookbackMs ?? DEFAULT_LOOKBACK_MS;
  }

  eval(e: Expr, t: number): Value {
    const v = this.evalNode(e, t);
    // Prometheus refuses a result with two series of one label set (e.g. names dropped by a function).
    if (v.type === 'vector' && v.samples.length > 1 && e.type !== 'vector') {
      const keys = new Set<string>();
      for (const s of v.samples) {
        const key = labelsKey(s.labels);
        if (keys.has(key)) throw new EvaluationError('vector cannot contain metrics with the same labelset');
        keys.add(key);
      }
    }
    return v;
  }

  private evalNode(e: Expr, t: number): Value {
    switch (e.type) {
      case 'number':
        return { type: 'scalar', value: e.value };
      case 'string':
        return { type: 'string', value: e.value };
      case 'vector':
        return { type: 'vector', samples: this.instant(e, t) };
      case 'matrix':
        return { type: 'matrix', series: this.range(e, t) };
      case 'subquery':
        return { type: 'matrix', series: this.subquery(e, t) };
      case 'unary': {
        const v = this.eval(e.expr, t);
        if (e.op === '+') return v;
        if (v.type === 'scalar') return { type: 'scalar', value: -v.value };
        return { type: 'vector', samples: this.vector(v).map((s) => ({ labels: withoutName(s.labels), value: -s.value })) };
      }
      case 'call':
        return this.call(e, t);
      case 'aggregate':
        return { type: 'vector', samples: this.aggregate(e, t) };
      case 'binary':
        return this.binary(e, t);
    }
  }

  private vector(v: Value): readonly Sample[] {
    if (v.type !== 'vector') throw new EvaluationError(`expected an instant vector, got ${v.type}`);
    return v.samples;
  }

  private selected(sel: VectorSelector): readonly Series[] {
    return this.ctx.series.filter((s) => sel.matchers.every((m) => matches(m, s.labels[m.name] ?? '')));
  }

  private instant(sel: VectorSelector, t: number): Sample[] {
    const at = t - sel.offsetMs;
    const out: Sample[] = [];
    for (const s of this.selected(sel)) {
      const i = lastAtOrBefore(s.t, at);
      if (i >= 0 && s.t[i]! >= at - this.lookback) out.push({ labels: s.labels, value: s.v[i]! });
    }
    return out;
  }

  private range(m: MatrixSelector, t: number): RangeSeries[] {
    const end = t - m.selector.offsetMs;
    const start = end - m.rangeMs;
    const out: RangeSeries[] = [];
    for (const s of this.selected(m.selector)) {
      const last = lastAtOrBefore(s.t, end);
      let first = lastAtOrBefore(s.t, start - 1) + 1;
      if (first > last) continue;
      if (first < 0) first = 0;
      out.push({ labels: s.labels, t: view(s.t, first, last + 1), v: view(s.v, first, last + 1) });
    }
    return out;
  }

  private subquery(q: Subquery, t: number): RangeSeries[] {
    const step = q.stepMs ?? this.ctx.intervalMs;
    const end = t - q.offsetMs;
    const start = end - q.rangeMs;
    // The first step-aligned time at or after the range start (Prometheus 2.x includes the start).
    let first = step * Math.trunc(start / step);
    if (first < start) first += step;
    const bySeries = new Map<string, { labels: Labels; t: number[]; v: number[] }>();
    for (let at = first; at <= end; at += step) {
      for (const s of this.vector(this.eval(q.expr, at))) {
        const key = labelsKey(s.labels);
        let acc = bySeries.get(key);
        if (!acc) bySeries.set(key, (acc = { labels: s.labels, t: [], v: [] }));
        acc.t.push(at);
        acc.v.push(s.value);
      }
    }
    return [...bySeries.values()];
  }

  private call(e: Call, t: number): Value {
    const arg = (i: number): Value => this.eval(e.args[i]!, t);
    const scalarArg = (i: number): number => {
      const v = arg(i);
      if (v.type !== 'scalar') throw new EvaluationError(`argument ${i + 1} of ${e.func} is not a scalar`);
      return v.value;
    };
    const perSample = (f: (x: number) => number): Value => ({
      type: 'vector',
      samples: this.vector(arg(0)).map((s) => ({ labels: withoutName(s.labels), value: f(s.value) })),
    });
    switch (e.func) {
      case 'time':
        return { type: 'scalar', value: t / 1000 };
      case 'vector':
        return { type: 'vector', samples: [{ labels: {}, value: scalarArg(0) }] };
      case 'scalar': {
        const v = this.vector(arg(0));
        return { type: 'scalar', value: v.length === 1 ? v[0]!.value : NaN };
      }
      case 'abs':
        return perSample(Math.abs);
      case 'ceil':
        return perSample(Math.ceil);
      case 'floor':
        return perSample(Math.floor);
      case 'round': {
        const to = e.args.length > 1 ? scalarArg(1) : 1;
        // Prometheus rounds half up, in steps of 1/to to keep decimals exact.
        const inv = 1 / to;
        return perSample((x) => Math.floor(x * inv + 0.5) / inv);
      }
      case 'clamp_min': {
        const min = scalarArg(1);
        return perSample((x) => Math.max(min, x));
      }
      case 'clamp_max': {
        const max = scalarArg(1);
        return perSample((x) => Math.min(max, x));
      }
    }
    // Range functions: one output sample per input series, name dropped (but by last_over_time).
    const m = arg(0);
    if (m.type !== 'matrix') throw new EvaluationError(`${e.func} needs a range vector`);
    const rangeArg = e.args[0]!;
    const extra = e.func === 'predict_linear' ? scalarArg(1) : 0;
    const out: Sample[] = [];
    for (const s of m.series) {
      const value = this.rangeFunction(e.func, s, rangeArg, t, extra);
      if (value !== null) out.push({ labels: e.func === 'last_over_time' ? s.labels : withoutName(s.labels), value });
    }
    return { type: 'vector', samples: out };
  }

  private rangeFunction(func: string, s: RangeSeries, rangeArg: Expr, t: number, extra: number): number | null {
    const n = s.v.length;
    switch (func) {
      case 'rate':
      case 'increase':
      case 'delta':
        return extrapolatedRate(s, rangeArg, t, func !== 'delta', func === 'rate');
      case 'irate':
      case 'idelta': {
        if (n < 2) return null;
        const last = s.v[n - 1]!;
        const prev = s.v[n - 2]!;
        const result = func === 'irate' && last < prev ? last : last - prev;
        const interval = s.t[n - 1]! - s.t[n - 2]!;
        if (interval === 0) return null;
        return func === 'irate' ? result / (interval / 1000) : result;
      }
      case 'deriv':
        return n < 2 ? null : linearRegression(s.t, s.v, s.t[0]!)[0];
      case 'predict_linear': {
        if (n < 2) return null;
        const [slope, intercept] = linearRegression(s.t, s.v, t);
        return slope * extra + intercept;
      }
      case 'avg_over_time': {
        let mean = 0;
        let count = 0;
        let c = 0;
        for (const x of s.v) {
          count++;
          if (!Number.isFinite(mean) && !Number.isNaN(mean)) {
            if (!Number.isFinite(x) && !Number.isNaN(x) && mean > 0 === x > 0) continue;
            if (Number.isFinite(x)) continue;
          }
          [mean, c] = kahanSumInc(x / count - mean / count, mean, c);
        }
        return !Number.isFinite(mean) && !Number.isNaN(mean) ? mean : mean + c;
      }
      case 'sum_over_time': {
        let sum = 0;
        let c = 0;
        for (const x of s.v) [sum, c] = kahanSumInc(x, sum, c);
        return !Number.isFinite(sum) && !Number.isNaN(sum) ? sum : sum + c;
      }
      case 'min_over_time':
      case 'max_over_time': {
        let best = s.v[0]!;
        for (const x of s.v) {
          if (func === 'max_over_time' ? x > best || Number.isNaN(best) : x < best || Number.isNaN(best)) best = x;
        }
        return best;
      }
      case 'count_over_time':
        return n;
      case 'last_over_time':
        return s.v[n - 1]!;
    }
    throw new EvaluationError(`unknown function ${func}`);
  }

  private aggregate(e: Aggregate, t: number): Sample[] {
    const input = this.vector(this.eval(e.expr, t));
    const groups = new Map<string, { labels: Labels; value: number; mean: number; count: number }>();
    const grouping = new Set(e.grouping);
    for (const s of input) {
      const labels: Record<string, string> = {};
      for (const [k, v] of Object.entries(s.labels)) {
        if (e.without ? !grouping.has(k) && k !== '__name__' : grouping.has(k)) labels[k] = v;
      }
      const key = labelsKey(labels);
      const g = groups.get(key);
      if (!g) {
        groups.set(key, { labels, value: s.value, mean: s.value, count: 1 });
        continue;
      }
      g.count++;
      switch (e.op) {
        case 'sum':
          g.value += s.value;
          break;
        case 'avg':
          if (!Number.isFinite(g.mean) && !Number.isNaN(g.mean)) {
            if (!Number.isFinite(s.value) && !Number.isNaN(s.value) && g.mean > 0 === s.value > 0) break;
            if (Number.isFinite(s.value)) break;
          }
          g.mean += s.value / g.count - g.mean / g.count;
          break;
        case 'max':
          if (g.value < s.value || Number.isNaN(g.value)) g.value = s.value;
          break;
        case 'min':
          if (g.value > s.value || Number.isNaN(g.value)) g.value = s.value;
          break;
        case 'count':
          break;
      }
    }
    return [...groups.values()].map((g) => ({
      labels: g.labels,
      value: e.op === 'avg' ? g.mean : e.op === 'count' ? g.count : g.value,
    }));
  }

  private binary(e: Binary, t: number): Value {
    const lhs = this.eval(e.lhs, t);
    const rhs = this.eval(e.rhs, t);
    const comparison = COMPARISON_OPS.includes(e.op);
    if (lhs.type === 'scalar' && rhs.type === 'scalar') {
      const [value] = binop(e.op, lhs.value, rhs.value);
      return { type: 'scalar', value: comparison ? (value ? 1 : 0) : value };
    }
    if (e.op === 'and' || e.op === 'or' || e.op === 'unless') return { type: 'vector', samples: this.setOp(e, this.vector(lhs), this.vector(rhs)) };
    const dropName = !comparison || e.returnBool;
    if (lhs.type === 'scalar' || rhs.type === 'scalar') {
      const scalarLeft = lhs.type === 'scalar';
      const scalar = scalarLeft ? (lhs as { value: number }).value : (rhs as { value: number }).value;
      const out: Sample[] = [];
      for (const s of this.vector(scalarLeft ? rhs : lhs)) {
        const [l, r] = scalarLeft ? [scalar, s.value] : [s.value, scalar];
        let [value, keep] = binop(e.op, l, r);
        // A comparison keeps the vector element's value, whichever side it is on.
        if (comparison && scalarLeft) value = r;
        if (e.returnBool) {
          value = keep ? 1 : 0;
          keep = true;
        }
        if (keep) out.push({ labels: dropName ? withoutName(s.labels) : s.labels, value });
      }
      return { type: 'vector', samples: out };
    }
    const right = new Map<string, Sample>();
    for (const s of this.vector(rhs)) {
      const sig = signature(s.labels, e.matching);
      if (right.has(sig)) throw new EvaluationError('many-to-many matching not allowed: matching labels must be unique on one side');
      right.set(sig, s);
    }
    const seen = new Set<string>();
    const out: Sample[] = [];
    for (const l of this.vector(lhs)) {
      const sig = signature(l.labels, e.matching);
      const r = right.get(sig);
      if (!r) continue;
      if (seen.has(sig)) throw new EvaluationError('found duplicate series for the match group on the left hand-side of the operation: many-to-one matching must be explicit (group_left)');
      seen.add(sig);
      let [value, keep] = binop(e.op, l.value, r.value);
      if (e.returnBool) {
        value = keep ? 1 : 0;
        keep = true;
      }
      if (!keep) continue;
      out.push({ labels: resultLabels(l.labels, e.matching, dropName), value });
    }
    return { type: 'vector', samples: out };
  }

  private setOp(e: Binary, lhs: readonly Sample[], rhs: readonly Sample[]): Sample[] {
    const rightSigs = new Set(rhs.map((s) => signature(s.labels, e.matching)));
    if (e.op === 'and') return lhs.filter((s) => rightSigs.has(signature(s.labels, e.matching)));
    if (e.op === 'unless') return lhs.filter((s) => !rightSigs.has(signature(s.labels, e.matching)));
    const leftSigs = new Set(lhs.map((s) => signature(s.labels, e.matching)));
    return [...lhs, ...rhs.filter((s) => !leftSigs.has(signature(s.labels, e.matching)))];
  }
}

function resultLabels(labels: Labels, matching: Binary['matching'], dropName: boolean): Labels {
  let out: Record<string, string> = { ...labels };
  if (dropName) delete out.__name__;
  if (matching?.on) {
    out = Object.fromEntries(matching.labels.filter((l) => l in labels).map((l) => [l, labels[l]!]));
  } else if (matching) for (const l of matching.labels) delete out[l];
  return out;
}

/** The operation's value and, for comparisons, whether it holds. */
export function binop(op: Binary['op'], l: number, r: number): [number, boolean] {
  switch (op) {
    case '+':
      return [l + r, true];
    case '-':
      return [l - r, true];
    case '*':
      return [l * r, true];
    case '/':
      return [l / r, true];
    case '%':
      return [l % r, true];
    case '^':
      return [Math.pow(l, r), true];
    case '==':
      return [l, l === r];
    case '!=':
      return [l, l !== r];
    case '<':
      return [l, l < r];
    case '<=':
      return [l, l <= r];
    case '>':
      return [l, l > r];
    case '>=':
      return [l, l >= r];
    default:
      throw new EvaluationError(`operator ${op} between scalars`);
  }
}

/**
 * rate/increase/delta: the change over the samples in the window,
 * extrapolated towards the window's ends (at most 1.1 average sample
 * intervals, else half of one), counters corrected for resets and not
 * extrapolated below zero — Prometheus 2.x's extrapolatedRate.
 */
function extrapolatedRate(s: RangeSeries, rangeArg: Expr, t: number, isCounter: boolean, isRate: boolean): number | null {
  const n = s.v.length;
  if (n < 2) return null;
  const m = rangeArg as MatrixSelector | Subquery;
  const offset = m.type === 'matrix' ? m.selector.offsetMs : m.offsetMs;
  const rangeStart = t - (m.rangeMs + offset);
  const rangeEnd = t - offset;
  let result = s.v[n - 1]! - s.v[0]!;
  if (isCounter) {
    let last = 0;
    for (const x of s.v) {
      if (x < last) result += last;
      last = x;
    }
  }
  let durationToStart = (s.t[0]! - rangeStart) / 1000;
  const durationToEnd = (rangeEnd - s.t[n - 1]!) / 1000;
  const sampledInterval = (s.t[n - 1]! - s.t[0]!) / 1000;
  const averageInterval = sampledInterval / (n - 1);
  if (isCounter && result > 0 && s.v[0]! >= 0) {
    const durationToZero = sampledInterval * (s.v[0]! / result);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  const threshold = averageInterval * 1.1;
  let extrapolateTo = sampledInterval;
  extrapolateTo += durationToStart < threshold ? durationToStart : averageInterval / 2;
  extrapolateTo += durationToEnd < threshold ? durationToEnd : averageInterval / 2;
  // One factor, then one multiplication: the order of Prometheus' operations, for the same rounding.
  let factor = extrapolateTo / sampledInterval;
  if (isRate) factor /= m.rangeMs / 1000;
  return result * factor;
}
