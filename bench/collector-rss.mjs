#!/usr/bin/env node
// Collector memory benchmark: `node bench/collector-rss.mjs [--snapshots 1000] [--profiles heap]`.
// Serves a real heap profile and /metrics from a fast local target (127.0.0.1,
// in this process), runs `heaplens collect --interval 100ms` against it as a
// separate process until it has stored N heap snapshots, and samples the
// collector's RSS (/proc/PID/status VmRSS) every 500 ms. Target: RSS flat
// within 20 MiB from the 100th snapshot to the last.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const snapshots = Number(args.includes('--snapshots') ? args[args.indexOf('--snapshots') + 1] : 1000);
const profiles = args.includes('--profiles') ? args[args.indexOf('--profiles') + 1] : 'heap';
const heap = readFileSync(join(root, 'test/fixtures/runs/spike/operator-sim/heap-000028.pb.gz'));
const metrics = readFileSync(join(root, 'test/fixtures/runs/spike/operator-sim/metrics.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .slice(0, 30)
  .map((l) => JSON.parse(l))
  .map((m) => `${m.name} ${m.value}`)
  .join('\n');

const server = createServer((req, res) => res.end(req.url === '/metrics' ? metrics : heap));
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${server.address().port}`;
const out = join(mkdtempSync(join(tmpdir(), 'heaplens-rss-')), 'run');
const child = spawn(join(root, 'dist/cli/main.js'), ['collect', '--target', `t=${url}`, '--out', out, '--interval', '100ms', '--profiles', profiles, '--quiet']);

const rssMiB = () => {
  try {
    const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))[1]);
    return kb / 1024;
  } catch {
    return null;
  }
};
const count = () => {
  try {
    return readdirSync(join(out, 't')).filter((f) => f.startsWith('heap-')).length;
  } catch {
    return 0;
  }
};
const samples = [];
const started = Date.now();
while (count() < snapshots) {
  await new Promise((r) => setTimeout(r, 500));
  const rss = rssMiB();
  if (rss !== null) samples.push({ n: count(), rss });
}
child.kill('SIGINT');
await new Promise((r) => child.on('exit', r));
server.close();
const after100 = samples.filter((s) => s.n >= 100);
const min = Math.min(...after100.map((s) => s.rss));
const max = Math.max(...after100.map((s) => s.rss));
const at = (n) => samples.find((s) => s.n >= n)?.rss.toFixed(1);
console.log(`collector RSS over ${snapshots} snapshots (profiles: ${profiles}) in ${((Date.now() - started) / 1000).toFixed(0)} s:`);
console.log(`  at snapshot 100: ${at(100)} MiB, 500: ${at(500)} MiB, ${snapshots}: ${samples.at(-1).rss.toFixed(1)} MiB`);
console.log(`  range after snapshot 100: ${min.toFixed(1)}–${max.toFixed(1)} MiB (spread ${(max - min).toFixed(1)} MiB, target <= 20 MiB: ${max - min <= 20 ? 'met' : 'MISSED'})`);
