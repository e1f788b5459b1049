#!/usr/bin/env node
// Captures the labelled verdict benchmark's runs (test/fixtures/verdicts/):
// builds examples/operator-sim with Go, starts it on 127.0.0.1 in each mode
// of test/fixtures/verdicts/cases.json, and collects it with heaplens' own
// collector (`heaplens collect`: real process, real endpoints), once with
// --gc (a fresh heap at every snapshot) and once without (stale snapshots
// whenever no GC ran in between).
//
//   npm run build && node scripts/make-verdict-runs.mjs [--cases a,b] [--parallel 4] [--seconds N] [--out DIR]
//
// Cases run several at a time (--parallel), longest first.
//
// Writes <out>/<case>.tar.br and <out>/<case>-gc.tar.br: each run directory
// (heap profiles and /metrics) packed small (bench/verdict-runs.mjs; unpacked
// again, it is the directory `collect` wrote). --keep DIR also keeps the run
// directories there. The captured bytes differ from one capture to the next:
// the Go runtime samples allocations at random, and the scheduler is the
// machine's. The truth of each case is in cases.json, from the workload's
// construction, never from a capture.
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { packRun } from '../bench/verdict-runs.mjs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildOperatorSim, startOperatorSim } from './operator-sim.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const flag = (name, dflt) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : dflt);
const table = JSON.parse(readFileSync(join(root, 'test/fixtures/verdicts/cases.json'), 'utf8'));
const secondsOverride = flag('seconds', null);
const parallel = Number(flag('parallel', '4'));
const out = resolve(flag('out', join(root, 'test/fixtures/verdicts')));
mkdirSync(out, { recursive: true });
const only = flag('cases', null)?.split(',');
const keep = flag('keep', null);
const cli = join(root, 'dist/cli/main.js');

const jobs = [];
for (const [name, c] of Object.entries(table.modes)) {
  if (only && !only.includes(name)) continue;
  const seconds = Number(secondsOverride ?? c.seconds ?? table.seconds);
  const interval = c.intervalSeconds ?? table.intervalSeconds;
  for (const gc of [false, true]) jobs.push({ name: gc ? `${name}-gc` : name, mode: c.mode ?? name, args: c.args, env: c.env ?? {}, gc, seconds, interval });
}

const sim = buildOperatorSim(root);

const captures = mkdtempSync(join(tmpdir(), 'heaplens-verdict-runs-'));

function collect(job, base) {
  const dir = join(captures, job.name);
  rmSync(dir, { recursive: true, force: true });
  const a = ['collect', '--target', `operator-sim=${base}`, '--out', dir, '--name', `verdicts-${job.name}`];
  a.push('--interval', `${job.interval}s`, '--duration', `${job.seconds}s`, '--profiles', 'heap', '--quiet');
  if (job.gc) a.push('--gc');
  return new Promise((resolvePromise, reject) => {
    const child = spawn('node', [cli, ...a], { stdio: 'inherit' });
    child.on('exit', (code) => (code === 0 ? resolvePromise() : reject(new Error(`collect ${job.name} exited ${code}`))));
  });
}

async function runJob(job) {
  const { child, base } = await startOperatorSim(sim.binary, job.mode, job.args, job.env);
  child.removeAllListeners('exit');
  try {
    await collect(job, base);
    await packRun(join(captures, job.name), join(out, `${job.name}.tar.br`));
    if (keep) cpSync(join(captures, job.name), join(resolve(keep), job.name), { recursive: true });
    console.log(`${job.name}: collected into ${join(out, job.name)}.tar.br`);
  } finally {
    child.kill('SIGTERM');
  }
}

// A few at a time: the machine has two cores, and every workload is a real, busy process.
const queue = [...jobs].sort((a, b) => b.seconds - a.seconds);
await Promise.all(
  Array.from({ length: Math.min(parallel, queue.length) }, async () => {
    for (let job = queue.shift(); job; job = queue.shift()) await runJob(job);
  }),
);
sim.remove();
rmSync(captures, { recursive: true, force: true });
