import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { evaluateRules } from '../../src/analyze/alerts.js';
import { evaluate, type Series } from '../../src/analyze/promql/evaluate.js';
import { parsePromQL } from '../../src/analyze/promql/parse.js';
import type { RuleSet } from '../../src/model/alert-rules.js';
import { hasTool } from '../helpers/tools.js';

/**
 * heaplens' rule evaluator against the real thing: for each example run, the
 * test takes the run's scraped series (RSS, heap in use, the cumulative
 * allocation counter), evaluates expressions and alert rules with heaplens,
 * writes what heaplens computed as the expected samples and alerts of a
 * `promtool test rules` unit test (Debian's Prometheus 2.42), and promtool
 * must pass it: same values bit for bit, same alerts firing at the same times.
 * promtool loads series at a fixed step, so the samples are placed 1 s apart.
 */

const RUNS = ['plateau', 'leak', 'spike', 'sawtooth'];
const METRICS = ['process_resident_memory_bytes', 'go_memstats_heap_inuse_bytes', 'go_memstats_alloc_bytes_total', 'go_memstats_num_gc'];
const STEP = 1000;

function runSeries(run: string): Series[] {
  const dir = join('test/fixtures/runs', run, 'operator-sim');
  const lines = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { t: number; name: string; value: number });
  return METRICS.map((name) => {
    const v = lines.filter((l) => l.name === name).map((l) => l.value);
    return { labels: { __name__: name, job: 'sim' }, t: v.map((_, i) => i * STEP), v };
  });
}

/** The next larger double. */
function nextUp(x: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  view.setBigInt64(0, view.getBigInt64(0) + (x >= 0 ? 1n : -1n));
  return view.getFloat64(0);
}

function metricText(labels: Readonly<Record<string, string>>): string {
  const { __name__: name, ...rest } = labels;
  const pairs = Object.keys(rest)
    .sort()
    .map((k) => `${k}=${JSON.stringify(rest[k])}`);
  return `${name ?? ''}{${pairs.join(',')}}`;
}

const EXPRESSIONS = [
  'deriv(process_resident_memory_bytes[30s])',
  'deriv(go_memstats_heap_inuse_bytes[1m])',
  'rate(go_memstats_alloc_bytes_total[20s])',
  'increase(go_memstats_alloc_bytes_total[45s])',
  'delta(process_resident_memory_bytes[15s])',
  'irate(go_memstats_num_gc[10s])',
  'max_over_time(process_resident_memory_bytes[1m])',
  'min_over_time(go_memstats_heap_inuse_bytes[30s])',
  'avg_over_time(process_resident_memory_bytes[40s])',
  'sum_over_time(go_memstats_heap_inuse_bytes[10s])',
  'count_over_time(process_resident_memory_bytes[25s])',
  'last_over_time(process_resident_memory_bytes[25s])',
  'predict_linear(process_resident_memory_bytes[30s], 3600)',
  'deriv(process_resident_memory_bytes[30s:5s])',
  'max_over_time(deriv(process_resident_memory_bytes[20s])[40s:])',
  'process_resident_memory_bytes - go_memstats_heap_inuse_bytes',
  '(process_resident_memory_bytes - go_memstats_heap_inuse_bytes) / process_resident_memory_bytes',
  'process_resident_memory_bytes > 50000000',
  'process_resident_memory_bytes > bool 50000000',
  '60000000 < process_resident_memory_bytes',
  'sum by (job) (process_resident_memory_bytes) / 1e6',
  'avg without (job) ({__name__=~"process_resident_memory_bytes|go_memstats_heap_inuse_bytes"})',
  'count({__name__=~"go_.*"})',
  'max(last_over_time({__name__=~"process_.*|go_memstats_heap.*"}[30s]))',
  'process_resident_memory_bytes offset 10s - process_resident_memory_bytes',
  'process_resident_memory_bytes and on(job) go_memstats_heap_inuse_bytes > 20000000',
  'abs(-process_resident_memory_bytes) % 1000000',
  'round(process_resident_memory_bytes / 1e6, 0.1)',
  'clamp_max(deriv(process_resident_memory_bytes[20s]), 500000)',
  'scalar(max(process_resident_memory_bytes)) * 2',
  '2 ^ 3 ^ 2 - -1',
  // A sign binds looser than ^: -(x ^ 2) is negative (prometheus/prometheus#6579).
  '-process_resident_memory_bytes ^ 2 / 1e12',
  '-2 ^ 2 + vector(0)',
];
const EVAL_TIMES = [0, 5, 14, 30, 31, 45, 59, 60, 77, 89];

/** Rules with thresholds taken from the run's own range, so alerts come and go. */
function rulesFor(series: Series[]): RuleSet {
  const rss = series[0]!.v;
  const sorted = [...rss].sort((a, b) => a - b);
  const p60 = sorted[Math.floor(sorted.length * 0.6)]!;
  const alert = (name: string, expr: string, forMs: number, keepFiringForMs = 0) => ({ kind: 'alert' as const, name, expr, forMs, keepFiringForMs, labels: { severity: 'warning' }, annotations: { summary: name } });
  return {
    source: 'test',
    groups: [
      {
        name: 'memory',
        intervalMs: null,
        rules: [
          { kind: 'record', name: 'job:rss_growth:deriv30s', expr: 'deriv(process_resident_memory_bytes[30s])', labels: { recorded: 'yes' } },
          alert('MemoryGrowth', 'job:rss_growth:deriv30s > 200000', 10_000),
          alert('MemoryPeak', `process_resident_memory_bytes > ${p60}`, 15_000),
          alert('MemoryPeakNow', `process_resident_memory_bytes > ${p60}`, 0),
          alert('HeapAboveHalfRss', 'go_memstats_heap_inuse_bytes / process_resident_memory_bytes > 0.5', 5_000, 8_000),
          alert('GcBurst', 'increase(go_memstats_num_gc[10s]) >= 3', 3_000, 4_000),
        ],
      },
    ],
  };
}

