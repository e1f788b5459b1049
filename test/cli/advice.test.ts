import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatMiB, formatRange } from '../../src/model/size.js';
import { describe, expect, it } from 'vitest';
import type { Report, TargetReport } from '../../src/model/report.js';
import type { RunManifest } from '../../src/model/run.js';
import { runBuiltCli } from '../helpers/run-cli.js';

const PLATEAU = 'test/fixtures/runs/plateau';
const LEAK = 'test/fixtures/runs/leak';
const COMPONENTS = 'examples/operator-sim/components.yaml';
const tmp = (): string => mkdtempSync(join(tmpdir(), 'heaplens-advice-'));

async function analyze(run: string, ...flags: string[]): Promise<{ report: TargetReport; md: string }> {
  const out = tmp();
  const r = await runBuiltCli(['analyze', run, '--out', out, ...flags]);
  expect(r.code, r.stderr).toBe(0);
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
  return { report: report.targets[0]!, md: readFileSync(join(out, 'report.md'), 'utf8') };
}

/** Flat in-use bytes per function of the run's peak heap profile, as `heaplens top` computes them (go tool pprof's numbers). */
async function flatAtPeak(run: string, snapshot: number): Promise<Map<string, number>> {
  const manifest = JSON.parse(readFileSync(join(run, 'run.json'), 'utf8')) as RunManifest;
  const file = manifest.snapshots.find((s) => s.kind === 'heap' && s.index === snapshot && s.status === 'ok')!.file!;
  const top = await runBuiltCli(['top', join(run, file), '--json', '--nodefraction', '0']);
  const rows = (JSON.parse(top.stdout) as { rows: { name: string; flat: number }[] }).rows;
  return new Map(rows.map((r) => [r.name, r.flat]));
}

