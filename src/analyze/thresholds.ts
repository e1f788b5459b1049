import type { RuleSet } from '../model/alert-rules.js';
import type { AlertResult, ReportPhase, Thresholds, VerdictKind } from '../model/report.js';
import { formatDuration } from '../model/duration.js';
import { formatDecimalBytes } from '../model/size.js';
import { evaluateRules } from './alerts.js';
import { memorySeries } from './metric-series.js';
import { linearRegression, view, type Series } from './promql/evaluate.js';

export interface ThresholdOptions {
  /** The range of the growth rule's deriv (default 5 minutes, the seed's). */
  readonly windowMs: number;
  /** Peak threshold = peak × headroom (default 1.3). */
  readonly headroom: number;
  /** The shortest `for` to recommend (default 5 minutes). */
  readonly minForMs: number;
  /** Extra matchers for the rules' selector, e.g. `job="operator"`. */
  readonly selector: string;
}

export const DEFAULT_THRESHOLD_OPTIONS: ThresholdOptions = { windowMs: 300_000, headroom: 1.3, minForMs: 300_000, selector: '' };

/** The seed's growth threshold, kept when the run cannot supply a baseline (it leaks). */
const DEFAULT_GROWTH_BYTES_PER_SEC = 100_000;
/** Below this, a growth alert is all noise (RSS moves by pages and GC cycles). */
const MIN_GROWTH_BYTES_PER_SEC = 10_000;

/** Rounds up to two significant digits: 72.8e6 → 73e6, 140.3e6 → 150e6. */
export function niceCeil(x: number): number {
  if (!(x > 0)) return 0;
  const scale = 10 ** (Math.floor(Math.log10(x)) - 1);
  return Math.ceil(x / scale - 1e-9) * scale;
}

/** Whole seconds below a minute, whole minutes above. */
function niceDurationCeil(ms: number): number {
  if (ms <= 60_000) return Math.ceil(ms / 1000) * 1000;
  return Math.ceil(ms / 60_000) * 60_000;
}

const kB = (x: number): string => formatDecimalBytes(x, '/s');
const MB = (x: number): string => formatDecimalBytes(x);

export interface ThresholdInput {
  readonly series: readonly Series[];
  readonly heapPhases: readonly ReportPhase[];
  readonly rssPhases: readonly ReportPhase[];
  readonly verdict: { readonly kind: VerdictKind; readonly slopeBytesPerHour: number };
  readonly intervalMs: number;
}

/**
 * Thresholds this run supports: peak × headroom; growth above the largest
 * least-squares slope over any window after warm-up (a leak's own growth is
 * not a baseline: then the default stays, and catches it); `for` longer than
 * the longest spike. The rules are then evaluated over the run itself.
 */
