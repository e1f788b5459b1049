#!/usr/bin/env node
// heaplens benchmark: `npm run bench` (see BENCHMARKS.md).
//
// Generates a large synthetic heap profile with the committed Go generator
// (bench/gen-profile), then measures in this same run, on this machine:
//   heaplens top  vs  go tool pprof -top  (time and peak RSS, same flags)
//   gunzip alone (gzip -dc, and Node's zlib)  — the floor for reading the file
// and checks that both tools print the same table. Targets (issue #2):
//   heaplens >= 50x faster than go tool pprof, <= 1/10 of its peak RSS,
//   and within 3x of gunzip-alone time.
// Options: --samples N (default 400000), --runs N (default 3), --skip-pprof, --strict (exit 1 on a missed target).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : dflt);
const samples = Number(opt('samples', '400000'));
const runs = Number(opt('runs', '3'));
const skipPprof = args.includes('--skip-pprof');
const strict = args.includes('--strict');

const outDir = join(root, 'bench/out');
mkdirSync(outDir, { recursive: true });
const profile = join(outDir, `synthetic-${samples}.pb.gz`);
if (!existsSync(profile)) {
  console.log(`generating ${profile} ...`);
  execFileSync('go', ['run', '.', '-out', profile, '-samples', String(samples)], { cwd: join(root, 'bench/gen-profile'), stdio: 'inherit' });
}
const compressed = statSync(profile).size;
const raw = gunzipSync(readFileSync(profile)).length;

function runOnce(spec) {
  const r = spawnSync('python3', [join(root, 'bench/measure.py'), spec.out, spec.cmd, ...spec.args], {
    env: { ...process.env, ...spec.env },
    encoding: 'utf8',
  });
  const [sec, kib, code] = r.stderr.trim().split('\n').pop().split(' ').map(Number);
  if (code !== 0) throw new Error(`${spec.label} exited ${code}: ${r.stderr}`);
  spec.times.push(sec);
  spec.rss.push(kib);
}

const spec = (label, cmd, cmdArgs, env = {}) => ({ label, cmd, args: cmdArgs, env, times: [], rss: [], out: join(outDir, `${label.replace(/\W+/g, '-')}.out`) });
// As the installed bin runs: its shebang passes V8 flags to node.
const heaplens = spec('heaplens top', join(root, 'dist/cli/main.js'), ['top', profile, '--nodecount', '20']);
const gzip = spec('gunzip alone (gzip -dc)', 'gzip', ['-dc', profile]);
const nodeGunzip = spec('gunzip alone (node zlib)', 'node', ['-e', `require('zlib').gunzipSync(require('fs').readFileSync(${JSON.stringify(profile)}))`]);
// Interleaved, so a slow moment of this (shared) machine hits every command alike.
for (let i = 0; i < runs; i++) for (const s of [heaplens, gzip, nodeGunzip]) runOnce(s);
const rows = [heaplens, gzip, nodeGunzip];
let pprof = null;
if (!skipPprof) {
  // One run: it takes over a minute on the default profile.
  pprof = spec('go tool pprof -top', 'go', ['tool', 'pprof', '-symbolize=none', '-top', '-nodecount=20', profile], { TZ: 'UTC', PPROF_BINARY_PATH: '/nonexistent' });
  runOnce(pprof);
  rows.push(pprof);
}
for (const r of rows) {
  const sorted = [...r.times].sort((a, b) => a - b);
  r.seconds = sorted[Math.floor(sorted.length / 2)];
  r.rssMiB = Math.max(...r.rss) / 1024;
  r.runs = r.times.length;
}

// In-process breakdown of heaplens' own time (median of runs).
const phases = JSON.parse(execFileSync('node', [join(root, 'bench/phases.mjs'), profile, String(runs)], { encoding: 'utf8' }));

// In-process pipeline vs gunzip alone, each in a fresh process, interleaved: no Node start-up in either.
const inProcess = { top: [], gunzip: [] };
for (let i = 0; i < runs; i++) {
  for (const what of ['top', 'gunzip']) {
    inProcess[what].push(Number(execFileSync('node', ['--max-semi-space-size=4', join(root, 'bench/pipeline.mjs'), what, profile], { encoding: 'utf8' })));
  }
}
const floorMs = Number(execFileSync('node', [join(root, 'bench/floor.mjs'), profile], { encoding: 'utf8' }));
const medianOf = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pipelineMs = medianOf(inProcess.top);
const gunzipMs = medianOf(inProcess.gunzip);

const mib = (b) => (b / 2 ** 20).toFixed(1);
console.log(`\nprofile: ${profile}\n  ${samples} samples, ${mib(compressed)} MiB gzip, ${mib(raw)} MiB raw protobuf\n`);
console.log('command                         median s   peak RSS MiB  runs');
for (const r of rows) console.log(`${r.label.padEnd(32)}${r.seconds.toFixed(3).padStart(8)}   ${r.rssMiB.toFixed(1).padStart(12)}  ${String(r.runs).padStart(4)}`);
console.log(`\nin-process, no start-up: heaplens top pipeline ${pipelineMs.toFixed(0)} ms, read + gunzip alone ${gunzipMs.toFixed(0)} ms (medians of ${runs})`);
console.log('heaplens single-thread phases (ms):', Object.entries(phases).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', '));
console.log(`floor: a bare loop parsing only the packed location ids takes ${floorMs.toFixed(0)} ms (bench/floor.mjs)`);
console.log(`decode throughput: ${(raw / 2 ** 20 / (phases.decode / 1000)).toFixed(0)} MiB/s of raw protobuf`);

const checks = [];
checks.push(['heaplens / gunzip-alone, in-process', pipelineMs / gunzipMs, '<= 3', pipelineMs / gunzipMs <= 3]);
checks.push(['heaplens / node zlib gunzip, CLI', heaplens.seconds / nodeGunzip.seconds, '<= 3', heaplens.seconds / nodeGunzip.seconds <= 3]);
checks.push(['heaplens / gzip -dc, CLI', heaplens.seconds / gzip.seconds, '<= 3', heaplens.seconds / gzip.seconds <= 3]);
if (pprof) {
  checks.push(['pprof / heaplens time (speed-up)', pprof.seconds / heaplens.seconds, '>= 50', pprof.seconds / heaplens.seconds >= 50]);
  checks.push(['heaplens / pprof peak RSS', heaplens.rssMiB / pprof.rssMiB, '<= 0.10', heaplens.rssMiB / pprof.rssMiB <= 0.1]);
  const same = readFileSync(heaplens.out, 'utf8') === readFileSync(pprof.out, 'utf8');
  checks.push(['identical -top output', same ? 1 : 0, '== 1', same]);
}
console.log('\nratio                               value   target  result');
for (const [name, value, target, ok] of checks) console.log(`${name.padEnd(34)}${value.toFixed(3).padStart(8)}   ${target.padEnd(7)} ${ok ? 'met' : 'MISSED'}`);
if (strict && checks.some((c) => !c[3])) process.exit(1);
