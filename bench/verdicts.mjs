#!/usr/bin/env node
// The labelled verdict benchmark: `npm run bench:verdicts` (node bench/verdicts.mjs [--dir DIR] [--dist DIR] [--json]).
//
// Reads the captured runs of test/fixtures/verdicts (the example workload in
// modes whose truth is known by construction, collected by `heaplens collect`;
// scripts/make-verdict-runs.mjs; packed as <case>.tar.br, unpacked here into a
// temporary directory) and the truth table beside them (cases.json), analyses
// each run as `heaplens analyze` does, and prints:
//   per case: verdict, deciding rule, slope interval, p-value, rank of the true
//     function among the suspects, detection delay (fewest leading snapshots
//     from which every longer prefix says leak), and the verdict on every
//     prefix (first K snapshots, K = 6, 8, ...): L leak, n no-leak, ? inconclusive;
//   the confusion matrix; the false-positive rate of "leak" over windows cut
//     from the bounded part of the no-leak runs;
//   the targets of issue 18, met or missed (exit 1 when one is missed).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const flag = (name, dflt) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : dflt);
const dir = resolve(flag('dir', join(root, 'test/fixtures/verdicts')));
const asJson = args.includes('--json');
const dist = resolve(flag('dist', join(root, 'dist')));
if (!existsSync(join(dist, 'analyze/analyze-run.js'))) {
  console.error('bench/verdicts.mjs: dist/ is missing; run `npm run build` first');
  process.exit(2);
}
const { loadRunInput } = await import(join(dist, 'adapters/analyze-dir.js'));
const { analyzeRun } = await import(join(dist, 'analyze/analyze-run.js'));
const { judgeLifetime } = await import(join(dist, 'analyze/lifetimes.js'));
const { unpackRuns } = await import(join(root, 'bench/verdict-runs.mjs'));
const { evaluateVerdicts } = await import(join(root, 'bench/verdict-evaluation.mjs'));

const runs = mkdtempSync(join(tmpdir(), 'heaplens-verdicts-'));
process.on('exit', () => rmSync(runs, { recursive: true, force: true }));
const names = await unpackRuns(dir, runs);
if (names.length === 0) {
  console.error(`bench/verdicts.mjs: no captured runs under ${dir}; run scripts/make-verdict-runs.mjs`);
  process.exit(2);
}
const started = Date.now();
const { results, windows, confusion, targets } = await evaluateVerdicts(dir, runs, { loadRunInput, analyzeRun, judgeLifetime });

if (asJson) {
  console.log(JSON.stringify({ results, windows: { count: windows.length, leaks: windows.filter((w) => w.kind === 'leak').length }, confusion, targets }, null, 1));
} else {
  const mib = (x) => x.toFixed(1);
  console.log(`heaplens verdict benchmark: ${results.length} captured runs (${dir}), analysed in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  for (const r of results) {
    console.log(`${r.right ? 'ok  ' : 'MISS'} ${r.case.padEnd(22)} ${r.verdict.padEnd(12)} expect ${r.expect.join('|').padEnd(21)} rule ${String(r.rule).padEnd(14)} slope ${mib(r.slopeMiBPerHour[1])} [${mib(r.slopeMiBPerHour[0])}, ${mib(r.slopeMiBPerHour[2])}] MiB/h  p=${r.pValue.toPrecision(2)}`);
    const b = r.boundedSuspect;
    console.log(`     ${r.snapshots} snapshots (${r.stale} stale)${r.trueFunction ? `; ${r.trueFunction} ranked ${r.rank ?? 'absent'}` : ''}${r.leakCase ? `; detected from ${r.detectionDelay ?? 'never'} snapshots` : ''}${b ? `; ${b.function}: ${b.suspect ? `${b.suspect.history.kind}${b.suspect.history.cycle ? `, released ${b.suspect.history.cycle.releases}× every ${b.suspect.history.cycle.periodSeconds?.toFixed(0) ?? '?'} s by ${(b.suspect.history.cycle.amplitudeBytes / 2 ** 20).toFixed(1)} MiB` : ''} (#${b.rank})` : 'not listed'}` : ''}`);
    console.log(`     reason: ${r.reason}`);
    if (r.topSuspects.length > 0) console.log(`     suspects: ${r.topSuspects.join('; ')}`);
    console.log(`     prefixes (K=${r.prefixes[0]?.k}..${r.prefixes.at(-1)?.k} by 2): ${r.prefixes.map((p) => ({ leak: 'L', 'no-leak': 'n', inconclusive: '?' })[p.kind]).join('')}`);
  }
  console.log('\nconfusion matrix (rows: truth; columns: verdict)');
  console.log(`              leak  no-leak  inconclusive`);
  for (const truth of ['leak', 'no-leak']) console.log(`  ${truth.padEnd(10)} ${String(confusion[truth].leak).padStart(5)} ${String(confusion[truth]['no-leak']).padStart(8)} ${String(confusion[truth].inconclusive).padStart(13)}`);
  console.log('\ntargets');
  for (const t of targets) console.log(`  ${t.met ? 'met   ' : 'MISSED'} ${t.target}: ${t.value}`);
}
process.exitCode = targets.every((t) => t.met) ? 0 : 1;
