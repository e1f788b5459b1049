import type { Comparison, MeasureComparison, MeasureName, Regression, SideStats, TargetComparison } from '../model/comparison.js';
import type { Report, TargetReport } from '../model/report.js';
import { formatMiB } from '../model/size.js';

/** The heap profiler samples one allocation per 512 KiB on average (Go's MemProfileRate). */
export const HEAP_SAMPLING_BYTES = 512 * 1024;

export interface CompareOptions {
  /** Peak-heap growth, as a fraction of the base, that fails the gate when significant (default 0.1). */
  readonly maxRegression: number;
  /** Smallest change that can count, as a fraction of the base (default 0.01). */
  readonly minChange: number;
  /** Relative noise of RSS-based figures in one run (scrape timing, page reclaim; default 0.05). */
  readonly rssNoise: number;
  /** Scale the base's function bytes to the new total before subtracting (pprof's -normalize). */
  readonly normalize: boolean;
  readonly toolVersion: string;
}

export const DEFAULT_COMPARE_OPTIONS: Omit<CompareOptions, 'toolVersion'> = { maxRegression: 0.1, minChange: 0.01, rssNoise: 0.05, normalize: false };

/** Flat in-use bytes per function of one side's peak profile (from an adapter), with the profile's total. */
export interface PeakFunctions {
  readonly total: number;
  readonly flat: ReadonlyMap<string, number>;
}

export interface Side {
  readonly runs: readonly string[];
  readonly reports: readonly Report[];
  /** Per target name, the first run's peak functions, when its profiles were at hand. */
  readonly peakFunctions: ReadonlyMap<string, PeakFunctions>;
}

export function significanceRule(o: Omit<CompareOptions, 'toolVersion'>): string {
  return (
    'A change counts when |Δ| > 2·√(σ_base²/n_base + σ_new²/n_new) and |Δ| > ' +
    `${pct(o.minChange)} of the base. σ is the standard deviation across a side's runs, but never below the ` +
    "measurement's own noise: for heap figures the heap profiler's sampling error √(bytes × 512 KiB) " +
    `(one sample per 512 KiB allocated); for RSS ${pct(o.rssNoise)} of the value; for overhead (RSS − heap) both; ` +
    "and never below the spread of the run's steady window (a peak varies at least as much as its level). With one run a side, " +
    'only that measurement noise is known: repeat runs (--base A --base B ...) to measure run-to-run noise.'
  );
}

const pct = (x: number): string => `${Math.round(x * 1000) / 10}%`;

/** Base × new, target by target. Pure: reports and peak functions in, comparison out. */
export function compareSides(base: Side, next: Side, options: CompareOptions): Comparison {
  const names = targetNames(base.reports, next.reports);
  const targets = names.map(([baseName, newName]) => compareTarget(baseName, newName, base, next, options));
  const regressions: Regression[] = [];
  for (const t of targets) {
    const heap = t.measures.find((m) => m.measure === 'peakHeapBytes')!;
    if (heap.significant && heap.direction === 'worse' && heap.deltaPct !== null && heap.deltaPct > options.maxRegression) {
      regressions.push({
        target: t.name,
        what: 'peak heap',
        detail: `${formatMiB(heap.base.mean)} → ${formatMiB(heap.new.mean)} (+${pct(heap.deltaPct)}, beyond the ${pct(options.maxRegression)} allowed and the noise of ${formatMiB(heap.noise)})`,
      });
    }
    if (t.verdictChange === 'leak-appeared') regressions.push({ target: t.name, what: 'leak', detail: `verdicts ${t.verdicts.base.join(', ')} → ${t.verdicts.new.join(', ')}` });
  }
  return {
    schemaVersion: 1,
    tool: { name: 'heaplens', version: options.toolVersion },
    base: { runs: base.runs },
    new: { runs: next.runs },
    rule: significanceRule(options),
    maxRegression: options.maxRegression,
    targets,
    regressions,
  };
}

/**
 * Which targets to compare: those with the same name on both sides; when
 * each side has exactly one target, those two whatever their names.
 */