export function recommendThresholds(input: ThresholdInput, options: ThresholdOptions = DEFAULT_THRESHOLD_OPTIONS): Thresholds | null {
  const watched = memorySeries(input.series);
  if (!watched) return null;
  const { name: metric, series } = watched;
  let peak = -Infinity;
  for (const x of series.v) peak = Math.max(peak, x);
  const peakThreshold = niceCeil(peak * options.headroom);

  // Warm-up: the init / rapid-growth phases the heap starts with.
  let warmupEnd: number | null = null;
  for (const p of input.heapPhases) {
    if (p.kind !== 'init' && p.kind !== 'rapid-growth') break;
    warmupEnd = p.endT;
  }
  const from = warmupEnd ?? series.t[0]!;
  // Whole windows after warm-up only: a window cut short by warm-up has few points and a wild slope.
  // A run shorter than warm-up + window gets one window, from warm-up to its end.
  let maxSlope: number | null = null;
  let windows = 0;
  const slopeOver = (first: number, last: number): void => {
    if (last - first + 1 < 3) return;
    const [slope] = linearRegression(view(series.t, first, last + 1), view(series.v, first, last + 1), series.t[first]!);
    windows++;
    if (maxSlope === null || slope > maxSlope) maxSlope = slope;
  };
  let first = 0;
  for (let i = 0; i < series.t.length; i++) {
    const end = series.t[i]!;
    if (end - options.windowMs < from) continue;
    while (series.t[first]! < end - options.windowMs) first++;
    slopeOver(first, i);
  }
  const partial = windows === 0;
  if (partial) {
    const start = series.t.findIndex((t) => t >= from);
    if (start >= 0) slopeOver(start, series.t.length - 1);
  }
  const windowText = formatDuration(options.windowMs);
  let growth: Thresholds['growth'];
  if (input.verdict.kind === 'leak') {
    const leakRate = input.verdict.slopeBytesPerHour / 3600;
    growth = {
      bytesPerSec: DEFAULT_GROWTH_BYTES_PER_SEC,
      observedBytesPerSec: maxSlope,
      basis: `this run leaks (heap +${kB(leakRate)} in the steady state): its growth is the defect, not a baseline, so the growth threshold stays at the seed's ${kB(DEFAULT_GROWTH_BYTES_PER_SEC)}${maxSlope !== null ? `, which this run's ${windowText} slopes (up to ${kB(maxSlope)}) cross` : ''}`,
    };
  } else if (maxSlope === null) {
    growth = { bytesPerSec: DEFAULT_GROWTH_BYTES_PER_SEC, observedBytesPerSec: null, basis: `too few samples after warm-up for a ${windowText} slope: the seed's ${kB(DEFAULT_GROWTH_BYTES_PER_SEC)} stays` };
  } else {
    const value = Math.max(MIN_GROWTH_BYTES_PER_SEC, niceCeil(maxSlope * options.headroom));
    growth = {
      bytesPerSec: value,
      observedBytesPerSec: maxSlope,
      basis: `${partial ? `least-squares slope from warm-up to the end (the run is shorter than warm-up + ${windowText})` : `largest ${windowText} least-squares slope after warm-up`} ${kB(maxSlope)} (${windows} window${windows > 1 ? 's' : ''}) × ${options.headroom} headroom, rounded up${value === MIN_GROWTH_BYTES_PER_SEC ? `; floored at ${kB(MIN_GROWTH_BYTES_PER_SEC)}` : ''}`,
    };
  }

  const spikes = [...input.heapPhases, ...input.rssPhases].filter((p) => p.kind === 'spike');
  const longestSpike = spikes.reduce((m, p) => Math.max(m, p.endT - p.startT), 0);
  // Strictly longer than the longest spike: one more scrape interval.
  let forMs = Math.max(options.minForMs, niceDurationCeil(longestSpike + input.intervalMs));
  let forBasis =
    spikes.length === 0
      ? `no spike in this run: the minimum ${formatDuration(options.minForMs)}`
      : `longest spike ${formatDuration(longestSpike)} (${spikes.length} spike phase${spikes.length > 1 ? 's' : ''})${forMs === options.minForMs ? `, under the minimum ${formatDuration(options.minForMs)}` : ', plus one scrape interval, rounded up'}`;

  const rulesFor = (selector: string, forText: string): Thresholds['rules'] => [
    { alert: 'MemoryGrowth', expr: `deriv(${selector}[${windowText}]) > ${growth.bytesPerSec}`, for: forText, summary: `${metric} grows faster than ${kB(growth.bytesPerSec)} over ${windowText}` },
    { alert: 'MemoryPeak', expr: `${selector} > ${peakThreshold}`, for: forText, summary: `${metric} above ${MB(peakThreshold)}` },
  ];
  // On the run itself, without the user's selector: the run's samples carry no job/pod labels.
  const evaluateOnRun = (ruleForMs: number): AlertResult[] =>
    evaluateRules(
      {
        source: 'recommended',
        groups: [{ name: 'heaplens-recommended', intervalMs: null, rules: rulesFor(metric, '').map((r) => ({ kind: 'alert', name: r.alert, expr: r.expr, forMs: ruleForMs, keepFiringForMs: 0, labels: {}, annotations: { summary: r.summary } })) }],
      } satisfies RuleSet,
      [series],
      { start: series.t[0]!, end: series.t[series.t.length - 1]!, intervalMs: input.intervalMs },
    );
  // A growth window that still holds start-up growth sees it for a while after warm-up: start-up is
  // not what a growth alert is for, so `for` outlasts it (a leak keeps the condition true for longer).
  const warmupReach = from + options.windowMs;
  const transient = evaluateOnRun(0)
    .flatMap((a) => a.firing)
    .filter((f) => f.from <= warmupReach && (input.verdict.kind !== 'leak' || f.to <= warmupReach))
    .reduce((m, f) => Math.max(m, f.to - f.from + input.intervalMs), 0);
  if (transient > 0 && niceDurationCeil(transient + input.intervalMs) > forMs) {
    forMs = niceDurationCeil(transient + input.intervalMs);
    forBasis = `the growth condition holds for ${formatDuration(transient)} while the ${windowText} window still spans start-up; longer than that, rounded up (${forBasis})`;
  }
  const forText = formatDuration(forMs);
  const rules = rulesFor(`${metric}${options.selector ? `{${options.selector}}` : ''}`, forText);
  const onThisRun = evaluateOnRun(forMs);
  return {
    metric,
    windowSeconds: options.windowMs / 1000,
    forSeconds: forMs / 1000,
    forBasis,
    peak: { bytes: peakThreshold, observedBytes: peak, headroom: options.headroom, basis: `peak ${MB(peak)} × ${options.headroom} headroom, rounded up` },
    growth,
    warmupEnd,
    rules,
    onThisRun,
  };
}