describe('recommendations from the catalog', () => {
  it('plateau: names the informer-cache and JSON-decoding components, with savings computed from their bytes', async () => {
    const { report, md } = await analyze(PLATEAU, '--components', COMPONENTS);
    const byId = new Map(report.recommendations.map((r) => [r.id, r]));
    const component = (name: string): number => report.components.find((c) => c.name === name)!.bytes;

    const transform = byId.get('informer-cache-transform')!;
    const cacheBytes = component('Informer watch & cache') + component('Informer lists (initial sync)');
    expect(transform.evidence).toMatchObject({ kind: 'component', subject: 'Informer watch & cache + Informer lists (initial sync)', bytes: cacheBytes });
    expect([transform.savingsLowBytes, transform.savingsHighBytes]).toEqual([Math.round(cacheBytes * 0.2), Math.round(cacheBytes * 0.4)]);
    expect(transform.evidence.frames).toContain('main.(*informerCache).watchEvent');

    const lists = byId.get('informer-list-selectors')!;
    const listBytes = component('Informer lists (initial sync)');
    expect([lists.savingsLowBytes, lists.savingsHighBytes]).toEqual([Math.round(listBytes * 0.3), Math.round(listBytes * 0.5)]);

    // JSON decoding cuts across components: the bytes allocated in encoding/json at the peak, which
    // heaplens top (go tool pprof's exact figures) confirms.
    const json = byId.get('typed-decoding')!;
    const flat = await flatAtPeak(PLATEAU, report.peak.heapSnapshot);
    const jsonBytes = [...flat].filter(([name]) => /^encoding\/json\./.test(name)).reduce((s, [, b]) => s + b, 0);
    expect(json.evidence.subject).toMatch(/^JSON decoding/);
    expect(json.evidence.bytes).toBe(jsonBytes);
    expect(json.estimatedSavingsBytes).toBe(Math.round((Math.round(jsonBytes * 0.3) + Math.round(jsonBytes * 0.5)) / 2));

    // Priorities run 1..n; the cheap, big ones come before the expensive ones.
    expect(report.recommendations.map((r) => r.priority)).toEqual(report.recommendations.map((_, i) => i + 1));
    expect(transform.priority).toBeLessThan(json.priority);
    expect(report.nonViable.map((r) => r.id)).toContain('reduce-runtime');
    for (const heading of ['### Recommended optimizations', '### Non-viable optimizations', '### Action plan', '### Success metrics']) expect(md).toContain(heading);
    expect(md).toMatch(/Strip unused fields from cached objects \(cache transforms\)/);
  });

  it('leak: fixing the leak comes first, naming the leaking function', async () => {
    const { report, md } = await analyze(LEAK, '--components', COMPONENTS);
    const first = report.recommendations[0]!;
    expect(first).toMatchObject({ id: 'fix-leak', priority: 1, title: 'Fix the leak in main.deepCopyJSON' });
    expect(first.evidence.frames.slice(0, 2)).toEqual(['main.deepCopyJSON', 'main.recordReconcileHistory']);
    expect(report.actionPlan[0]!.phase).toBe('Immediate');
    expect(report.actionPlan[0]!.items[0]!.id).toBe('fix-leak');
    expect(report.successMetrics.leakFree).toBe(true);
    expect(md).toContain('- No leak: the verdict must be no-leak');
  });

  it('an action below its evidence threshold is listed as rejected with the run\'s numbers', async () => {
    const { report } = await analyze(LEAK, '--components', COMPONENTS);
    // The leak run's OpenAPI schemas are a sliver of its heap.
    const openapi = report.nonViable.find((r) => r.id === 'openapi-memcache-discovery')!;
    expect(openapi.viable).toBe(false);
    expect(openapi.reason).toMatch(/^OpenAPI schemas & discovery holds .* \(1% of the heap\), under the 3% this action needs to pay off$/);
  });

  it('a saving whose range has equal ends prints one figure, not "a–a (100%–100%)"', async () => {
    const { report, md } = await analyze(LEAK);
    const fix = report.recommendations.find((r) => r.savingsLowBytes === r.savingsHighBytes && r.estimatedSavingsBytes > 0)!;
    expect(fix).toBeDefined();
    const figure = `${(fix.savingsLowBytes / 2 ** 20).toFixed(1)} MiB`;
    expect(fix.savingsBasis).toMatch(/^100% of /);
    expect(md).toContain(`- Estimated saving: **${figure}** (100% of `);
    expect(md).not.toMatch(/(\d MiB)–\1|100%–100%/);
    // A range with distinct ends keeps both.
    expect(formatRange(0.2, 0.4, (x) => `${x * 100}%`)).toBe('20%–40%');
    expect(formatRange(1, 1.0001, (x) => x.toFixed(1))).toBe('1.0');
    // A slope's interval end a hair below zero reads as zero, not "-0.0 MiB".
    expect(formatMiB(-1000)).toBe('0.0 MiB');
    expect(formatMiB(-0.05 * 2 ** 20)).toBe('-0.1 MiB');
    expect(formatMiB(1.25 * 2 ** 20)).toBe('1.3 MiB');
  });

  it('a user catalog comes first and can override a built-in entry', async () => {
    const dir = tmp();
    const catalog = join(dir, 'catalog.yaml');
    writeFileSync(
      catalog,
      'recommendations:\n  - id: typed-decoding\n    title: Use our codegen types\n    when: { functions: "^encoding/json\\\\." }\n    effort: low\n    risk: none\n    saving: [0.5, 0.9]\n    action: Generate types.\n',
    );
    const { report } = await analyze(PLATEAU, '--components', COMPONENTS, '--recommendations', catalog);
    const rec = report.recommendations.find((r) => r.id === 'typed-decoding')!;
    expect(rec.title).toBe('Use our codegen types');
    expect(rec.savingsHighBytes).toBe(Math.round(rec.evidence.bytes * 0.9));
  });

  it('a bad catalog is a one-line error naming file, line and key', async () => {
    const dir = tmp();
    const catalog = join(dir, 'catalog.yaml');
    writeFileSync(catalog, 'recommendations:\n  - id: x\n    title: X\n    when: { component: "a" }\n    effort: huge\n    risk: low\n    action: y\n');
    const r = await runBuiltCli(['analyze', PLATEAU, '--out', dir, '--recommendations', catalog]);
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`${catalog}:5: x: "effort" must be one of low, medium, high`);
  });
});

describe('success metrics', () => {
  it('baseline from the run; targets 25% lower by default, settable', async () => {
    const { report } = await analyze(PLATEAU);
    expect(report.successMetrics.baseline).toMatchObject({ peakHeapBytes: report.peak.heapInuseBytes, peakRssBytes: report.peak.rssBytes, verdict: report.verdict.kind });
    // 90 s of the plateau cannot rule out growth of the heap's size per hour: not a leak, not yet no-leak.
    expect(report.verdict.kind).toBe('inconclusive');
    expect(report.successMetrics.targets).toEqual([
      { metric: 'peakHeapBytes', baseline: report.peak.heapInuseBytes, target: Math.round(report.peak.heapInuseBytes * 0.75), reduction: 0.25 },
      { metric: 'peakRssBytes', baseline: report.peak.rssBytes, target: Math.round(report.peak.rssBytes! * 0.75), reduction: 0.25 },
    ]);
    const custom = await analyze(PLATEAU, '--target-reduction', '30%');
    expect(custom.report.successMetrics.targets[0]!.target).toBe(Math.round(report.peak.heapInuseBytes * 0.7));
    const bad = await runBuiltCli(['analyze', PLATEAU, '--out', tmp(), '--target-reduction', '150%']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--target-reduction: expected a number from 0 to 0.99, got "150%"/);
  });
});

