#!/usr/bin/env node
// Regenerates test/fixtures/runs/: builds examples/operator-sim with Go, runs
// each mode on 127.0.0.1, and captures a heap-profile series plus /metrics
// scrapes into a run directory (DESIGN.md format). Then writes the
// `go tool pprof` goldens (scripts/make-goldens.sh).
//
//   node scripts/make-fixtures.mjs [--seconds 32] [--interval 1] [--modes plateau,leak,spike,sawtooth]
//
// Deterministic inputs (fixed seeds); the captured bytes differ run to run
// because the Go runtime samples allocations randomly.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const flag = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const seconds = Number(flag('seconds', '32'));
const interval = Number(flag('interval', '1'));
const modes = flag('modes', 'plateau,leak,spike,sawtooth').split(',');
const outRoot = join(root, 'test/fixtures/runs');

const build = mkdtempSync(join(tmpdir(), 'operator-sim-'));
const binary = join(build, 'operator-sim');
execFileSync('go', ['build', '-o', binary, '.'], { cwd: join(root, 'examples/operator-sim'), stdio: 'inherit' });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function startWorkload(mode) {
  const child = spawn(binary, ['--mode', mode, '--seed', '1', '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolvePromise, reject) => {
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(buf);
      if (m) resolvePromise({ child, base: m[1] });
    });
    child.on('exit', (code) => reject(new Error(`operator-sim exited with ${code}`)));
  });
}

async function fetchBytes(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

// Prometheus text format, enough for the workload's own /metrics (no timestamps, no escapes in labels).
function parseMetrics(text, t) {
  const out = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)$/.exec(line);
    if (!m) throw new Error(`unparsable metric line: ${line}`);
    const labels = {};
    if (m[2]) for (const kv of m[2].slice(1, -1).split(',').filter(Boolean)) {
      const [k, v] = kv.split('=');
      labels[k] = JSON.parse(v);
    }
    out.push({ t, name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}

function writeAtomic(path, data) {
  writeFileSync(path + '.tmp', data);
  renameSync(path + '.tmp', path);
}

async function captureMode(mode) {
  const runDir = join(outRoot, mode);
  rmSync(runDir, { recursive: true, force: true });
  const targetDir = join(runDir, 'operator-sim');
  mkdirSync(targetDir, { recursive: true });
  const { child, base } = await startWorkload(mode);
  const start = Date.now();
  const snapshots = [];
  try {
    for (let i = 0; i * interval < seconds; i++) {
      const scheduled = start + i * interval * 1000;
      await sleep(Math.max(0, scheduled - Date.now()));
      const t = Date.now();
      const file = `heap-${String(i).padStart(6, '0')}.pb.gz`;
      const heap = await fetchBytes(`${base}/debug/pprof/heap`);
      writeAtomic(join(targetDir, file), heap);
      const metrics = parseMetrics(await (await fetch(`${base}/metrics`)).text(), t);
      appendFileSync(join(targetDir, 'metrics.jsonl'), metrics.map((m) => JSON.stringify(m)).join('\n') + '\n');
      snapshots.push({ target: 'operator-sim', index: i, kind: 'heap', scheduled, t, file: `operator-sim/${file}`, bytes: heap.length, status: 'ok' });
    }
    const extras = [
      ['allocs', '/debug/pprof/allocs'],
      ['goroutine', '/debug/pprof/goroutine'],
    ];
    if (mode === 'plateau') extras.push(['cpu', '/debug/pprof/profile?seconds=2']);
    for (const [kind, path] of extras) {
      const t = Date.now();
      const file = `${kind}-000000.pb.gz`;
      const bytes = await fetchBytes(base + path);
      writeAtomic(join(targetDir, file), bytes);
      snapshots.push({ target: 'operator-sim', index: 0, kind, scheduled: t, t, file: `operator-sim/${file}`, bytes: bytes.length, status: 'ok' });
    }
  } finally {
    child.kill('SIGTERM');
  }
  const manifest = {
    schemaVersion: 1,
    tool: 'scripts/make-fixtures.mjs',
    name: `operator-sim-${mode}`,
    start: new Date(start).toISOString(),
    end: new Date().toISOString(),
    intervalMs: interval * 1000,
    targets: [{ name: 'operator-sim', url: 'http://127.0.0.1', args: ['--mode', mode, '--seed', '1'] }],
    snapshots,
  };
  writeAtomic(join(runDir, 'run.json'), JSON.stringify(manifest, null, 2) + '\n');
  console.log(`${mode}: ${snapshots.length} files in ${runDir}`);
}

await Promise.all(modes.map((mode) => captureMode(mode)));
rmSync(build, { recursive: true, force: true });
execFileSync('bash', [join(root, 'scripts/make-goldens.sh')], { stdio: 'inherit' });
