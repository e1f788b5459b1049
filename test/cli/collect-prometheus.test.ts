import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { MetricSample, RunManifest } from '../../src/model/run.js';
import { startMetricServer } from '../helpers/metric-servers.js';
import { hasTool } from '../helpers/tools.js';
import { startWorkload } from '../helpers/workload.js';

const exec = promisify(execFile);
const ready = hasTool('go') && hasTool('prometheus', ['--version']) && hasTool('victoria-metrics', ['-version']);

describe.runIf(ready).each(['prometheus', 'victoria-metrics'] as const)('--prometheus against real %s', (kind) => {
  it('pulls process_resident_memory_bytes for the run window, matching what the collector scraped directly', async () => {
    const w = await startWorkload('plateau');
    const server = await startMetricServer(kind, new URL(w.url).host);
    try {
      // Past the workload's start-up churn, when RSS moves by more than a few percent a second.
      await new Promise((r) => setTimeout(r, 2000));
      const dir = join(mkdtempSync(join(tmpdir(), 'heaplens-prom-')), 'run');
      await exec('node', [
        'dist/cli/main.js', 'collect', '--target', `sim=${w.url}`, '--out', dir, '--interval', '1s', '--duration', '8s', '--quiet',
        '--prometheus', server.url, '--query', 'rss=process_resident_memory_bytes', '--query', 'sim/started=process_start_time_seconds',
      ]);
      const manifest = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunManifest;
      expect(manifest.events.filter((e) => e.kind === 'metrics-failed')).toEqual([]);
      const metrics = readFileSync(join(dir, 'sim/metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as MetricSample);
      const direct = metrics.filter((m) => m.name === 'process_resident_memory_bytes');
      const pulled = metrics.filter((m) => m.name === 'rss');
      const start = Date.parse(manifest.start);
      const end = Date.parse(manifest.end!);
      expect(pulled.length).toBeGreaterThanOrEqual(6);
      expect(pulled.every((m) => m.t >= start - 1000 && m.t <= end + 1000)).toBe(true);
      expect(pulled[0]!.labels).toMatchObject({ job: 'sim' });
      // A constant series comes back exactly from Prometheus; VictoriaMetrics stores floats with
      // a decimal compression that keeps about 15 significant digits.
      const startTime = metrics.find((m) => m.name === 'process_start_time_seconds')!.value;
      for (const m of metrics.filter((x) => x.name === 'started')) {
        if (kind === 'prometheus') expect(m.value).toBe(startTime);
        else expect(Math.abs(m.value - startTime) / startTime).toBeLessThan(1e-14);
      }
      // RSS moves between the two scrapers' moments: each pulled point is within 5% of the range
      // the collector saw directly within two scrape intervals of it.
      let compared = 0;
      for (const p of pulled) {
        const near = direct.filter((d) => d.t >= p.t - 2000 && d.t <= p.t + 2000).map((d) => d.value);
        if (near.length === 0) continue; // before the first or after the last direct scrape
        compared++;
        expect(p.value).toBeGreaterThanOrEqual(Math.min(...near) * 0.95);
        expect(p.value).toBeLessThanOrEqual(Math.max(...near) * 1.05);
      }
      expect(compared).toBeGreaterThanOrEqual(5);
    } finally {
      server.stop();
      w.stop();
    }
  }, 90_000);
});

describe.runIf(ready)('--prometheus --live against a real Prometheus 2.42', () => {
  const read = (dir: string): MetricSample[] =>
    readFileSync(join(dir, 'sim/metrics.jsonl'), 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as MetricSample);

  it('pulls the query every interval while the run goes on: a run killed half-way already holds them', async () => {
    const w = await startWorkload('plateau');
    const server = await startMetricServer('prometheus', new URL(w.url).host);
    try {
      const dir = join(mkdtempSync(join(tmpdir(), 'heaplens-live-')), 'run');
      const child = spawn('node', ['dist/cli/main.js', 'collect', '--target', `sim=${w.url}`, '--out', dir, '--interval', '1s', '--duration', '60s', '--quiet', '--prometheus', server.url, '--query', 'rss=process_resident_memory_bytes', '--live'], { stdio: 'ignore' });
      const exited = new Promise<void>((r) => child.on('exit', () => r()));
      // Wait on the file itself (no sleep-and-count): three live pulls of the query have landed.
      const deadline = Date.now() + 45_000;
      let pulled: MetricSample[] = [];
      while (Date.now() < deadline) {
        try {
          pulled = read(dir).filter((m) => m.name === 'rss');
        } catch {
          pulled = [];
        }
        if (new Set(pulled.map((m) => m.t)).size >= 3) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      // Killed: no end-of-run pull ever happens; what is there was pulled live.
      child.kill('SIGKILL');
      await exited;
      const all = read(dir);
      const rss = all.filter((m) => m.name === 'rss');
      expect(new Set(rss.map((m) => m.t)).size).toBeGreaterThanOrEqual(3);
      expect(rss.length).toBe(new Set(rss.map((m) => m.t)).size); // never a point twice
      expect(rss[0]!.labels).toMatchObject({ job: 'sim' });
      // Each pulled value is RSS as the collector itself read it around that time (within 5%).
      const direct = all.filter((m) => m.name === 'process_resident_memory_bytes');
      for (const p of rss) {
        const near = direct.filter((d) => Math.abs(d.t - p.t) <= 2000).map((d) => d.value);
        if (near.length === 0) continue;
        expect(p.value).toBeGreaterThanOrEqual(Math.min(...near) * 0.95);
        expect(p.value).toBeLessThanOrEqual(Math.max(...near) * 1.05);
      }
    } finally {
      server.stop();
      w.stop();
    }
  }, 90_000);

  it('a run that ends normally pulls the rest at the end, still never a point twice', async () => {
    const w = await startWorkload('plateau');
    const server = await startMetricServer('prometheus', new URL(w.url).host);
    try {
      const dir = join(mkdtempSync(join(tmpdir(), 'heaplens-live-')), 'run');
      await exec('node', ['dist/cli/main.js', 'collect', '--target', `sim=${w.url}`, '--out', dir, '--interval', '1s', '--duration', '6s', '--quiet', '--prometheus', server.url, '--query', 'rss=process_resident_memory_bytes', '--live']);
      const manifest = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunManifest;
      expect(manifest.events.filter((e) => e.kind === 'metrics-failed')).toEqual([]);
      const rss = read(dir).filter((m) => m.name === 'rss');
      expect(rss.length).toBeGreaterThanOrEqual(4);
      expect(rss.length).toBe(new Set(rss.map((m) => m.t)).size);
      const [start, end] = [Date.parse(manifest.start), Date.parse(manifest.end!)];
      expect(rss.every((m) => m.t >= start - 1000 && m.t <= end + 1000)).toBe(true);
    } finally {
      server.stop();
      w.stop();
    }
  }, 60_000);
});

describe.runIf(ready)('--prometheus errors', () => {
  it('a bad query is recorded in the run, and the run still completes', async () => {
    const w = await startWorkload('plateau');
    const server = await startMetricServer('prometheus', new URL(w.url).host);
    try {
      const dir = join(mkdtempSync(join(tmpdir(), 'heaplens-prom-')), 'run');
      await exec('node', ['dist/cli/main.js', 'collect', '--target', `sim=${w.url}`, '--out', dir, '--interval', '500ms', '--duration', '1s', '--quiet', '--prometheus', server.url, '--query', 'bad=rate(']);
      const manifest = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunManifest;
      expect(manifest.status).toBe('complete');
      expect(manifest.events.find((e) => e.kind === 'metrics-failed')?.message).toMatch(/query bad \(rate\(\): bad_data: .*parse error/);
    } finally {
      server.stop();
      w.stop();
    }
  }, 60_000);
});
