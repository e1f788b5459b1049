import { noiseLevel, type Phase } from './phases.js';
import { mannKendall, theilSen } from './stats.js';

export type VerdictKind = 'leak' | 'no-leak' | 'inconclusive';

/** report.json's `verdict`: the decision, the window it was made on, and its evidence. */
export interface Verdict {
  readonly kind: VerdictKind;
  /** Series positions of the steady window (first and last point), -1 when there is none. */
  readonly startIndex: number;
  readonly endIndex: number;
  /** Theil–Sen slope over the window, bytes per hour, and its 95% interval. */
  readonly slopeBytesPerHour: number;
  readonly slopeLowBytesPerHour: number;
  readonly slopeHighBytesPerHour: number;
  /** Mann–Kendall two-sided p-value of a trend in the window. */
  readonly pValue: number;
  /** Non-stale snapshots in the window: the evidence the decision rests on. */
  readonly points: number;
  readonly reason: string;
}

export interface VerdictInput {
  readonly t: number;
  readonly bytes: number;
  readonly stale: boolean;
}

/** Fewest non-stale snapshots a steady window must hold for any verdict. */
export const MIN_WINDOW_POINTS = 6;
const ALPHA = 0.05;
const HOUR_MS = 3_600_000;

const mib = (b: number): string => `${(b / 2 ** 20).toFixed(1)} MiB`;

/**
 * Decides leak | no-leak | inconclusive on the steady window: the series
 * after warm-up (after its last init or rapid-growth phase), without spike
 * phases (a burst that was released is not a leak), and without stale
 * snapshots (no GC, no new measurement). Rules, in order:
 * 1. fewer than MIN_WINDOW_POINTS measurements → inconclusive (never a guess);
 * 2. a Mann–Kendall trend upward (p < 0.05) whose Theil–Sen slope interval
 *    lies above zero, and whose growth over the window exceeds twice the
 *    noise → leak;
 * 3. otherwise → no-leak, with the slope and its interval as the bound on
 *    any growth the data could still hide.
 */
export function decideVerdict(series: readonly VerdictInput[], phases: readonly Phase[]): Verdict {
  const warmupEnd = phases.reduce((end, p) => (p.kind === 'init' || p.kind === 'rapid-growth' ? Math.max(end, p.end) : end), -1);
  const inSpike = (i: number): boolean => phases.some((p) => p.kind === 'spike' && i >= p.start && i <= p.end);
  const window: number[] = [];
  for (let i = warmupEnd + 1; i < series.length; i++) if (!series[i]!.stale && !inSpike(i)) window.push(i);
  const startIndex = window[0] ?? -1;
  const endIndex = window[window.length - 1] ?? -1;
  const none = { slopeBytesPerHour: 0, slopeLowBytesPerHour: 0, slopeHighBytesPerHour: 0, pValue: 1 };
  const staleCount = series.filter((p) => p.stale).length;
  if (window.length < MIN_WINDOW_POINTS) {
    const why =
      staleCount > series.length / 2
        ? `${staleCount} of ${series.length} snapshots are stale (no GC between them), leaving ${window.length} measurements after warm-up; collect longer or with --gc`
        : `only ${window.length} non-stale snapshots after warm-up (at least ${MIN_WINDOW_POINTS} are needed); collect for longer`;
    return { kind: 'inconclusive', startIndex, endIndex, points: window.length, ...none, reason: why };
  }
  const xs = window.map((i) => series[i]!.t);
  const ys = window.map((i) => series[i]!.bytes);
  const mk = mannKendall(ys);
  const ts = theilSen(xs, ys);
  const perHour = (slopePerMs: number): number => slopePerMs * HOUR_MS;
  const sigma = noiseLevel(ys);
  const grown = ts.slope * (xs[xs.length - 1]! - xs[0]!);
  const minutes = ((xs[xs.length - 1]! - xs[0]!) / 60_000).toFixed(1);
  const evidence = {
    startIndex,
    endIndex,
    points: window.length,
    slopeBytesPerHour: perHour(ts.slope),
    slopeLowBytesPerHour: perHour(ts.low),
    slopeHighBytesPerHour: perHour(ts.high),
    pValue: mk.p,
  };
  const span = `over ${window.length} non-stale snapshots in ${minutes} min after warm-up`;
  if (mk.p < ALPHA && mk.s > 0 && ts.low > 0 && grown > 2 * sigma) {
    return {
      kind: 'leak',
      ...evidence,
      reason: `the heap grows steadily ${span}: ${mib(perHour(ts.slope))}/h (95% interval ${mib(perHour(ts.low))}–${mib(perHour(ts.high))}/h), trend p = ${mk.p.toPrecision(2)}`,
    };
  }
  return {
    kind: 'no-leak',
    ...evidence,
    reason: `no significant growth ${span} (trend p = ${mk.p.toPrecision(2)}); the slope is ${mib(perHour(ts.slope))}/h, at most ${mib(perHour(Math.max(0, ts.high)))}/h at 95% confidence`,
  };
}