function targetNames(base: readonly Report[], next: readonly Report[]): [string, string][] {
  const baseNames = [...new Set(base.flatMap((r) => r.targets.map((t) => t.name)))];
  const newNames = new Set(next.flatMap((r) => r.targets.map((t) => t.name)));
  const both = baseNames.filter((n) => newNames.has(n));
  if (both.length > 0) return both.map((n) => [n, n]);
  if (baseNames.length === 1 && newNames.size === 1) return [[baseNames[0]!, [...newNames][0]!]];
  return [];
}

function stats(values: readonly (number | null)[]): SideStats {
  const xs = values.filter((v): v is number => v !== null && Number.isFinite(v));
  const n = xs.length;
  if (n === 0) return { values, n, mean: null, min: null, max: null, sd: null };
  const mean = xs.reduce((s, x) => s + x, 0) / n;
  const sd = n > 1 ? Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1)) : null;
  return { values, n, mean, min: Math.min(...xs), max: Math.max(...xs), sd };
}

function measure(name: MeasureName, baseTargets: readonly TargetReport[], newTargets: readonly TargetReport[], o: CompareOptions): MeasureComparison {
  const pick = (t: TargetReport): number | null => {
    switch (name) {
      case 'peakHeapBytes':
        return t.peak.heapInuseBytes;
      case 'peakRssBytes':
        return t.peak.rssBytes;
      case 'overheadBytes':
        return t.overhead?.bytes ?? null;
      case 'steadySlopeBytesPerHour':
        return t.verdict.startIndex >= 0 ? t.verdict.slopeBytesPerHour : null;
    }
  };
  const b = stats(baseTargets.map(pick));
  const n = stats(newTargets.map(pick));
  if (b.mean === null || n.mean === null) return { measure: name, base: b, new: n, delta: null, deltaPct: null, noise: null, significant: false, direction: 'unchanged' };
  // Each side's σ: across runs, floored at the measurement's own noise and at the steady state's own
  // spread (a peak is at least as variable as the level it sits on).
  const floor = (mean: number, t: readonly TargetReport[]): number => {
    const spread = (pick: (p: TargetReport['series'][number]) => number | null): number => Math.max(0, ...t.map((x) => windowSd(x, pick)));
    switch (name) {
      case 'peakHeapBytes':
        return Math.max(Math.sqrt(Math.max(0, mean) * HEAP_SAMPLING_BYTES), spread((p) => p.heapInuseBytes));
      case 'peakRssBytes':
        return Math.max(o.rssNoise * Math.abs(mean), spread((p) => p.rssBytes));
      case 'overheadBytes': {
        // RSS − heap carries the noise of both.
        const heap = t.reduce((sum, x) => sum + x.peak.heapInuseBytes, 0) / Math.max(1, t.length);
        return Math.sqrt((o.rssNoise * Math.abs(mean + heap)) ** 2 + heap * HEAP_SAMPLING_BYTES);
      }
      case 'steadySlopeBytesPerHour': {
        // The verdict's own 95% interval: half its width is about 2σ.
        const widths = t.filter((x) => x.verdict.startIndex >= 0).map((x) => (x.verdict.slopeHighBytesPerHour - x.verdict.slopeLowBytesPerHour) / 4);
        return widths.length > 0 ? Math.max(...widths) : 0;
      }
    }
  };
  const sb = Math.max(b.sd ?? 0, floor(b.mean, baseTargets));
  const sn = Math.max(n.sd ?? 0, floor(n.mean, newTargets));
  const noise = Math.max(2 * Math.sqrt((sb * sb) / b.n + (sn * sn) / n.n), o.minChange * Math.abs(b.mean));
  const delta = n.mean - b.mean;
  const significant = Math.abs(delta) > noise;
  return {
    measure: name,
    base: b,
    new: n,
    delta,
    deltaPct: b.mean !== 0 ? delta / Math.abs(b.mean) : null,
    noise,
    significant,
    direction: !significant ? 'unchanged' : delta > 0 ? 'worse' : 'better',
  };
}

/** Standard deviation of a series over the verdict's steady window (non-stale points); 0 without one. */
function windowSd(t: TargetReport, pick: (p: TargetReport['series'][number]) => number | null): number {
  if (t.verdict.startIndex < 0) return 0;
  const xs = t.series
    .filter((p) => !p.stale && p.index >= t.verdict.startIndex && p.index <= t.verdict.endIndex)
    .map(pick)
    .filter((x): x is number => x !== null);
  return stats(xs).sd ?? 0;
}