function ruleFile(rules: RuleSet): string {
  return stringify({
    groups: rules.groups.map((g) => ({
      name: g.name,
      rules: g.rules.map((r) =>
        r.kind === 'record'
          ? { record: r.name, expr: r.expr, labels: r.labels }
          : { alert: r.name, expr: r.expr, for: `${r.forMs / 1000}s`, ...(r.keepFiringForMs ? { keep_firing_for: `${r.keepFiringForMs / 1000}s` } : {}), labels: r.labels, annotations: r.annotations },
      ),
    })),
  });
}

describe.runIf(hasTool('promtool', ['--version']))('PromQL and alert rules agree with promtool test rules (Prometheus 2.42)', () => {
  for (const run of RUNS) {
    it(`${run}: ${EXPRESSIONS.length} expressions × ${EVAL_TIMES.length} times and 5 alert rules at every second`, () => {
      const series = runSeries(run);
      const end = (series[0]!.v.length - 1) * STEP;
      const ctx = { series, intervalMs: STEP };
      const exprTests = EXPRESSIONS.flatMap((expr) =>
        EVAL_TIMES.map((s) => {
          const v = evaluate(parsePromQL(expr), s * 1000, ctx);
          const samples = v.type === 'scalar' ? [{ labels: {}, value: v.value }] : v.type === 'vector' ? v.samples : [];
          return { expr, eval_time: `${s}s`, exp_samples: samples.map((x) => ({ labels: metricText(x.labels), value: x.value })) };
        }),
      );
      const rules = rulesFor(series);
      const results = evaluateRules(rules, series, { start: 0, end, intervalMs: STEP });
      // What fires at each second, per rule, from heaplens' firing periods.
      const alertTests = results.flatMap((a) => {
        const times: number[] = [];
        for (let s = 0; s * STEP <= end; s++) times.push(s);
        return times.map((s) => ({
          eval_time: `${s}s`,
          alertname: a.name,
          exp_alerts: a.firing
            .filter((f) => f.from <= s * STEP && s * STEP <= f.to)
            .map((f) => {
              const { alertname: _n, ...labels } = f.labels;
              return { exp_labels: labels, exp_annotations: a.annotations };
            }),
        }));
      });
      // The rules must do something on this data: at least one fires and one stays quiet at some time.
      expect(results.some((a) => a.fired)).toBe(true);
      const dir = mkdtempSync(join(tmpdir(), 'heaplens-promtool-'));
      writeFileSync(join(dir, 'rules.yaml'), ruleFile(rules));
      const test = {
        rule_files: ['rules.yaml'],
        evaluation_interval: '1s',
        tests: [
          {
            interval: '1s',
            input_series: series.map((s) => ({ series: metricText(s.labels), values: s.v.join(' ') })),
            alert_rule_test: alertTests,
            promql_expr_test: exprTests,
          },
        ],
      };
      writeFileSync(join(dir, 'test.yaml'), stringify(test, { lineWidth: 0 }));
      let output = '';
      try {
        output = execFileSync('promtool', ['test', 'rules', join(dir, 'test.yaml')], { encoding: 'utf8', stdio: 'pipe' });
      } catch (e) {
        const err = e as { stdout?: string; stderr?: string };
        throw new Error(`promtool disagrees with heaplens on ${run}:\n${(err.stdout ?? '').slice(0, 4000)}${(err.stderr ?? '').slice(0, 4000)}`);
      }
      expect(output).toMatch(/SUCCESS/);

      // Controls: the comparison is exact and covers the alerts. One deriv off by one ulp, and one
      // firing alert moved a second later, must each make promtool fail.
      const deriv = exprTests.find((x) => x.expr.startsWith('deriv(process') && x.exp_samples.length === 1 && x.exp_samples[0]!.value !== 0)!;
      const fired = results.find((a) => a.firing.length > 0 && a.firing[0]!.from > 0)!;
      const firstFiring = alertTests.find((x) => x.alertname === fired.name && x.eval_time === `${fired.firing[0]!.from / STEP}s`)!;
      const controls: [() => void, () => void][] = [];
      const value = deriv.exp_samples[0]!.value;
      controls.push([() => (deriv.exp_samples[0]!.value = nextUp(value)), () => (deriv.exp_samples[0]!.value = value)]);
      const time = firstFiring.eval_time;
      controls.push([() => (firstFiring.eval_time = `${fired.firing[0]!.from / STEP - 1}s`), () => (firstFiring.eval_time = time)]);
      for (const [perturb, undo] of controls) {
        perturb();
        writeFileSync(join(dir, 'control.yaml'), stringify(test, { lineWidth: 0 }));
        expect(() => execFileSync('promtool', ['test', 'rules', join(dir, 'control.yaml')], { stdio: 'pipe' })).toThrow();
        undo();
      }
    });
  }
});
