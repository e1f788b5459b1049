import { describe, expect, it } from 'vitest';
import type { Expr } from '../../src/analyze/promql/ast.js';
import { evaluateRules } from '../../src/analyze/alerts.js';
import { evaluate, EvaluationError, type Series } from '../../src/analyze/promql/evaluate.js';
import { parsePromDuration, parsePromQL, PromQLError } from '../../src/analyze/promql/parse.js';

const rss = (values: number[], stepMs = 1000, labels: Record<string, string> = { job: 'a' }): Series => ({
  labels: { __name__: 'rss', ...labels },
  t: values.map((_, i) => i * stepMs),
  v: values,
});

function vectorAt(expr: string, t: number, series: Series[]): { labels: Record<string, string>; value: number }[] {
  const v = evaluate(parsePromQL(expr), t, { series, intervalMs: 1000 });
  if (v.type === 'scalar') return [{ labels: {}, value: v.value }];
  if (v.type !== 'vector') throw new Error(`not a vector: ${v.type}`);
  return v.samples.map((s) => ({ labels: { ...s.labels }, value: s.value }));
}

/** The parse tree as an S-expression: operators, names and numbers as PromQL defines them (durations in ms). */
function tree(e: Expr): string {
  const sel = (v: { matchers: readonly { name: string; op: string; value: string }[]; offsetMs: number }): string =>
    `{${v.matchers.map((m) => `${m.name}${m.op}${JSON.stringify(m.value)}`).join(',')}}${v.offsetMs ? ` offset ${v.offsetMs}` : ''}`;
  switch (e.type) {
    case 'number':
      return String(e.value);
    case 'string':
      return JSON.stringify(e.value);
    case 'vector':
      return sel(e);
    case 'matrix':
      return `${sel(e.selector)}[${e.rangeMs}]`;
    case 'subquery':
      return `(${tree(e.expr)})[${e.rangeMs}:${e.stepMs ?? ''}]${e.offsetMs ? ` offset ${e.offsetMs}` : ''}`;
    case 'call':
      return `(${e.func} ${e.args.map(tree).join(' ')})`;
    case 'aggregate':
      return `(${e.op}${e.grouping.length || e.without ? ` ${e.without ? 'without' : 'by'}(${e.grouping.join(',')})` : ''} ${tree(e.expr)})`;
    case 'binary':
      return `(${e.op}${e.returnBool ? ' bool' : ''}${e.matching ? ` ${e.matching.on ? 'on' : 'ignoring'}(${e.matching.labels.join(',')})` : ''} ${tree(e.lhs)} ${tree(e.rhs)})`;
    case 'unary':
      return `(${e.op} ${tree(e.expr)})`;
  }
}

