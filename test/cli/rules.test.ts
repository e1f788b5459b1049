import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { Report } from '../../src/model/report.js';
import { startMetricServer } from '../helpers/metric-servers.js';
import { runBuiltCli } from '../helpers/run-cli.js';
import { hasTool } from '../helpers/tools.js';
import { startWorkload } from '../helpers/workload.js';

const PLATEAU = 'test/fixtures/runs/plateau';
const LEAK = 'test/fixtures/runs/leak';
const tmp = (): string => mkdtempSync(join(tmpdir(), 'heaplens-rules-'));

interface RuleFile {
  groups: { name: string; rules: { alert: string; expr: string; for: string }[] }[];
}

function promtoolCheck(file: string): string {
  return execFileSync('promtool', ['check', 'rules', file], { encoding: 'utf8', stdio: 'pipe' });
}

describe('heaplens rules', () => {
  it('derives the thresholds from the run: peak × headroom, growth above the largest windowed slope', async () => {
    const r = await runBuiltCli(['rules', PLATEAU, '--growth-window', '30s', '--min-for', '10s', '--headroom', '1.5']);
    expect(r.code, r.stderr).toBe(0);
    const rules = (parse(r.stdout) as RuleFile).groups[0]!.rules;
    const report = JSON.parse((await runBuiltCli(['analyze', PLATEAU, '--json', '--out', tmp(), '--growth-window', '30s', '--min-for', '10s', '--headroom', '1.5'])).stdout) as Report;
    const th = report.targets[0]!.thresholds!;
    const peakRss = Math.max(...report.targets[0]!.series.map((p) => p.rssBytes ?? 0));
    expect(th.peak.observedBytes).toBe(peakRss);
    // Two significant digits, rounded up, at or above peak × 1.5.
    expect(th.peak.bytes).toBeGreaterThanOrEqual(peakRss * 1.5);
    expect(th.peak.bytes).toBeLessThan(peakRss * 1.5 * 1.1);
    expect(rules.find((x) => x.alert === 'MemoryPeak')!.expr).toBe(`process_resident_memory_bytes > ${th.peak.bytes}`);
    expect(th.growth.bytesPerSec).toBeGreaterThanOrEqual(th.growth.observedBytesPerSec! * 1.5);
    expect(rules.find((x) => x.alert === 'MemoryGrowth')!.expr).toBe(`deriv(process_resident_memory_bytes[30s]) > ${th.growth.bytesPerSec}`);
    // `for` outlasts the longest spike phase.
    const spikes = [...report.targets[0]!.phases, ...report.targets[0]!.rssPhases].filter((p) => p.kind === 'spike');
    expect(spikes.length).toBeGreaterThan(0);
    expect(th.forSeconds * 1000).toBeGreaterThan(Math.max(...spikes.map((p) => p.endT - p.startT)));
    // On the run they come from, the recommended rules stay quiet.
    expect(th.onThisRun.map((a) => [a.name, a.fired])).toEqual([
      ['MemoryGrowth', false],
      ['MemoryPeak', false],
    ]);
  });

  it.runIf(hasTool('promtool', ['--version']))('writes a rule file promtool check rules accepts, and a PrometheusRule whose spec it accepts', async () => {
    const dir = tmp();
    const out = join(dir, 'rules.yaml');
    const r = await runBuiltCli(['rules', LEAK, '--out', out, '--selector', 'job="sim",namespace=~"olmv1-.*"']);
    expect(r.code, r.stderr).toBe(0);
    expect(promtoolCheck(out)).toMatch(/SUCCESS: 2 rules found/);
    expect(readFileSync(out, 'utf8')).toContain('process_resident_memory_bytes{job="sim",namespace=~"olmv1-.*"} >');

    const cr = await runBuiltCli(['rules', LEAK, '--format', 'prometheus-rule', '--name', 'operator-memory', '--namespace', 'olmv1-system']);
    expect(cr.code, cr.stderr).toBe(0);
    const object = parse(cr.stdout) as { apiVersion: string; kind: string; metadata: { name: string; namespace: string }; spec: RuleFile };
    expect(object).toMatchObject({ apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'operator-memory', namespace: 'olmv1-system' } });
    const spec = join(dir, 'spec.yaml');
    writeFileSync(spec, stringify(object.spec));
    expect(promtoolCheck(spec)).toMatch(/SUCCESS: 2 rules found/);
  });

  it('refuses bad flags and runs without memory series with one-line errors', async () => {
    const bad = await runBuiltCli(['rules', PLATEAU, '--selector', 'job=sim']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/--selector: not a list of label matchers/);
    const format = await runBuiltCli(['rules', PLATEAU, '--format', 'yaml']);
    expect(format.code).toBe(2);
    expect(format.stderr).toMatch(/--format: unknown format "yaml"/);
    const window = await runBuiltCli(['rules', PLATEAU, '--growth-window', '1.5m']);
    expect(window.code).toBe(2);
    expect(window.stderr).toMatch(/--growth-window: expected a Prometheus duration/);
    const missing = await runBuiltCli(['rules', join(tmp(), 'nope')]);
    expect(missing.code).toBe(3);
  });
});

