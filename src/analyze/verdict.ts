import type { VerdictKind, Verdict, VerdictRule } from '../model/report.js';
import { samplingErrorOf, seriesNoise, type Phase } from './phases.js';
import { trimmedScale } from './noise.js';
import { describeCycles, findResets, type Cycles, type Reset } from './cycles.js';
import { mannKendallAutocorrelated, normalQuantile, theilSen } from './stats.js';
import { formatMiB } from '../model/size.js';

export interface VerdictInput {
  readonly t: number;
  readonly bytes: number;
  readonly stale: boolean;
  /** The measurement's own sampling standard error, when known. */
  readonly samplingError?: number;
}

/** What the suspects analysis found for the verdict's last rule of evidence (see suspects.ts). */
export interface SiteEvidence {
  /** The call site or grouping caller, as the report names it. */
  readonly name: string;
  readonly growthBytes: number;
  readonly slopeBytesPerHour: number;
  readonly slopeLowBytesPerHour: number;
  readonly slopeHighBytesPerHour: number;
  readonly pValue: number;
  /** How many sites and groups were tested (the p-value already passed a Bonferroni bound over them). */
  readonly tested: number;
}

export interface VerdictOptions {
  /**
   * Mean bytes between heap profile samples (the profile's period; Go's
   * MemProfileRate, 512 KiB by default). A total estimated from such samples
   * is uncertain by about √(bytes × period).
   */
  readonly samplingPeriodBytes: number;
  /** The steadiest never-released site rising in the window, if the suspects analysis found one. */
  readonly siteEvidence?: SiteEvidence | null;
  /**
   * Whether some never-released call site (or caller) rises over the window,
   * as the site rule requires (the evidence above); null or absent when no
   * per-site data was given (RSS, other profilers).
   */
  readonly siteCorroboration?: boolean | null;
  /** The series begins with the process (its first snapshot came within two intervals of the process's start): its first phase is start-up. */
  readonly startedWithProcess?: boolean;
  /**
   * How long the heap takes to replace its objects (ms): its level over the
   * bytes the profiles show freed per unit of time (see lifetimes.ts); null
   * or absent when unknown.
   */
  readonly turnoverMs?: number | null;
}

/** Fewest non-stale snapshots a steady window must hold for any verdict. */
export const MIN_WINDOW_POINTS = 6;
/** Significance level of every trend test behind a verdict. */
export const ALPHA = 0.05;
/**
 * The practical bound behind "no-leak": the heap cannot grow by this share
 * of its level per hour (95% upper bound). A leak that adds the heap's own
 * size within the hour takes a service with the usual 2× memory limit down
 * within the hour; slower growth is not ruled out by a verdict of no-leak,
 * and the reason states the bound the run did reach.
 */
export const MAX_HOURLY_GROWTH = 1;
const HOUR_MS = 3_600_000;

const mib = (b: number): string => formatMiB(b);
const minutes = (ms: number): string => `${(ms / 60_000).toFixed(1)} min`;

/**
 * The fewest points with which a Mann–Kendall test can reach p < ALPHA at
 * all (every pair in order): fewer troughs than this can never show a trend.
 */
export function minTrendPoints(alpha = ALPHA): number {
  const z = normalQuantile(1 - alpha / 2);
  for (let n = 3; n < 100; n++) {
    const s = (n * (n - 1)) / 2;
    const varS = (n * (n - 1) * (2 * n + 5)) / 18;
    if ((s - 1) / Math.sqrt(varS) > z) return n;
  }
  return 100;
}

/** The window the verdict is made on, and what the series did before and around it. */
export interface VerdictWindow {
  /** Positions (in the series) of the non-stale points of the window. */
  readonly points: readonly number[];
  /** Every reset of the measured series (positions index `measured`). */
  readonly resets: readonly Reset[];
  /** Resets and cycles of the measured series, when the series ends in a cyclic stretch (see cycles.ts). */
  readonly cycles: Cycles | null;
  /** Series positions of the measured points, in order (the cycles' positions index this). */
  readonly measured: readonly number[];
}

