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
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
const { rankOfFunction, windowsOf, prefixSizes, detectionDelay } = await import(join(root, 'bench/verdict-metrics.mjs'));

const { unpackRuns } = await import(join(root, 'bench/verdict-runs.mjs'));

const table = JSON.parse(readFileSync(join(dir, 'cases.json'), 'utf8'));
const runs = mkdtempSync(join(tmpdir(), 'heaplens-verdicts-'));
process.on('exit', () => rmSync(runs, { recursive: true, force: true }));
await unpackRuns(dir, runs);
/** Window length and stride (snapshots) for the false-positive rate. */
const WINDOW = 30;
const STRIDE = 2;

const cases = [];
for (const [mode, spec] of Object.entries(table.modes)) {
  for (const gc of [false, true]) {
    const name = gc ? `${mode}-gc` : mode;
    if (existsSync(join(runs, name, 'run.json'))) cases.push({ name, mode, gc, ...spec });
  }
}
if (cases.length === 0) {
  console.error(`bench/verdicts.mjs: no captured runs under ${dir}; run scripts/make-verdict-runs.mjs`);
  process.exit(2);
}

const judge = (t, from, to) =>
  judgeLifetime({
    values: t.series.slice(from, to).map((p) => ({ t: p.t, bytes: p.heapInuseBytes, stale: p.stale })),
    sites: t.sites.slice(from, to),
    indices: t.series.slice(from, to).map((p) => p.index),
    samplingPeriodBytes: t.samplingPeriodBytes,
  });

const results = [];
const windows = [];
const started = Date.now();
for (const c of cases) {
  const input = await loadRunInput(join(runs, c.name));
  const t = input.targets[0];
  const report = analyzeRun(input).targets[0];
  const v = report.verdict;
  const isLeak = c.expect.includes('leak');
  const rank = c.trueFunction ? rankOfFunction(report.leakSuspects, c.trueFunction) : null;
  const bounded = c.alsoBounded ? report.leakSuspects.find((s) => s.function === c.alsoBounded || s.stack.includes(c.alsoBounded)) ?? null : null;
  // Prefixes: the verdict as the run grows.
  const prefixes = prefixSizes(t.series.length).map((k) => ({ k, kind: judge(t, 0, k).verdict.kind }));
  const firstBoundedSnapshot = c.boundedAfterSeconds === null ? null : t.series.findIndex((p) => p.t - t.series[0].t >= c.boundedAfterSeconds * 1000);
  const delay = isLeak ? detectionDelay(prefixes) : null;
  // Windows from the bounded part of no-leak runs.
  if (!isLeak && firstBoundedSnapshot !== null && firstBoundedSnapshot >= 0) {
    for (const [from, to] of windowsOf(firstBoundedSnapshot, t.series.length, WINDOW, STRIDE)) windows.push({ case: c.name, from, to, kind: judge(t, from, to).verdict.kind });
  }
  results.push({
    case: c.name,
    expect: c.expect,
    clear: c.clear,
    leakCase: isLeak,
    verdict: v.kind,
    rule: v.rule,
    right: c.expect.includes(v.kind),
    reason: v.reason,
    slopeMiBPerHour: [v.slopeLowBytesPerHour, v.slopeBytesPerHour, v.slopeHighBytesPerHour].map((b) => b / 2 ** 20),
    pValue: v.pValue,
    snapshots: t.series.length,
    stale: t.series.filter((p) => p.stale).length,
    trueFunction: c.trueFunction,
    rank,
    boundedSuspect: c.alsoBounded ? { function: c.alsoBounded, history: bounded?.history.kind ?? null, risingNow: bounded?.risingNow ?? null, rank: bounded ? report.leakSuspects.indexOf(bounded) + 1 : null } : null,
    topSuspects: report.leakSuspects.slice(0, 3).map((s) => `${s.kind === 'caller' ? 'caller ' : ''}${s.function}${s.stack[1] ? ` ← ${s.stack[1]}` : ''} [${s.history.kind}${s.risingNow ? ', rising' : ''}]`),
    detectionDelay: delay,
    prefixes,
    boundedFrom: firstBoundedSnapshot,
  });
}

