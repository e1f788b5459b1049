import { execFile } from 'node:child_process';
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