/**
 * The verdict's window: the longest stretch of the series' end over which
 * the heap behaves one way.
 * - A series that ends in recurring resets (at least two, the last no
 *   further from the end than the longest gap between them) is cyclic: the
 *   window runs from its first reset to the end, and the verdict compares
 *   trough to trough.
 * - A series that ends in a spike has no steady window.
 * - Otherwise the window starts after start-up (the leading init and rapid
 *   growth phases), at the earliest phase start from which the growth rate
 *   is homogeneous: no later stretch (a later phase to the end, or the
 *   window's last third) of at least MIN_WINDOW_POINTS measurements grows
 *   at a rate that differs from the window's both significantly (disjoint
 *   slope intervals) and materially (the two rates part, over that stretch,
 *   by more than the leak rule's own threshold: twice the noise and twice
 *   the sampling uncertainty). A warm-up that levels off, a leak that stops
 *   or one that starts late each change the rate, and the window moves past
 *   them; noise that splits a steady trend into phases does not, nor does a
 *   leak that only speeds up a little, and the window keeps all the evidence.
 */
export function verdictWindow(series: readonly VerdictInput[], phases: readonly Phase[], samplingPeriodBytes: number, startedWithProcess = false): VerdictWindow {
  const measured: number[] = [];
  series.forEach((p, i) => {
    if (!p.stale) measured.push(i);
  });
  const ys = measured.map((i) => series[i]!.bytes);
  const xs = measured.map((i) => series[i]!.t);
  const resets = findResets(ys, samplingPeriodBytes);
  if (resets.length >= 2) {
    const gaps = resets.slice(1).map((r, k) => r.at - resets[k]!.at);
    const tail = measured.length - resets[resets.length - 1]!.at;
    if (tail <= Math.max(...gaps)) {
      const first = resets[0]!.at;
      return { points: measured.slice(first), resets, cycles: describeCycles(xs, ys, resets), measured };
    }
  }
  return { points: homogeneousWindow(series, phases, measured, samplingPeriodBytes, startedWithProcess), resets, cycles: null, measured };
}

/**
 * Positions (in `measured`) where the candidate windows start: after
 * start-up, each phase's first measured point. Start-up is the leading init
 * and rapid-growth phases, never the last phase. When the series begins
 * with the process, its first phase is start-up whatever its kind (what a
 * process allocates from its first moment cannot be told from a leak until
 * the heap shows a regime after it); if that phase is all there is, its
 * first half is taken as start-up, and the verdict rests on the second.
 */
export function candidateStarts(phases: readonly Phase[], measured: readonly number[], startedWithProcess: boolean): number[] {
  if (startedWithProcess && phases.length === 1) return [measured.length >> 1];
  let k = startedWithProcess ? 1 : 0;
  while (k < phases.length - 1 && (phases[k]!.kind === 'init' || phases[k]!.kind === 'rapid-growth')) k++;
  const starts: number[] = [];
  for (; k < phases.length; k++) {
    const first = measured.findIndex((i) => i >= phases[k]!.start);
    if (first >= 0 && (starts.length === 0 || first > starts[starts.length - 1]!)) starts.push(first);
  }
  return starts;
}

function homogeneousWindow(series: readonly VerdictInput[], phases: readonly Phase[], measured: readonly number[], samplingPeriodBytes: number, startedWithProcess: boolean): number[] {
  if (phases.length === 0 || measured.length === 0) return [];
  if (phases[phases.length - 1]!.kind === 'spike') return [];
  const starts = candidateStarts(phases, measured, startedWithProcess);
  if (starts.length === 0) return [];
  const n = measured.length;
  const trend = (from: number): Trend => trendOf(measured.slice(from).map((i) => series[i]!.t), measured.slice(from).map((i) => series[i]!.bytes));
  const cache = new Map<number, Trend>();
  const trendFrom = (from: number): Trend => {
    let t = cache.get(from);
    if (!t) cache.set(from, (t = trend(from)));
    return t;
  };
  for (const start of starts) {
    if (n - start < MIN_WINDOW_POINTS) break;
    const whole = trendFrom(start);
    const later = [...starts.filter((s) => s > start), n - Math.ceil((n - start) / 3)].filter((s) => s > start && n - s >= MIN_WINDOW_POINTS);
    const sigma = seriesNoise(measured.slice(start).map((i) => series[i]!.bytes));
    const changed = later.some((s) => {
      const part = trendFrom(s);
      const significant = part.high < whole.low || part.low > whole.high;
      const parted = Math.abs(part.slope - whole.slope) * part.durationMs;
      const material = parted > 2 * Math.max(sigma, samplingErrorOf(measured.slice(s).map((i) => series[i]!), part.level, samplingPeriodBytes));
      return significant && material;
    });
    if (!changed) return measured.slice(start);
  }
  // No homogeneous stretch long enough: the last phase, as it is.
  const last = phases[phases.length - 1]!;
  return measured.filter((i) => i >= Math.max(last.start, measured[starts[0]!]!));
}