// ---- Figures and targets ----
const pct = (a, b) => (b === 0 ? 'n/a' : `${((100 * a) / b).toFixed(1)}%`);
const right = results.filter((r) => r.right).length;
const clear = results.filter((r) => r.clear);
const noLeak = results.filter((r) => !r.leakCase);
const leaks = results.filter((r) => r.leakCase);
const fp = windows.filter((w) => w.kind === 'leak').length;
const ranked1 = leaks.filter((r) => r.rank === 1).length;
// Persistence: once a leak run's prefix says leak, the share of its longer prefixes that say leak too.
let longer = 0;
let longerLeak = 0;
for (const r of leaks) {
  const first = r.prefixes.findIndex((p) => p.kind === 'leak');
  if (first < 0) continue;
  for (const p of r.prefixes.slice(first + 1)) {
    longer++;
    if (p.kind === 'leak') longerLeak++;
  }
}
// Bounded runs: prefixes reaching 10 snapshots past the warm-up that say leak.
const boundedLeaks = [];
for (const r of noLeak) {
  if (r.boundedFrom === null || r.boundedFrom < 0) continue;
  for (const p of r.prefixes) if (p.k >= r.boundedFrom + 10 && p.kind === 'leak') boundedLeaks.push(`${r.case}@${p.k}`);
}
const confusion = { leak: { leak: 0, 'no-leak': 0, inconclusive: 0 }, 'no-leak': { leak: 0, 'no-leak': 0, inconclusive: 0 } };
for (const r of results) confusion[r.leakCase ? 'leak' : 'no-leak'][r.verdict]++;
const targets = [
  { target: 'every clear-cut case right', value: `${clear.filter((r) => r.right).length}/${clear.length}`, met: clear.every((r) => r.right) },
  { target: 'at least 95% of all cases right', value: `${right}/${results.length} (${pct(right, results.length)})`, met: right >= 0.95 * results.length },
  { target: 'no "leak" on a no-leak case', value: `${noLeak.filter((r) => r.verdict === 'leak').length} of ${noLeak.length}`, met: noLeak.every((r) => r.verdict !== 'leak') },
  { target: `window false-positive rate <= 1% (${windows.length} windows of ${WINDOW} snapshots)`, value: `${fp}/${windows.length} (${pct(fp, windows.length)})`, met: windows.length >= 200 && fp <= 0.01 * windows.length },
  { target: 'true function (or grouping caller) ranked #1 on at least 95% of leak cases', value: `${ranked1}/${leaks.length} (${pct(ranked1, leaks.length)})`, met: ranked1 >= 0.95 * leaks.length },
  { target: 'once a leak prefix says leak, at least 95% of longer prefixes say leak', value: `${longerLeak}/${longer} (${pct(longerLeak, longer)})`, met: longer > 0 && longerLeak >= 0.95 * longer },
  { target: 'bounded runs: no prefix 10+ snapshots past the warm-up says leak', value: boundedLeaks.length === 0 ? 'none' : boundedLeaks.join(', '), met: boundedLeaks.length === 0 },
];

if (asJson) {
  console.log(JSON.stringify({ results, windows: { count: windows.length, leaks: fp }, confusion, targets }, null, 1));
} else {
  const mib = (x) => x.toFixed(1);
  console.log(`heaplens verdict benchmark: ${results.length} captured runs (${dir}), analysed in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  for (const r of results) {
    console.log(`${r.right ? 'ok  ' : 'MISS'} ${r.case.padEnd(22)} ${r.verdict.padEnd(12)} expect ${r.expect.join('|').padEnd(21)} rule ${String(r.rule).padEnd(14)} slope ${mib(r.slopeMiBPerHour[1])} [${mib(r.slopeMiBPerHour[0])}, ${mib(r.slopeMiBPerHour[2])}] MiB/h  p=${r.pValue.toPrecision(2)}`);
    console.log(`     ${r.snapshots} snapshots (${r.stale} stale)${r.trueFunction ? `; ${r.trueFunction} ranked ${r.rank ?? 'absent'}` : ''}${r.detectionDelay !== null ? `; detected from ${r.detectionDelay ?? 'never'} snapshots` : ''}${r.boundedSuspect ? `; ${r.boundedSuspect.function}: ${r.boundedSuspect.history ?? 'absent'} (#${r.boundedSuspect.rank ?? '-'})` : ''}`);
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
