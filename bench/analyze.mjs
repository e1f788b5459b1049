#!/usr/bin/env node
// Analysis benchmark: `node bench/analyze.mjs` (also run by `npm run bench`).
// Builds run directories of 100 and 1000 heap snapshots from the leak
// workload's real profiles (test/fixtures/runs/leak, cycled, a second apart),
// then measures in this same run:
//   heaplens analyze on each (wall time, peak RSS), run as the installed bin is (its shebang sets V8 flags)
//   the same with report.html too (time, peak RSS, file size; target: <= 2 MiB at 100 snapshots)
//   go tool pprof -top once per snapshot of the 1000-snapshot run
// Each run carries the leak run's scraped metrics too (cycled, ~60 series),
// so the analysis includes the alert rules, thresholds and recommendations.
// Targets (issue #4): 1000-snapshot peak RSS within 50 MiB of the 100-snapshot
// one; heaplens at least 10x faster than pprof over the same snapshots.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'test/fixtures/runs/leak/operator-sim');
const profiles = readdirSync(source).filter((f) => f.startsWith('heap-')).sort();
const skipPprof = process.argv.includes('--skip-pprof');

function makeRun(n, withMetrics) {
  const dir = join(mkdtempSync(join(tmpdir(), `heaplens-bench-${n}${withMetrics ? '-metrics' : ''}-`)), 'run');
  mkdirSync(join(dir, 'svc'), { recursive: true });
  const start = 1_800_000_000_000;
  const snapshots = [];
  for (let i = 0; i < n; i++) {
    const file = `svc/heap-${String(i).padStart(6, '0')}.pb.gz`;
    copyFileSync(join(source, profiles[i % profiles.length]), join(dir, file));
    snapshots.push({ target: 'svc', kind: 'heap', index: i, scheduledAt: start + i * 1000, t: start + i * 1000, durationMs: 5, status: 'ok', file, bytes: 0, error: null });
  }
  // The leak run's scrapes, one batch per snapshot, re-timed to the snapshot.
  const scrapes = new Map();
  for (const line of readFileSync(join(source, 'metrics.jsonl'), 'utf8').trim().split('\n')) {
    const m = JSON.parse(line);
    if (!scrapes.has(m.t)) scrapes.set(m.t, []);
    scrapes.get(m.t).push(m);
  }
  const batches = [...scrapes.values()];
  const lines = [];
  for (let i = 0; i < n; i++) for (const m of batches[i % batches.length]) lines.push(JSON.stringify({ ...m, t: start + i * 1000 }));
  if (withMetrics) writeFileSync(join(dir, 'svc/metrics.jsonl'), lines.join('\n') + '\n');
  writeFileSync(join(dir, 'run.json'), JSON.stringify({ schemaVersion: 1, name: `bench-${n}`, start: new Date(start).toISOString(), end: null, intervalMs: 1000, targets: [{ name: 'svc', url: 'x' }], snapshots, events: [] }));
  return dir;
}

function measure(cmd, args) {
  const r = spawnSync('python3', [join(root, 'bench/measure.py'), '/dev/null', cmd, ...args], { encoding: 'utf8' });
  const [sec, kib, code] = r.stderr.trim().split('\n').pop().split(' ').map(Number);
  if (code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${code}`);
  return { sec, mib: kib / 1024 };
}

const run100 = makeRun(100, true);
const run1000 = makeRun(1000, true);
const cli = join(root, 'dist/cli/main.js');
for (const [label, small, large] of [
  ['profiles only', makeRun(100, false), makeRun(1000, false)],
  ['with metrics (26 series scraped per snapshot)', run100, run1000],
]) {
  const a100 = measure(cli, ['analyze', small, '--format', 'json']);
  const a1000 = measure(cli, ['analyze', large, '--format', 'json']);
  console.log(`${label}:`);
  console.log(`  heaplens analyze, 100 snapshots:  ${a100.sec.toFixed(2)} s, peak RSS ${a100.mib.toFixed(1)} MiB`);
  console.log(`  heaplens analyze, 1000 snapshots: ${a1000.sec.toFixed(2)} s, peak RSS ${a1000.mib.toFixed(1)} MiB`);
  console.log(`  RSS growth 100 -> 1000 snapshots: ${(a1000.mib - a100.mib).toFixed(1)} MiB (target <= 50 MiB: ${a1000.mib - a100.mib <= 50 ? 'met' : 'MISSED'})`);
}
// report.html on top of report.json: two more profiles decoded (the flame graphs) and the page rendered.
console.log('report.html (with report.json), with metrics:');
for (const [n, dir] of [[100, run100], [1000, run1000]]) {
  const json = measure(cli, ['analyze', dir, '--format', 'json']);
  const html = measure(cli, ['analyze', dir, '--format', 'json,html']);
  const size = statSync(join(dir, 'report.html')).size;
  console.log(`  ${n} snapshots: ${html.sec.toFixed(2)} s (json alone ${json.sec.toFixed(2)} s), peak RSS ${html.mib.toFixed(1)} MiB, report.html ${(size / 1024).toFixed(0)} KiB (target <= 2 MiB for 100 snapshots: ${n !== 100 || size <= 2 * 1024 * 1024 ? 'met' : 'MISSED'})`);
}
const a1000 = measure(cli, ['analyze', run1000, '--format', 'json']);
if (!skipPprof) {
  const files = readdirSync(join(run1000, 'svc')).filter((f) => f.endsWith('.pb.gz')).map((f) => join(run1000, 'svc', f));
  const t0 = process.hrtime.bigint();
  for (const f of files) execFileSync('go', ['tool', 'pprof', '-symbolize=none', '-top', f], { stdio: 'ignore', env: { ...process.env, PPROF_BINARY_PATH: '/nonexistent' } });
  const pprofSec = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`go tool pprof -top once per snapshot, 1000 snapshots: ${pprofSec.toFixed(1)} s`);
  console.log(`speed-up of heaplens analyze: ${(pprofSec / a1000.sec).toFixed(1)}x (target >= 10x: ${pprofSec / a1000.sec >= 10 ? 'met' : 'MISSED'})`);
}