interface Evidence {
  readonly startIndex: number;
  readonly endIndex: number;
  readonly points: number;
  readonly slopeBytesPerHour: number;
  readonly slopeLowBytesPerHour: number;
  readonly slopeHighBytesPerHour: number;
  readonly pValue: number;
}

/** A trend over one series of (time, bytes): the test and the slope the rules read. */
export interface Trend {
  readonly n: number;
  readonly p: number;
  readonly s: number;
  readonly slope: number;
  readonly low: number;
  readonly high: number;
  readonly durationMs: number;
  /** Theil–Sen growth over the duration. */
  readonly grown: number;
  /** The fitted level at the start. */
  readonly level: number;
}

function trendOf(xs: readonly number[], ys: readonly number[], minVarianceFactor = 1): Trend {
  const mk = mannKendallAutocorrelated(xs, ys, minVarianceFactor);
  const ts = theilSen(xs, ys, 0.95, mk.varianceFactor);
  const durationMs = xs[xs.length - 1]! - xs[0]!;
  return { n: xs.length, p: mk.p, s: mk.s, slope: ts.slope, low: ts.low, high: ts.high, durationMs, grown: ts.slope * durationMs, level: ts.intercept + ts.slope * xs[0]! };
}

/** Everything a rule may read. */
interface Context {
  readonly series: readonly VerdictInput[];
  readonly window: VerdictWindow;
  readonly options: VerdictOptions;
  readonly xs: readonly number[];
  readonly ys: readonly number[];
  readonly level: Trend;
  /** The same trend as the rule that claims a decline reads it (see cautiousTrend). */
  readonly cautious: Trend;
  /**
   * The trend the rules that bound growth read: the cautious one, with its
   * upper end measured from zero when the slope is below it — a dip within
   * the sampling error says nothing about growth.
   */
  readonly claim: Trend;
  /** The troughs' trend, in a cyclic window with enough troughs to test. */
  readonly floor: Trend | null;
  readonly sigma: number;
  readonly samplingError: number;
  readonly evidence: Evidence;
  /** What the heap did before the window, told in the reason when it matters. */
  readonly history: string;
  /** The highest level measured before the last reset (memory once released), null without resets. */
  readonly priorPeak: number | null;
  /** The highest level measured since the last reset. */
  readonly recentPeak: number;
}

interface Rule {
  readonly name: VerdictRule;
  /** A decision, under the rule's own name unless it names another (a rule may decide more than one way). */
  decide(c: Context): { kind: VerdictKind; reason: string; evidence?: Evidence; rule?: VerdictRule } | null;
}

const perHour = (slopePerMs: number): number => slopePerMs * HOUR_MS;
const slopeText = (t: Trend): string => `${mib(perHour(t.slope))}/h (95% interval ${mib(perHour(t.low))} to ${mib(perHour(t.high))}/h)`;
const pText = (p: number): string => p.toPrecision(2);

/** A trend that is significant, upward, with its whole interval above zero. */
const rises = (t: Trend): boolean => t.p < ALPHA && t.s > 0 && t.low > 0;

/**
 * The verdict's rules, in order; the first that decides wins (memlab's shape:
 * small named rules, a three-way outcome).
 */
