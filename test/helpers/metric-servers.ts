import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';

export interface MetricServer {
  readonly kind: 'prometheus' | 'victoria-metrics';
  readonly url: string;
  stop(): void;
}


async function waitFor(url: string, ok: (body: string) => boolean, child: ChildProcess, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}`);
    try {
      const res = await fetch(url);
      if (res.ok && ok(await res.text())) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} not ready at ${url} within 30 s`);
}

/**
 * Starts a real metric server on 127.0.0.1 scraping `target` (host:port) every
 * second: Debian's Prometheus 2.42 or VictoriaMetrics. Stop it after the test.
 */
export async function startMetricServer(kind: MetricServer['kind'], target: string, options: { ruleFiles?: string[] } = {}): Promise<MetricServer> {
  const dir = mkdtempSync(join(tmpdir(), `heaplens-${kind}-`));
  const config = join(dir, 'scrape.yml');
  // Rules (Prometheus only) are evaluated every second, as heaplens evaluates them at the scrape interval.
  const rules = options.ruleFiles?.length ? `  evaluation_interval: 1s\nrule_files:\n${options.ruleFiles.map((f) => `  - '${f}'\n`).join('')}` : '';
  writeFileSync(config, `global:\n  scrape_interval: 1s\n${rules}scrape_configs:\n  - job_name: sim\n    static_configs:\n      - targets: ['${target}']\n`);
  const port = await freePort();
  const args =
    kind === 'prometheus'
      ? [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`]
      : [`-promscrape.config=${config}`, `-storageDataPath=${join(dir, 'data')}`, `-httpListenAddr=127.0.0.1:${port}`, '-search.latencyOffset=0s'];
  const child = spawn(kind, args, { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  const stop = (): void => void child.kill('SIGKILL');
  try {
    // Ready, and holding at least one scraped sample of the target.
    await waitFor(`${url}/api/v1/query?query=up`, (b) => /"value":\[[\d.]+,"1"\]/.test(b), child, kind);
  } catch (e) {
    stop();
    throw e;
  }
  return { kind, url, stop };
}