describe('PromQL subset: parsing', () => {
  it.each([
    ['deriv(rss[5m]) > 100000', '(> (deriv {__name__="rss"}[300000]) 100000)'],
    ['sum by (job) (rate(x_total{a="b", c=~"d.*", e!="", f!~"g"}[1m])) / 1e6', '(/ (sum by(job) (rate {__name__="x_total",a="b",c=~"d.*",e!="",f!~"g"}[60000])) 1000000)'],
    ['max without (pod) (max_over_time(rss[1h30m] offset 5m))', '(max without(pod) (max_over_time {__name__="rss"} offset 300000[5400000]))'],
    ['deriv(sum(rss)[5m:30s])', '(deriv ((sum {__name__="rss"}))[300000:30000])'],
    ['rss > bool 10', '(> bool {__name__="rss"} 10)'],
    ['a + on(job) b', '(+ on(job) {__name__="a"} {__name__="b"})'],
    // ^ binds tighter than a sign (prometheus/prometheus#6579): -(rss ^ 2); and 2 ^ -1 takes the sign on its right.
    ['-rss ^ 2', '(- (^ {__name__="rss"} 2))'],
    ['-2 ^ 2', '(- (^ 2 2))'],
    ['rss ^ -1', '(^ {__name__="rss"} -1)'],
    ['- - 1', '1'],
    ["{__name__=~'rss|heap'}", '{__name__=~"rss|heap"}'],
    ['predict_linear(rss[10m], 3600) > 1e9', '(> (predict_linear {__name__="rss"}[600000] 3600) 1000000000)'],
    ['time() - 0x10', '(- (time ) 16)'],
    // Left-associative, * before +, comparisons last.
    ['1 + 2 * 3 - 4 > bool 0', '(> bool (- (+ 1 (* 2 3)) 4) 0)'],
  ])('parses %s as %s', (expr, expected) => {
    expect(tree(parsePromQL(expr))).toBe(expected);
  });

  it.each([
    ['deriv(rss[5m]', /expected "\)" but the expression ended at column 14/],
    ['histogram_quantile(0.9, x)', /function "histogram_quantile" is not in heaplens' PromQL subset \(rate, .*\) at column 1/],
    ['topk(3, rss)', /aggregation "topk" is not in heaplens' PromQL subset/],
    ['1 > 2', /comparisons between scalars must use the bool modifier/],
    ['rss[5m] > 1', /binary expression must contain only scalar and instant vector types/],
    ['deriv(rss)', /function "deriv" expects a range vector as argument 1, got vector/],
    ['rss[5]', /bad duration "5"/],
    ['rss[1.5m]', /bad duration/],
    ['{job=""}', /vector selector must contain at least one non-empty matcher/],
    ['rss{job=~"("}', /invalid regular expression/],
    ['rss{job="a}', /unterminated quoted string/],
    ['a * on(job) group_left b', /group_left\/group_right/],
    ['rss @ 100', /the @ modifier is not in heaplens' PromQL subset/],
    ['rss offset 5m offset 1m', /offset may not be set multiple times/],
    ['rss and 1', /set operator "and" not allowed in binary scalar expression/],
    ['5m', /bad number or duration syntax/],
    ['rss )', /unexpected "\)"/],
  ])('refuses %s, naming the column', (expr, message) => {
    let error: unknown;
    try {
      parsePromQL(expr);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PromQLError);
    expect((error as Error).message).toMatch(message);
  });

  it('reads Prometheus durations', () => {
    expect(parsePromDuration('1h30m')).toBe(5_400_000);
    expect(parsePromDuration('500ms')).toBe(500);
    expect(parsePromDuration('2w')).toBe(1_209_600_000);
    expect(parsePromDuration('1y')).toBe(31_536_000_000);
    expect(parsePromDuration('1.5m')).toBeNull();
    expect(parsePromDuration('5')).toBeNull();
  });
});

describe('PromQL subset: evaluation (Prometheus 2.x semantics)', () => {
  it('deriv is the least-squares slope per second over the window, both ends included', () => {
    // 0, 10, 20 ... at 1 s steps: slope 10/s whatever the window.
    const s = rss(Array.from({ length: 20 }, (_, i) => i * 10));
    expect(vectorAt('deriv(rss[5s])', 10_000, [s])).toEqual([{ labels: { job: 'a' }, value: 10 }]);
    // [t−5s, t] holds 6 samples in 2.x (both ends): count_over_time says so.
    expect(vectorAt('count_over_time(rss[5s])', 10_000, [s])[0]!.value).toBe(6);
    // One sample in the window: no deriv.
    expect(vectorAt('deriv(rss[500ms])', 10_000, [s])).toEqual([]);
  });

  it('an instant selector looks back at most 5 minutes', () => {
    const s = rss([1, 2, 3]);
    expect(vectorAt('rss', 2000 + 300_000, [s])).toEqual([{ labels: { __name__: 'rss', job: 'a' }, value: 3 }]);
    expect(vectorAt('rss', 2001 + 300_000, [s])).toEqual([]);
  });

  it('comparisons filter and keep the name; arithmetic and bool drop it', () => {
    const s = rss([1, 5]);
    expect(vectorAt('rss > 2', 1000, [s])).toEqual([{ labels: { __name__: 'rss', job: 'a' }, value: 5 }]);
    expect(vectorAt('rss > 9', 1000, [s])).toEqual([]);
    expect(vectorAt('rss > bool 9', 1000, [s])).toEqual([{ labels: { job: 'a' }, value: 0 }]);
    expect(vectorAt('2 < rss', 1000, [s])).toEqual([{ labels: { __name__: 'rss', job: 'a' }, value: 5 }]);
    expect(vectorAt('rss * 2', 1000, [s])).toEqual([{ labels: { job: 'a' }, value: 10 }]);
  });

  it('rate extrapolates to the window edges and corrects counter resets', () => {
    // 10/s for 10 s, a restart to 0, then 10/s again.
    const values = [...Array.from({ length: 11 }, (_, i) => i * 10), ...Array.from({ length: 10 }, (_, i) => i * 10)];
    const c = { labels: { __name__: 'c_total' }, t: values.map((_, i) => i * 1000), v: values };
    expect(vectorAt('rate(c_total[20s])', 20_000, [c])[0]!.value).toBeCloseTo(9.5, 10);
  });

  it('aggregates by and without labels', () => {
    const a = rss([10], 1000, { job: 'a', pod: '1' });
    const b = rss([30], 1000, { job: 'a', pod: '2' });
    const c = rss([5], 1000, { job: 'b', pod: '3' });
    const sum = vectorAt('sum by (job) (rss)', 0, [a, b, c]).sort((x, y) => (x.labels.job! < y.labels.job! ? -1 : 1));
    expect(sum).toEqual([
      { labels: { job: 'a' }, value: 40 },
      { labels: { job: 'b' }, value: 5 },
    ]);
    expect(vectorAt('max without (pod) (rss)', 0, [a, b, c]).find((x) => x.labels.job === 'a')!.value).toBe(30);
    expect(vectorAt('avg(rss)', 0, [a, b, c])[0]!.value).toBe(15);
    expect(vectorAt('count(rss)', 0, [a, b, c])[0]!.value).toBe(3);
  });

  it('refuses results Prometheus refuses', () => {
    const a = rss([10], 1000, { job: 'a' });
    const heap = { labels: { __name__: 'heap', job: 'a' }, t: [0], v: [5] };
    expect(() => vectorAt('abs({job="a"})', 0, [a, heap])).toThrow(EvaluationError);
    expect(() => vectorAt('abs({job="a"})', 0, [a, heap])).toThrow(/same labelset/);
    const a2 = rss([3], 1000, { job: 'a', pod: 'x' });
    expect(() => vectorAt('rss - on(job) heap', 0, [a, a2, heap])).toThrow(/duplicate series for the match group/);
  });
});

describe('alert rule state machine', () => {
  const growth = (forMs: number, keepFiringForMs = 0) => ({
    source: 'test',
    groups: [{ name: 'g', intervalMs: null, rules: [{ kind: 'alert' as const, name: 'High', expr: 'rss > 5', forMs, keepFiringForMs, labels: { severity: 'warning' }, annotations: {} }] }],
  });
  // Above 5 from t=3s to t=9s (7 evaluations), then below.
  const series = [rss([0, 0, 0, 6, 7, 8, 9, 8, 7, 6, 0, 0, 0, 0, 0])];

  it('is pending from the first active evaluation and fires once active for `for`', () => {
    const [a] = evaluateRules(growth(3000), series, { start: 0, end: 14_000, intervalMs: 1000 });
    expect(a).toMatchObject({ state: 'fired', firstActiveAt: 3000, firstFiredAt: 6000, maxValue: 9, firingEvaluations: 4 });
    expect(a!.firing).toEqual([{ labels: { job: 'a', severity: 'warning', alertname: 'High' }, from: 6000, to: 9000 }]);
  });

  it('stays pending when the condition ends before `for`', () => {
    const [a] = evaluateRules(growth(10_000), series, { start: 0, end: 14_000, intervalMs: 1000 });
    expect(a).toMatchObject({ state: 'pending', fired: false, firstFiredAt: null, firstActiveAt: 3000 });
  });

  it('keeps firing for keep_firing_for after the condition ends', () => {
    const [a] = evaluateRules(growth(0, 3000), series, { start: 0, end: 14_000, intervalMs: 1000 });
    expect(a!.firing).toEqual([{ labels: { job: 'a', severity: 'warning', alertname: 'High' }, from: 3000, to: 12_000 }]);
  });

  it('says no-data when the metric was never collected', () => {
    const [a] = evaluateRules(growth(0), [{ labels: { __name__: 'other' }, t: [0], v: [1] }], { start: 0, end: 0, intervalMs: 1000 });
    expect(a!.state).toBe('no-data');
  });
});