const RULES: readonly Rule[] = [
  // (A window too short to test is inconclusive, never a guess: decided before these rules, see decideVerdict.)
  {
    // 2. Cyclic: memory released at every reset; what survives the resets must rise.
    name: 'troughs-rise',
    decide: (c) => {
      const f = c.floor;
      if (!f || !rises(f) || f.grown <= 2 * c.samplingError || f.grown <= 2 * c.sigma) return null;
      const cy = c.window.cycles!;
      return {
        kind: 'leak',
        reason:
          `the heap is released every ${cy.periodMs !== null ? `${(cy.periodMs / 1000).toFixed(0)} s` : 'cycle'} (by ${mib(cy.amplitudeBytes)}), but what survives rises: ` +
          `the troughs of ${f.n} cycles grew ${mib(f.grown)} in ${minutes(f.durationMs)} at ${slopeText(f)}, trend p = ${pText(f.p)}`,
        evidence: { ...c.evidence, slopeBytesPerHour: perHour(f.slope), slopeLowBytesPerHour: perHour(f.low), slopeHighBytesPerHour: perHour(f.high), pValue: f.p },
      };
    },
  },
  {
    // 3. The heap grows steadily over the window, beyond the noise and the sampling uncertainty.
    name: 'heap-grows',
    decide: (c) => {
      const t = c.level;
      if (c.window.cycles || !rises(t) || t.grown <= 2 * c.sigma || t.grown <= 2 * c.samplingError) return null;
      // After a reset, taking memory again is not keeping it: growth counts once it goes beyond the level held before.
      if (c.priorPeak !== null && c.recentPeak <= c.priorPeak + 2 * Math.max(c.sigma, c.samplingError)) return null;
      const grows = `over ${t.n} non-stale snapshots in ${minutes(t.durationMs)}: +${mib(t.grown)} at ${slopeText(t)}, trend p = ${pText(t.p)}`;
      // A leak is memory never released and still rising: the growth must show in some call site that does both.
      if (c.options.siteCorroboration === false) {
        return {
          kind: 'inconclusive',
          rule: 'growth-unexplained',
          reason:
            `the heap grows ${grows}, but no call site holds memory that it never releases and that still rises: the growth comes from sites that also ` +
            `release memory (the sampled sizes of churning data wander), or has stopped at its source; collect for longer to tell drift from a leak${c.history}`,
        };
      }
      return { kind: 'leak', reason: `the heap grows steadily ${grows}` };
    },
  },
  {
    // 4. The total is too noisy to show it, but one site's (or caller's) memory is never released and keeps rising.
    name: 'site-grows',
    decide: (c) => {
      const e = c.options.siteEvidence;
      if (!e) return null;
      return {
        kind: 'leak',
        reason:
          `${e.name} keeps memory it never releases: +${mib(e.growthBytes)} over the window at ${mib(e.slopeBytesPerHour)}/h (95% interval ${mib(e.slopeLowBytesPerHour)} to ${mib(e.slopeHighBytesPerHour)}/h), ` +
          `trend p = ${pText(e.pValue)} (bounded for ${e.tested} sites tested); the heap total (${mib(c.level.level)}) is too noisy to show it alone (slope ${slopeText(c.level)})`,
        evidence: { ...c.evidence, slopeBytesPerHour: e.slopeBytesPerHour, slopeLowBytesPerHour: e.slopeLowBytesPerHour, slopeHighBytesPerHour: e.slopeHighBytesPerHour, pValue: e.pValue },
      };
    },
  },
  {
    // 5. A significant decline.
    name: 'declines',
    decide: (c) => {
      const t = c.floor ?? c.cautious;
      // As a rise must to be a leak, a fall must exceed twice the noise and the sampling uncertainty to be a decline.
      if (!(t.p < ALPHA && t.s < 0 && t.high < 0) || -t.grown <= 2 * Math.max(c.sigma, c.samplingError)) return null;
      const what = c.floor ? `the troughs of ${t.n} cycles decline` : `the heap declines over ${t.n} non-stale snapshots in ${minutes(t.durationMs)}`;
      return { kind: 'no-leak', reason: `${what} (trend p = ${pText(t.p)}); slope ${slopeText(t)}${c.history}` };
    },
  },
  {
    // 6. No growth, and the data rule out any growth that would matter.
    name: 'bounded',
    decide: (c) => {
      const t = c.floor ?? c.claim;
      const bound = practicalBound(t.level);
      if (perHour(t.high) >= bound) return null;
      const what = c.floor ? `the troughs of ${t.n} cycles (released every ${mib(c.window.cycles!.amplitudeBytes)})` : `the heap over ${t.n} non-stale snapshots in ${minutes(t.durationMs)}`;
      return {
        kind: 'no-leak',
        reason: `no growth in ${what}: slope ${slopeText(t)}, trend p = ${pText(t.p)}; ${perHour(t.high) > 0 ? `growth faster than ${mib(perHour(t.high))}/h is ruled out` : 'any growth is ruled out'}, below the ${mib(bound)}/h that would matter (${boundBasis(t.level)})${c.history}`,
      };
    },
  },
  {
    // 7. Otherwise: say what cannot be ruled out, and how long would settle it.
    name: 'unresolved',
    decide: (c) => {
      const t = c.floor ?? c.claim;
      const bound = practicalBound(t.level);
      const more = minutesToSettle(t);
      const what = c.floor ? `the troughs of ${t.n} cycles` : `${t.n} non-stale snapshots in ${minutes(t.durationMs)}`;
      const measured = c.floor ?? c.level;
      const rose = rises(measured)
        ? `the heap rose ${mib(measured.grown)} (p = ${pText(measured.p)}), within twice the noise and the sampling uncertainty (±${mib(Math.max(c.sigma, c.samplingError))})`
        : `the heap rose ${mib(Math.max(0, measured.grown))} without a significant trend (p = ${pText(measured.p)})`;
      const advice = more === null ? `${rose}; a longer run shows whether it continues` : `collect for about ${Math.ceil(more)} more minutes to settle it`;
      return {
        kind: 'inconclusive',
        reason: `no leak shown over ${what} (slope ${slopeText(t)}, p = ${pText(t.p)}), but growth up to ${mib(perHour(t.high))}/h cannot be ruled out, above the ${mib(bound)}/h that would matter (${boundBasis(t.level)}); ${advice}${c.history}`,
      };
    },
  },
];