function compareTarget(baseName: string, newName: string, base: Side, next: Side, o: CompareOptions): TargetComparison {
  const bt = base.reports.flatMap((r) => r.targets.filter((t) => t.name === baseName));
  const nt = next.reports.flatMap((r) => r.targets.filter((t) => t.name === newName));
  const measures = (['peakHeapBytes', 'peakRssBytes', 'overheadBytes', 'steadySlopeBytesPerHour'] as const).map((m) => measure(m, bt, nt, o));
  const verdicts = { base: bt.map((t) => t.verdict.kind), new: nt.map((t) => t.verdict.kind) };
  const verdictChange = !verdicts.base.includes('leak') && verdicts.new.includes('leak') ? 'leak-appeared' : verdicts.base.includes('leak') && !verdicts.new.includes('leak') && verdicts.new.length > 0 ? 'leak-gone' : null;

  const meanComponents = (ts: readonly TargetReport[]): Map<string, number> => {
    const sums = new Map<string, number>();
    for (const t of ts) for (const c of t.components) sums.set(c.name, (sums.get(c.name) ?? 0) + c.bytes);
    return new Map([...sums].map(([k, v]) => [k, v / Math.max(1, ts.length)]));
  };
  const bc = meanComponents(bt);
  const nc = meanComponents(nt);
  const components = [...new Set([...bc.keys(), ...nc.keys()])]
    .map((name) => {
      const b = bc.get(name) ?? 0;
      const n = nc.get(name) ?? 0;
      return { name, base: Math.round(b), new: Math.round(n), delta: Math.round(n - b), deltaPct: b > 0 ? (n - b) / b : null };
    })
    .sort((a, b) => Math.abs(b.delta) - Math.abs(a.delta) || (a.name < b.name ? -1 : 1));

  const bf = base.peakFunctions.get(baseName);
  const nf = next.peakFunctions.get(newName);
  const functions = bf && nf ? functionDeltas(bf, nf, o.normalize) : null;

  const alertNames = [...new Set([...bt, ...nt].flatMap((t) => t.alerts.map((a) => a.name)))];
  const alerts = alertNames.map((name) => ({
    name,
    baseFired: bt.filter((t) => t.alerts.some((a) => a.name === name && a.fired)).length,
    baseRuns: bt.length,
    newFired: nt.filter((t) => t.alerts.some((a) => a.name === name && a.fired)).length,
    newRuns: nt.length,
  }));

  const successTargets: TargetComparison['successTargets'][number][] = [];
  const first = bt[0];
  if (first) {
    for (const target of first.successMetrics.targets) {
      const m = measures.find((x) => x.measure === target.metric);
      const actual = m?.new.mean ?? null;
      successTargets.push({ metric: target.metric, target: target.target, actual, met: actual !== null && actual <= target.target });
    }
    if (first.successMetrics.leakFree) successTargets.push({ metric: 'no leak', target: 0, actual: nt.filter((t) => t.verdict.kind === 'leak').length, met: nt.length > 0 && nt.every((t) => t.verdict.kind !== 'leak') });
  }
  return {
    name: baseName === newName ? baseName : `${baseName} → ${newName}`,
    measures,
    verdicts,
    verdictChange,
    components,
    functions,
    functionsNote: functions ? null : 'peak profiles not available on both sides (a report.json away from its run directory)',
    alerts,
    successTargets,
  };
}

/** The largest per-function changes; `normalize` scales the base to the new total first, as pprof's -normalize. */
export function functionDeltas(base: PeakFunctions, next: PeakFunctions, normalize: boolean, limit = 15): NonNullable<TargetComparison['functions']> {
  const scale = normalize && base.total !== 0 ? next.total / base.total : 1;
  const names = new Set([...base.flat.keys(), ...next.flat.keys()]);
  const rows = [...names]
    .map((name) => {
      const b = Math.round((base.flat.get(name) ?? 0) * scale);
      const n = next.flat.get(name) ?? 0;
      return { name, base: b, new: n, delta: n - b };
    })
    .filter((r) => r.delta !== 0)
    .sort((a, b) => Math.abs(b.delta) - Math.abs(a.delta) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .slice(0, limit);
  return { normalized: normalize, baseTotal: Math.round(base.total * scale), newTotal: next.total, rows };
}
