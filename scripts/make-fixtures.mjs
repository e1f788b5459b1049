#!/usr/bin/env node
// Regenerates the example-workload fixtures: builds examples/operator-sim with
// Go, runs each mode on 127.0.0.1 and collects it with heaplens' own collector
// (`heaplens collect`, so fixtures are real run directories), then writes the
// `go tool pprof` goldens (scripts/make-goldens.sh).
//
//   npm run build && node scripts/make-fixtures.mjs [--seconds 90] [--interval 1s] [--modes plateau,leak,spike,sawtooth]
//
// Comparison runs (for `heaplens compare` tests; no profiles, no goldens):
//   npm run build && node scripts/make-fixtures.mjs --compare
//   test/fixtures/compare/plateau-b     a second, separate plateau run (same settings as runs/plateau)
//   test/fixtures/compare/openapi-off   plateau mode without the memory-cached discovery client
//   test/fixtures/compare/openapi-on    plateau mode with it (collected alongside openapi-off)
//
// Outputs:
//   test/fixtures/runs/<mode>/       heap + goroutine profile every interval, /metrics, run.json
//   test/fixtures/profiles/          stand-alone profiles of the plateau workload: allocs, cpu
// Inputs are deterministic (fixed seeds); the captured bytes differ run to run
// because the Go runtime samples allocations randomly.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildOperatorSim, startOperatorSim } from './operator-sim.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const flag = (name, dflt) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : dflt);
const seconds = Number(flag('seconds', '90'));
const interval = flag('interval', '1s');
const compare = args.includes('--compare');
// name=mode[:workload flag ...]
const specs = (compare ? 'plateau-b=plateau,openapi-off=plateau:--openapi-cache=off,openapi-on=plateau:--openapi-cache=on' : flag('modes', 'plateau,leak,spike,sawtooth'))
  .split(',')
  .map((spec) => {
    const eq = spec.indexOf('=');
    const [name, rest] = eq >= 0 ? [spec.slice(0, eq), spec.slice(eq + 1)] : [spec, spec];
    const [mode, ...extra] = rest.split(':');
    return { name, mode, extra };
  });
const runs = join(root, compare ? 'test/fixtures/compare' : 'test/fixtures/runs');
const profiles = join(root, 'test/fixtures/profiles');
const cli = join(root, 'dist/cli/main.js');

const sim = buildOperatorSim(root);

function collect(name, base) {
  const out = join(runs, name);
  rmSync(out, { recursive: true, force: true });
  const args = ['collect', '--target', `operator-sim=${base}`, '--out', out, '--name', `operator-sim-${name}`];
  args.push('--interval', interval, '--duration', `${seconds}s`, '--profiles', 'heap,goroutine', '--quiet');
  return new Promise((resolvePromise, reject) => {
    const child = spawn('node', [cli, ...args], { stdio: 'inherit' });
    child.on('exit', (code) => (code === 0 ? resolvePromise() : reject(new Error(`collect ${name} exited ${code}`))));
  });
}

async function fetchTo(url, file) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  writeFileSync(file, new Uint8Array(await res.arrayBuffer()));
}

await Promise.all(
  specs.map(async ({ name, mode, extra }) => {
    const { child, base } = await startOperatorSim(sim.binary, mode, extra);
    try {
      await collect(name, base);
      if (name === 'plateau' && !compare) {
        mkdirSync(profiles, { recursive: true });
        await fetchTo(`${base}/debug/pprof/allocs`, join(profiles, 'allocs.pb.gz'));
        await fetchTo(`${base}/debug/pprof/profile?seconds=3`, join(profiles, 'cpu.pb.gz'));
      }
      console.log(`${name}: collected into ${join(runs, name)}`);
    } finally {
      child.kill('SIGTERM');
    }
  }),
);
sim.remove();
if (!compare) execFileSync('bash', [join(root, 'scripts/make-goldens.sh')], { stdio: 'inherit' });