/** The largest growth (bytes per hour) a "no-leak" may leave unexcluded for a heap at `level`: MAX_HOURLY_GROWTH of it per hour. */
export function practicalBound(level: number): number {
  return Math.max(level, 0) * MAX_HOURLY_GROWTH;
}

function boundBasis(level: number): string {
  return `${Math.round(MAX_HOURLY_GROWTH * 100)}% of the ${mib(level)} heap per hour`;
}

/**
 * Minutes more collection after which the slope's upper bound would fall
 * below the practical bound, if the slope stays as estimated and its
 * interval narrows as 1/T (the slowest of the two ways it narrows: the
 * wander's floor 2σ/T; independent errors would give T^(-3/2)); null when
 * the estimate itself is at or above the bound (time alone will not settle
 * it: the growth may be real).
 */
export function minutesToSettle(t: Trend): number | null {
  const slope = Math.max(0, perHour(t.slope));
  const halfWidth = perHour(t.high) - perHour(t.slope);
  for (let factor = 1.1; factor <= 100; factor *= 1.1) {
    const duration = t.durationMs * factor;
    const bound = practicalBound(t.level);
    if (slope >= bound) return null;
    if (slope + halfWidth / factor < bound) return (duration - t.durationMs) / 60_000;
  }
  return null;
}

/**
 * Decides leak | no-leak | inconclusive on the verdict window (see
 * verdictWindow), by the first rule of RULES that decides. The tests behind
 * every rule: Mann–Kendall with the Hamed–Rao correction for autocorrelated
 * data (successive heap profiles share their sampled objects), Theil–Sen
 * slopes with Sen's interval widened by the same factor.
 */
