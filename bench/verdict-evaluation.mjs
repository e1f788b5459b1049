// The labelled verdict benchmark's evaluation, shared by bench/verdicts.mjs
// (which prints it) and test/analyze/verdict-cases.test.ts (which asserts its
// targets in CI): every captured run analysed as `heaplens analyze` does, its
// prefixes and, for the no-leak runs, windows cut from the bounded part.
// The analysis functions are passed in, so the bench can measure a build
// (dist/) and the test the sources.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { detectionDelay, prefixSizes, rankOfFunction, windowsOf } from './verdict-metrics.mjs';

/** Window length and stride (snapshots) for the false-positive rate. */
export const WINDOW = 30;
export const STRIDE = 2;

/** The cases of the truth table whose runs are unpacked under `runs`, each gc and no-gc. */
export function casesOf(table, runs) {
  const cases = [];
  for (const [mode, spec] of Object.entries(table.modes)) {
    for (const gc of [false, true]) {
      const name = gc ? `${mode}-gc` : mode;
      if (existsSync(join(runs, name, 'run.json'))) cases.push({ name, mode, gc, ...spec });
    }
  }
  return cases;
}

const processStart = (t) => {
  const m = t.metrics.find((x) => x.name === 'process_start_time_seconds');
  return m ? m.value * 1000 : null;
};

/**
 * The first snapshot whose heap profile can show the bounded state: a Go heap
 * profile is the heap as of the last completed GC, and an allocation shows
 * in it once two more GCs have completed (runtime/mprof.go), so the profile
 * shows a change two GC cycles after it happened. Counted from the run's own
 * go_memstats_num_gc, an independent measurement; the snapshot time when
 * that metric is missing.
 */
export function boundedFrom(t, seconds) {
  const at = t.series[0].t + seconds * 1000;
  const gcs = t.metrics.filter((m) => m.name === 'go_memstats_num_gc').sort((a, b) => a.t - b.t);
  const before = gcs.filter((m) => m.t <= at).at(-1);
  const shown = before ? gcs.find((m) => m.t > at && m.value >= before.value + 2) : null;
  return t.series.findIndex((p) => p.t >= (shown ? shown.t : at));
}

/**
 * Evaluates every case: `api` is { loadRunInput, analyzeRun, judgeLifetime }.
 * Returns per-case results, the windows judged, the confusion matrix and the
 * targets of issue 18 (each { target, value, met }).
 */
export async function evaluateVerdicts(dir, runs, api) {
  const table = JSON.parse(readFileSync(join(dir, 'cases.json'), 'utf8'));
  const cases = casesOf(table, runs);
  const judge = (t, from, to) =>
    api.judgeLifetime({
      values: t.series.slice(from, to).map((p) => ({ t: p.t, bytes: p.heapInuseBytes, stale: p.stale, samplingError: p.heapSamplingErrorBytes })),
      sites: t.sites.slice(from, to),
      siteVariances: t.siteVariances?.slice(from, to),
      indices: t.series.slice(from, to).map((p) => p.index),
      samplingPeriodBytes: t.samplingPeriodBytes,
      processStartMs: processStart(t),
    });
  const results = [];
  const windows = [];
  for (const c of cases) {
    const input = await api.loadRunInput(join(runs, c.name));
    const t = input.targets[0];
    const report = api.analyzeRun(input).targets[0];
    const v = report.verdict;
    const isLeak = c.expect.includes('leak');
    const bounded = c.alsoBounded ? (report.leakSuspects.find((s) => s.function === c.alsoBounded || s.stack.includes(c.alsoBounded)) ?? null) : null;
    // Prefixes: the verdict as the run grows.
    const prefixes = prefixSizes(t.series.length).map((k) => ({ k, kind: judge(t, 0, k).verdict.kind }));
    const firstBounded = c.boundedAfterSeconds === null ? null : boundedFrom(t, c.boundedAfterSeconds);
    // Windows from the bounded part of no-leak runs.
    if (!isLeak && firstBounded !== null && firstBounded >= 0) {
      for (const [from, to] of windowsOf(firstBounded, t.series.length, WINDOW, STRIDE)) windows.push({ case: c.name, from, to, kind: judge(t, from, to).verdict.kind });
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
      rank: c.trueFunction ? rankOfFunction(report.leakSuspects, c.trueFunction) : null,
      trueSuspect: c.trueFunction ? (report.leakSuspects.find((s) => s.function === c.trueFunction || (s.kind !== 'caller' && s.stack[1] === c.trueFunction)) ?? null) : null,
      boundedSuspect: c.alsoBounded ? { function: c.alsoBounded, suspect: bounded, rank: bounded ? report.leakSuspects.indexOf(bounded) + 1 : null } : null,
      topSuspects: report.leakSuspects.slice(0, 3).map((s) => `${s.kind === 'caller' ? 'caller ' : ''}${s.function}${s.stack[1] ? ` ← ${s.stack[1]}` : ''} [${s.history.kind}${s.risingNow ? ', rising' : ''}]`),
      detectionDelay: isLeak ? detectionDelay(prefixes) : null,
      prefixes,
      boundedFrom: firstBounded,
    });
  }
  return { results, windows, ...summarize(results, windows) };
}

/** The confusion matrix and the targets. */
export function summarize(results, windows) {
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
  // Bounded runs: prefixes reaching 10 snapshots past the warm-up (as the profiles can show it) that say leak.
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
  return { confusion, targets };
}
