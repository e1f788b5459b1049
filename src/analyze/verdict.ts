import type { VerdictKind, Verdict } from '../model/report.js';
import { noiseLevel, type Phase } from './phases.js';
import { mannKendallAutocorrelated, theilSen } from './stats.js';
import { formatMiB } from '../model/size.js';

export interface VerdictInput {
  readonly t: number;
  readonly bytes: number;
  readonly stale: boolean;
}

export interface VerdictOptions {
  /**
   * Mean bytes between heap profile samples (the profile's period; Go's
   * MemProfileRate, 512 KiB by default). A total estimated from such samples
   * is uncertain by about √(bytes × period).
   */
  readonly samplingPeriodBytes: number;
}

/** Fewest non-stale snapshots a steady window must hold for any verdict. */
export const MIN_WINDOW_POINTS = 6;
const ALPHA = 0.05;
const HOUR_MS = 3_600_000;

const mib = (b: number): string => formatMiB(b);

/**
 * Decides leak | no-leak | inconclusive on the steady window: the series'
 * last regime — its last phase, extended back over earlier phases of the
 * same kind, never across a spike, rapid growth or init — without stale
 * snapshots (no GC, no new measurement). Rules, in order:
 * 1. fewer than MIN_WINDOW_POINTS measurements → inconclusive (never a guess);
 * 2. an upward Mann–Kendall trend (p < 0.05, corrected for autocorrelation:
 *    successive heap profiles share their sampled objects), a Theil–Sen slope
 *    interval above zero, and growth over the window beyond both twice the
 *    noise and twice the profile's sampling uncertainty √(level × period) → leak;
 * 3. otherwise → no-leak, saying whether any rise stayed within the sampling
 *    uncertainty, with the slope's interval as the bound on what a longer run
 *    could still reveal.
 */
export function decideVerdict(series: readonly VerdictInput[], phases: readonly Phase[], options: VerdictOptions): Verdict {
  const window = steadyWindow(series, phases);
  const startIndex = window[0] ?? -1;
  const endIndex = window[window.length - 1] ?? -1;
  const none = { slopeBytesPerHour: 0, slopeLowBytesPerHour: 0, slopeHighBytesPerHour: 0, pValue: 1 };
  const staleCount = series.filter((p) => p.stale).length;
  if (window.length < MIN_WINDOW_POINTS) {
    const why =
      staleCount > series.length / 2
        ? `${staleCount} of ${series.length} snapshots are stale (no GC ran between them), leaving ${window.length} measurements in the steady window; collect longer or with --gc`
        : `only ${window.length} non-stale snapshots in the steady window (at least ${MIN_WINDOW_POINTS} are needed); collect for longer`;
    return { kind: 'inconclusive', startIndex, endIndex, points: window.length, ...none, reason: why };
  }
  const xs = window.map((i) => series[i]!.t);
  const ys = window.map((i) => series[i]!.bytes);
  const mk = mannKendallAutocorrelated(xs, ys);
  const ts = theilSen(xs, ys);
  const perHour = (slopePerMs: number): number => slopePerMs * HOUR_MS;
  const sigma = noiseLevel(ys);
  const duration = xs[xs.length - 1]! - xs[0]!;
  const grown = ts.slope * duration;
  const level = ts.intercept + ts.slope * xs[0]!;
  const samplingError = Math.sqrt(Math.max(level, 0) * options.samplingPeriodBytes);
  const evidence = {
    startIndex,
    endIndex,
    points: window.length,
    slopeBytesPerHour: perHour(ts.slope),
    slopeLowBytesPerHour: perHour(ts.low),
    slopeHighBytesPerHour: perHour(ts.high),
    pValue: mk.p,
  };
  const span = `over ${window.length} non-stale snapshots in ${(duration / 60_000).toFixed(1)} min`;
  const slope = `${mib(perHour(ts.slope))}/h (95% interval ${mib(perHour(ts.low))} to ${mib(perHour(ts.high))}/h)`;
  const trend = mk.p < ALPHA && mk.s > 0 && ts.low > 0;
  if (trend && grown > 2 * sigma && grown > 2 * samplingError) {
    return { kind: 'leak', ...evidence, reason: `the heap grows steadily ${span}: +${mib(grown)} at ${slope}, trend p = ${mk.p.toPrecision(2)}` };
  }
  if (trend) {
    return {
      kind: 'no-leak',
      ...evidence,
      reason:
        `no leak shown ${span}: the heap rose ${mib(grown)} (trend p = ${mk.p.toPrecision(2)}), within the ±${mib(samplingError)} sampling ` +
        `uncertainty of heap profiles at this level (1 sample per ${mib(options.samplingPeriodBytes)}); slope ${slope} — a longer run bounds slower growth`,
    };
  }
  if (mk.p < ALPHA && mk.s < 0) {
    return { kind: 'no-leak', ...evidence, reason: `the heap declines ${span} (trend p = ${mk.p.toPrecision(2)}); slope ${slope}` };
  }
  return { kind: 'no-leak', ...evidence, reason: `no significant growth ${span} (trend p = ${mk.p.toPrecision(2)}); slope ${slope}` };
}

/** Positions of the non-stale points of the last regime (see decideVerdict). */
export function steadyWindow(series: readonly VerdictInput[], phases: readonly Phase[]): number[] {
  if (phases.length === 0) return [];
  const last = phases[phases.length - 1]!;
  let from = last.start;
  if (last.kind !== 'spike') {
    for (let k = phases.length - 2; k >= 0 && phases[k]!.kind === last.kind; k--) from = phases[k]!.start;
  }
  const out: number[] = [];
  for (let i = from; i <= last.end; i++) if (!series[i]!.stale) out.push(i);
  return last.kind === 'spike' ? [] : out;
}

export type { VerdictKind, Verdict };