const live = hasTool('go') && hasTool('prometheus', ['--version']);

describe.runIf(live)('recommended rules in a real Prometheus 2.42', () => {
  it('thresholds from the plateau run stay quiet on it, fire on the leak run in heaplens, and fire in Prometheus scraping the leaking workload', async () => {
    const dir = tmp();
    const rules = join(dir, 'rules.yaml');
    const made = await runBuiltCli(['rules', PLATEAU, '--out', rules, '--growth-window', '30s', '--min-for', '10s']);
    expect(made.code, made.stderr).toBe(0);
    const growthRule = (parse(readFileSync(rules, 'utf8')) as RuleFile).groups[0]!.rules.find((r) => r.alert === 'MemoryGrowth')!;
    const plateau = JSON.parse((await runBuiltCli(['analyze', PLATEAU, '--growth-window', '30s', '--min-for', '10s', '--json', '--out', tmp()])).stdout) as Report;
    expect(plateau.targets[0]!.thresholds!.rules.find((r) => r.alert === 'MemoryGrowth')!.expr).toBe(growthRule.expr);
    expect(plateau.targets[0]!.thresholds!.onThisRun.filter((a) => a.fired)).toEqual([]);

    // heaplens' own evaluation of the same file over the leak run.
    const leak = JSON.parse((await runBuiltCli(['analyze', LEAK, '--alerts', rules, '--json', '--out', tmp()])).stdout) as Report;
    const growth = leak.targets[0]!.alerts.find((a) => a.name === 'MemoryGrowth')!;
    expect(growth.state).toBe('fired');
    expect(growth.maxValue!).toBeGreaterThan(growth.threshold!.value);

    const w = await startWorkload('leak');
    const server = await startMetricServer('prometheus', new URL(w.url).host, { ruleFiles: [rules] });
    try {
      const rulesApi = (await (await fetch(`${server.url}/api/v1/rules`)).json()) as { data: { groups: { rules: { name: string; query: string }[] }[] } };
      expect(rulesApi.data.groups[0]!.rules.find((r) => r.name === 'MemoryGrowth')!.query).toBe(growthRule.expr);
      const deadline = Date.now() + 150_000;
      let state = 'none';
      while (Date.now() < deadline && state !== 'firing') {
        await new Promise((r) => setTimeout(r, 2000));
        const alerts = (await (await fetch(`${server.url}/api/v1/alerts`)).json()) as { data: { alerts: { labels: { alertname: string }; state: string }[] } };
        state = alerts.data.alerts.find((a) => a.labels.alertname === 'MemoryGrowth')?.state ?? 'none';
      }
      expect(state).toBe('firing');
    } finally {
      server.stop();
      w.stop();
    }
  }, 200_000);
});