export function decideVerdict(series: readonly VerdictInput[], phases: readonly Phase[], options: VerdictOptions, window = verdictWindow(series, phases, options.samplingPeriodBytes, options.startedWithProcess)): Verdict {
  const points = window.points;
  const startIndex = points[0] ?? -1;
  const endIndex = points[points.length - 1] ?? -1;
  // A cyclic window has given back what came before it at its first reset.
  const history = window.cycles ? '' : historyBefore(series, phases, points);
  if (points.length < MIN_WINDOW_POINTS) {
    const none = { slopeBytesPerHour: 0, slopeLowBytesPerHour: 0, slopeHighBytesPerHour: 0, pValue: 1 };
    return { kind: 'inconclusive', rule: 'too-few-points', startIndex, endIndex, points: points.length, ...none, reason: tooFewReason(series, phases, points) + history };
  }
  const xs = points.map((i) => series[i]!.t);
  const ys = points.map((i) => series[i]!.bytes);
  const level = trendOf(xs, ys);
  const samplingError = samplingErrorOf(points.map((i) => series[i]!), level.level, options.samplingPeriodBytes);
  let floor: Trend | null = null;
  if (window.cycles) {
    const troughs = window.cycles.troughs.map((k) => window.measured[k]!);
    if (troughs.length >= minTrendPoints()) floor = trendOf(troughs.map((i) => series[i]!.t), troughs.map((i) => series[i]!.bytes));
  }
  const sigma = seriesNoise(ys);
  const cautious = cautiousTrend(xs, ys, lifetimeWander(series, phases, window.measured), samplingError, options.turnoverMs ?? null);
  const claim: Trend = { ...cautious, high: Math.max(cautious.high, Math.max(cautious.slope, 0) + cautious.floor) };
  const evidence: Evidence = {
    startIndex,
    endIndex,
    points: points.length,
    slopeBytesPerHour: perHour(floor?.slope ?? level.slope),
    slopeLowBytesPerHour: perHour(floor?.low ?? level.low),
    slopeHighBytesPerHour: perHour(floor?.high ?? level.high),
    pValue: floor?.p ?? level.p,
  };
  const lastReset = window.resets[window.resets.length - 1];
  const priorPeak = lastReset ? Math.max(...window.measured.slice(0, lastReset.at).map((i) => series[i]!.bytes)) : null;
  const recentPeak = Math.max(...window.measured.slice(lastReset?.at ?? 0).map((i) => series[i]!.bytes));
  const context: Context = { series, window, options, xs, ys, level, cautious, claim, floor, sigma, samplingError, evidence, history, priorPeak, recentPeak };
  if (window.cycles && !floor) {
    // Too few cycles to compare troughs; a site that keeps what it takes can still show the leak.
    const bySite = RULES.find((r) => r.name === 'site-grows')!.decide(context);
    if (bySite) return { kind: bySite.kind, rule: 'site-grows', ...(bySite.evidence ?? evidence), reason: bySite.reason };
    const cy = window.cycles;
    return {
      kind: 'inconclusive',
      rule: 'too-few-points',
      ...evidence,
      reason:
        `the heap is released at every reset (${cy.resets.length} so far, by ${mib(cy.amplitudeBytes)}): a leak would show in the troughs, and ` +
        `${cy.troughs.length} cycles are too few to test (at least ${minTrendPoints()} are needed); collect for longer${history}`,
    };
  }
  for (const rule of RULES) {
    const d = rule.decide(context);
    if (d) return { kind: d.kind, rule: d.rule ?? rule.name, ...(d.evidence ?? evidence), reason: d.reason };
  }
  throw new Error('unreachable: the last verdict rule always decides');
}

/**
 * The heap's wander over its lifetime, as an AR(1) process: σ, the scatter
 * of the measured points around their phases' own lines (trimmed scale);
 * φ from σ against the scatter of successive differences (γ(1) = σ²(1 − φ),
 * the fast part), capped so that the correlation length 1/(1 − φ) stays
 * below a quarter of the points; and the variance factor (1 + φ)/(1 − φ)
 * (long-run over marginal variance). A window can only show correlations
 * shorter than itself; the lifetime shows more.
 */
export function lifetimeWander(series: readonly VerdictInput[], phases: readonly Phase[], measured: readonly number[]): { readonly sigma: number; readonly varianceFactor: number } {
  const n = measured.length;
  const residuals: number[] = [];
  for (const p of phases) {
    const pts = measured.filter((i) => i >= p.start && i <= p.end);
    if (pts.length < 3) continue;
    const xs = pts.map((i) => series[i]!.t);
    const ys = pts.map((i) => series[i]!.bytes);
    const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
    const my = ys.reduce((a, b) => a + b, 0) / ys.length;
    const sxx = xs.reduce((a, x) => a + (x - mx) ** 2, 0);
    const slope = sxx > 0 ? xs.reduce((a, x, k) => a + (x - mx) * (ys[k]! - my), 0) / sxx : 0;
    pts.forEach((_, k) => residuals.push(ys[k]! - my - slope * (xs[k]! - mx)));
  }
  const step = seriesNoise(measured.map((i) => series[i]!.bytes));
  if (n < 8 || residuals.length < 8) return { sigma: step, varianceFactor: 1 };
  const sigma = Math.max(trimmedScale(residuals), step);
  const phi = Math.min(1 - 4 / n, Math.max(0, 1 - (step * step) / (sigma * sigma)));
  return { sigma, varianceFactor: (1 + phi) / (1 - phi) };
}