describe('alerts in the report', () => {
  const rules = (dir: string, text: string): string => {
    const p = join(dir, 'alerts.yaml');
    writeFileSync(p, text);
    return p;
  };

  it('lists the alerts that fired in the executive summary, with their maximum and first firing time', async () => {
    const dir = tmp();
    const file = rules(
      dir,
      [
        'apiVersion: monitoring.coreos.com/v1',
        'kind: PrometheusRule',
        'metadata: { name: memory }',
        'spec:',
        '  groups:',
        '    - name: memory',
        '      rules:',
        '        - alert: MemoryGrowth',
        '          expr: deriv(process_resident_memory_bytes[30s]) > 100000',
        '          for: 10s',
        '          annotations: { summary: Memory Growth }',
        '        - alert: MemoryPeak',
        '          expr: process_resident_memory_bytes > 1e9',
        '          for: 10s',
        '',
      ].join('\n'),
    );
    const { report, md } = await analyze(LEAK, '--alerts', file);
    const [growth, peak] = report.alerts;
    expect(growth).toMatchObject({ name: 'MemoryGrowth', state: 'fired', source: file, unit: 'bytes/s' });
    expect(peak).toMatchObject({ name: 'MemoryPeak', state: 'inactive', fired: false });
    const rss = readFileSync(join(LEAK, 'operator-sim/metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { name: string; value: number }).filter((m) => m.name === 'process_resident_memory_bytes');
    expect(peak!.threshold!.observedMax).toBe(Math.max(...rss.map((m) => m.value)));
    const t0 = report.series[0]!.t;
    const start = Math.min(...report.series.map((p) => p.t));
    expect(growth!.firstFiredAt! - growth!.firstActiveAt!).toBeGreaterThanOrEqual(10_000);
    expect(md).toContain(`1. **MemoryGrowth** fired — Memory Growth: ${(growth!.maxValue! / 1e6).toFixed(1)} MB/s at most, first at +${Math.round((growth!.firstFiredAt! - t0) / 1000)}s (for 10s)`);
    expect(start).toBe(t0);
  });

  it('an alert only pending is listed apart from the fired ones, never as fired', async () => {
    const dir = tmp();
    const file = rules(
      dir,
      [
        'groups:',
        '  - name: memory',
        '    rules:',
        '      - alert: HeapAboveAByte', // true from the first evaluation: fires after 5 s
        '        expr: heaplens_heap_inuse_bytes > 1',
        '        for: 5s',
        '      - alert: HeapAboveAByteForAnHour', // just as true, but the run is 90 s: pending only
        '        expr: heaplens_heap_inuse_bytes > 1',
        '        for: 1h',
        '',
      ].join('\n'),
    );
    const { report, md } = await analyze(LEAK, '--alerts', file);
    expect(report.alerts.map((a) => [a.name, a.state])).toEqual([
      ['HeapAboveAByte', 'fired'],
      ['HeapAboveAByteForAnHour', 'pending'],
    ]);
    const fired = md.slice(md.indexOf('**Alerts fired:**'), md.indexOf('**Alerts pending**'));
    const pending = md.slice(md.indexOf('**Alerts pending**'), md.indexOf('**Verdict:'));
    expect(fired).toMatch(/1\. \*\*HeapAboveAByte\*\* fired — .* first at \+\d+s \(for 5s\)/);
    expect(fired).not.toContain('HeapAboveAByteForAnHour');
    expect(pending).toMatch(/- \*\*HeapAboveAByteForAnHour\*\* pending, never fired — .* active from \+\d+s but not for 1h/);
  });

  it.each([
    ['groups:\n  - name: g\n    rules:\n      - alert: A\n        exprr: up\n', /alerts\.yaml:5: unknown key "exprr" in a rule$/],
    ['groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: deriv(x[5m]\n', /alerts\.yaml:5: alert "A": expected "\)" but the expression ended at column 12 of "deriv\(x\[5m\]"$/],
    ['groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: x > 1\n        for: soon\n', /alerts\.yaml:6: alert "A": "for" must be a duration like 5m, got "soon"$/],
    ['groups:\n  - name: g\n    rules: [\n', /alerts\.yaml:\d+: not valid YAML/],
    ['groups:\n  - name: g\n    rules:\n      - record: a-b\n        expr: x\n', /alerts\.yaml:4: record "a-b": not a valid metric name$/],
  ])('a bad rule file is a one-line error with file and line (%#)', async (text, message) => {
    const dir = tmp();
    const r = await runBuiltCli(['analyze', PLATEAU, '--out', dir, '--alerts', rules(dir, text)]);
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr.trim()).toMatch(message);
  });

  it('run reads the rule file before it starts the command', async () => {
    const dir = tmp();
    const marker = join(dir, 'ran');
    const r = await runBuiltCli(['run', '--target', 'sim=http://127.0.0.1:9', '--out', join(dir, 'run'), '--alerts', rules(dir, 'groups: [\n'), '--', 'touch', marker]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/alerts\.yaml:\d+: not valid YAML/);
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(join(dir, 'run'))).toBe(false);
  });
});