/**
 * The trend the rules that claim no leak read. Its variance is inflated at
 * least as much as the lifetime's wander asks (see lifetimeWander), and its
 * interval is no narrower than the profiles' sampling error allows: each
 * measurement is off by up to σ (its standard error, or the wander if
 * larger), and that error persists until the heap's objects are replaced
 * — over a window of length T the profile re-draws it about T / turnover
 * times, so the window holds n = 1 + T / turnover independent measurements
 * of the level at best (2 when the turnover is unknown: its two ends), and a
 * slope fitted to them is uncertain by σ·√(12(n − 1)/(n(n + 1)))/T. A window
 * shorter than the heap's turnover cannot rule out growth more tightly than
 * its sampling error; a long one, re-sampled many times, can.
 */
export function cautiousTrend(xs: readonly number[], ys: readonly number[], wander: { sigma: number; varianceFactor: number }, samplingError: number, turnoverMs: number | null): Trend & { readonly floor: number } {
  const t = trendOf(xs, ys, wander.varianceFactor);
  const duration = Math.max(t.durationMs, 1);
  const n = Math.max(2, turnoverMs !== null && turnoverMs > 0 ? 1 + duration / turnoverMs : 2);
  const sigma = Math.max(samplingError, wander.sigma);
  const floor = (normalQuantile(0.975) * sigma * Math.sqrt((12 * (n - 1)) / (n * (n + 1)))) / duration;
  return { ...t, low: Math.min(t.low, t.slope - floor), high: Math.max(t.high, t.slope + floor), floor };
}

/** Why a window is too short, naming the real cause. */
function tooFewReason(series: readonly VerdictInput[], phases: readonly Phase[], points: readonly number[]): string {
  const stale = series.filter((p) => p.stale).length;
  const fresh = series.length - stale;
  if (fresh < MIN_WINDOW_POINTS) {
    return stale > 0
      ? `${stale} of ${series.length} snapshots are stale (no GC ran between them), leaving ${fresh} measurements in all (at least ${MIN_WINDOW_POINTS} are needed); collect longer or with --gc`
      : `only ${fresh} snapshots in all (at least ${MIN_WINDOW_POINTS} are needed); collect for longer`;
  }
  const last = phases[phases.length - 1];
  if (last?.kind === 'spike') return `the run ends in a spike (from snapshot ${last.start}): its level is not a steady state; collect until it settles`;
  if (phases.length === 1 && points.length < MIN_WINDOW_POINTS) {
    return `the heap has ${last!.kind === 'plateau' ? 'held' : 'changed'} as one phase since the run began ${((series[series.length - 1]!.t - series[0]!.t) / 1000).toFixed(0)} s ago with the process: its start-up cannot be told from what follows until the heap changes pace or ${MIN_WINDOW_POINTS} measurements follow the first half of the run; collect for longer`;
  }
  const since = points.length > 0 ? points[0]! : series.length - 1;
  const staleInWindow = series.slice(since).filter((p) => p.stale).length;
  return (
    `the heap changed regime at snapshot ${since} (${last ? last.kind : 'start'}), leaving ${points.length} measurements since` +
    (staleInWindow > 0 ? ` (${staleInWindow} more are stale)` : '') +
    ` — at least ${MIN_WINDOW_POINTS} are needed to judge the new regime; collect for longer${staleInWindow > points.length ? ' or with --gc' : ''}`
  );
}

/**
 * What the heap did before the window, when it matters to the verdict: growth
 * that was never given back (a leak that stopped, a warm-up that filled a
 * cache) is memory still held.
 */
function historyBefore(series: readonly VerdictInput[], phases: readonly Phase[], points: readonly number[]): string {
  if (points.length === 0) return '';
  const start = points[0]!;
  const before = phases.filter((p) => p.end <= start && (p.kind === 'steady-growth' || p.kind === 'rapid-growth'));
  if (before.length === 0) return '';
  const first = before[0]!;
  const last = before[before.length - 1]!;
  const grew = last.endBytes - first.startBytes;
  const held = series[points[points.length - 1]!]!.bytes;
  if (grew <= 0 || held < first.startBytes + grew / 2) return '';
  return `. Before this window the heap grew ${mib(grew)} (snapshots ${first.start}–${last.end}) and has not given it back`;
}

export type { VerdictKind, Verdict };
