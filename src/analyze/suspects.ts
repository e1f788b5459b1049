import type { LeakSuspect, SuspectHistory } from '../model/report.js';
import { SITE_DEPTH, joinFrames, splitFrames } from './snapshot-summary.js';
import { mannKendallAutocorrelated, signTest, spearman, theilSen } from './stats.js';
import type { SiteEvidence } from './verdict.js';
import { ALPHA } from './verdict.js';

/**
 * Leak suspects: the call sites (and the callers that group them) whose
 * memory grows, each judged over the whole series as well as the verdict's
 * window, with its history:
 * - never released: its bytes only grew (maybe in steps) — the leak's
 *   signature (memlab's "unbound" objects); rising now, or held since it
 *   stopped growing;
 * - released before: it gave back at least half of what it had gained, at
 *   least once (a sawtooth: bounded by whatever releases it, with the
 *   period and amplitude of that cycle), and is rising again now.
 * Ranked: never released and rising now first, then never released and
 * held, then released before; within each, by bytes gained.
 *
 * Uncertainty is each quantity's own: a site's sampled size is uncertain by
 * √(its bytes × period), not by the whole heap's. Rising now is a Mann–Kendall
 * trend over the window (Hamed–Rao corrected) with p below ALPHA divided by
 * the number of sites and callers tested (Bonferroni: with hundreds of sites
 * some rise by chance), a Theil–Sen interval above zero, and enough distinct
 * rises for a sign test to pass at ALPHA (a sampled size moves in steps of one
 * sampled object, and three objects kept are not a trend however neatly they
 * line up), unless the site has since stopped (see stoppedRising).
 *
 * Callers group growth spread over many sites, as pprof's cum does: a
 * function that appears as a caller in several growing sites is judged on
 * their sum, and reported when no single site explains most of it (else the
 * site itself names the growth better). Of nested callers, the nearest to
 * the sites that explains the growth is kept.
 */
export interface SuspectInput {
  /** Unix ms of the measured (non-stale) snapshots, in order. */
  readonly t: readonly number[];
  /** Per measured snapshot: in-use bytes per call site. */
  readonly sites: readonly ReadonlyMap<string, number>[];
  /** Per measured snapshot: the sampling variance of each site's bytes (from its object sizes); absent: √(bytes × period) is the error. */
  readonly variances?: readonly ReadonlyMap<string, number>[];
  /** The verdict window: first and last position in `t`. */
  readonly windowFrom: number;
  readonly windowTo: number;
  /** Positions before this one are the process's start-up (growth completed there is not a suspect). */
  readonly startupEnd: number;
  readonly samplingPeriodBytes: number;
  /** Series index (as the run numbers snapshots) of each measured snapshot, for the report. */
  readonly indices: readonly number[];
}

export interface SuspectResult {
  /** Whether some site or caller never releases memory and rises now: what backs a rise of the whole heap. */
  readonly corroborated: boolean;
  /** Ranked, each with the call-site keys it sums (one for a site), for its sparkline. */
  readonly suspects: { readonly suspect: RankedSuspect; readonly memberKeys: readonly string[] }[];
  /** The first-ranked suspect that never releases memory, rises now and names the program's own code, for the verdict's site rule (null when none). */
  readonly evidence: SiteEvidence | null;
  readonly tested: number;
}

/** A suspect before its sparkline (the whole series, which the window does not hold) is attached. */
export type RankedSuspect = Omit<LeakSuspect, 'bytesOverTime'>;

/** Most candidates (sites and callers) judged in full, by range of bytes: bounds the work on long runs. */
const MAX_CANDIDATES = 60;
/**
 * Sampled objects a gain or a release must amount to: a change measured by k
 * sampled objects is a Poisson count, real at two standard errors when
 * k > 2√k, i.e. k > 4. (Whether it is a trend rather than wander is the trend
 * test's question.)
 */
export const MIN_SAMPLES = 4;
/** A site that gives back at least this share of the bytes it takes releases memory (see historyOf). */
export const RELEASED_SHARE = 0.1;
/** A caller is reported when its largest site explains less than this share of its gain. */
const SPREAD_SHARE = 0.5;

interface Candidate {
  readonly kind: 'site' | 'caller';
  /** For a caller: its median position in its sites' stacks (1: the allocating function's caller). */
  readonly depth: number;
  readonly name: string;
  readonly stack: readonly string[];
  readonly ys: readonly number[];
  /** Per point, its sampling standard error. */
  readonly errors: readonly number[];
  readonly members: readonly string[];
}

interface Judged extends Candidate {
  readonly history: SuspectHistory;
  readonly growth: number;
  readonly slope: number;
  readonly low: number;
  readonly high: number;
  readonly p: number;
  readonly s: number;
  readonly rho: number;
  readonly risingNow: boolean;
  /** Over the window's last third it gave back less than RELEASED_SHARE of what it took over the window: it keeps its memory now, as a leak does (a cache that filled and churns at its cap does not). */
  readonly keepsNow: boolean;
  readonly startBytes: number;
  readonly endBytes: number;
}

/** Judges every call site and grouping caller of a lifetime (see the module comment). */
export function judgeSuspects(input: SuspectInput, limit = 10): SuspectResult {
  const n = input.t.length;
  const from = Math.max(0, input.windowFrom);
  const to = Math.min(n - 1, input.windowTo);
  if (n < 3 || to - from + 1 < 3) return { suspects: [], evidence: null, tested: 0, corroborated: false };
  const R = input.samplingPeriodBytes;
  const keys = new Set<string>();
  for (const m of input.sites) for (const k of m.keys()) keys.add(k);
  const siteSeries = new Map<string, number[]>();
  for (const k of keys) siteSeries.set(k, input.sites.map((m) => m.get(k) ?? 0));
  // A sum's variance is the sum of its parts' (sites are sampled independently).
  const errorsOf = (members: readonly string[], ys: readonly number[]): number[] =>
    input.variances
      ? input.variances.map((v) => Math.sqrt(members.reduce((a, m) => a + (v.get(m) ?? 0), 0)))
      : ys.map((y) => Math.sqrt(Math.max(y, 0) * R));

  // Screen: a candidate must have moved by more than twice its own sampling uncertainty somewhere in the lifetime.
  const moved = (ys: readonly number[], errors: readonly number[]): number => {
    let lo = Infinity;
    let hi = -Infinity;
    let at = 0;
    ys.forEach((y, i) => {
      if (y < lo) lo = y;
      if (y > hi) [hi, at] = [y, i];
    });
    return hi - lo > 2 * errors[at]! ? hi - lo : 0;
  };
  const candidates: (Candidate & { range: number })[] = [];
  for (const [key, ys] of siteSeries) {
    const errors = errorsOf([key], ys);
    const range = moved(ys, errors);
    if (range > 0) {
      const stack = splitFrames(key).slice(0, SITE_DEPTH);
      candidates.push({ kind: 'site', depth: 0, name: stack[0]!, stack, ys, errors, members: [key], range });
    }
  }
  for (const group of callerGroups(siteSeries)) {
    const errors = errorsOf(group.members, group.ys);
    const range = moved(group.ys, errors);
    if (range > 0) candidates.push({ ...group, errors, range });
  }
  candidates.sort((a, b) => b.range - a.range || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const family = Math.min(candidates.length, MAX_CANDIDATES);
  // A rise is declared over with the confidence it was declared with: Bonferroni over the sites tested.
  const judged = candidates.slice(0, MAX_CANDIDATES).map((c) => judge(c, input, from, to, ALPHA / Math.max(1, family)));
  const tested = judged.length;
  const bound = ALPHA / Math.max(1, tested);
  const withRising = judged.map((j) => ({ ...j, risingNow: j.risingNow && j.p < bound }));

  const kept = withRising.filter((j) => category(j) > 0 && grewAfterStartup(j, input.startupEnd));
  // Callers: spread over sites (no one site explains most of the gain), nearest first.
  const callers = kept
    .filter((j) => j.kind === 'caller')
    .filter((j) => {
      const gain = roughGain(j.ys, j.risingNow, from, to);
      const largest = Math.max(0, ...j.members.map((m) => roughGain(siteSeries.get(m)!, j.risingNow, from, to)));
      return gain > 0 && largest < SPREAD_SHARE * gain;
    })
    .sort((a, b) => a.depth - b.depth || a.members.length - b.members.length || (a.name < b.name ? -1 : 1));
  // Of nested callers, the nearest to the sites that explains the growth: a caller is redundant when the
  // sites it shares with a nearer kept caller carry at least SPREAD_SHARE of its gain.
  const keptCallers: Judged[] = [];
  for (const c of callers) {
    const gain = roughGain(c.ys, c.risingNow, from, to);
    const redundant = keptCallers.some((k) => {
      const shared = k.members.filter((m) => c.members.includes(m));
      if (shared.length === 0) return false;
      const sum = c.ys.map((_, i) => shared.reduce((a, m) => a + siteSeries.get(m)![i]!, 0));
      return roughGain(sum, c.risingNow, from, to) >= SPREAD_SHARE * gain;
    });
    if (!redundant) keptCallers.push(c);
  }
  const ranked = [...kept.filter((j) => j.kind === 'site'), ...keptCallers].sort(
    (a, b) => category(a) - category(b) || gainOf(b) - gainOf(a) || (joinFrames(a.stack) < joinFrames(b.stack) ? -1 : 1),
  );
  const suspects = ranked.slice(0, limit).map((j) => ({ suspect: toSuspect(j, input), memberKeys: j.members }));
  // The site rule rests a verdict on one site when the heap is too noisy to show it: that site must name code the
  // program owns (see ownsCode); any site that never releases and still rises backs a rise of the whole heap.
  const best = ranked.find((j) => category(j) === 1 && j.stack.some(ownsCode));
  const corroborated = ranked.some((j) => category(j) === 1);
  const evidence: SiteEvidence | null = best
    ? {
        name: best.kind === 'caller' ? `${best.name} (through ${best.members.length} call sites)` : best.stack.length > 1 ? `${best.name} (called from ${best.stack[1]})` : best.name,
        growthBytes: best.growth,
        slopeBytesPerHour: best.slope * 3_600_000,
        slopeLowBytesPerHour: best.low * 3_600_000,
        slopeHighBytesPerHour: best.high * 3_600_000,
        pValue: best.p,
        tested,
      }
    : null;
  return { suspects, evidence, tested, corroborated };
}

/**
 * 1: never released and rising now, keeping what it takes to the end (a cache
 * that filled and now churns at its cap does not); 2: never released, held;
 * 3: released before: rising now, or released in cycles (at least twice),
 * shown as bounded with its cycle; 0: not a suspect.
 */
function category(j: Judged): number {
  if (j.history.kind === 'never-released') return j.risingNow && j.keepsNow ? 1 : j.history.grewBytes > 0 ? 2 : 0;
  return j.risingNow || (j.history.cycle?.releases ?? 0) >= 2 ? 3 : 0;
}

/** What a suspect gained: over the window when rising now, else over the lifetime. */
function gainOf(j: Judged): number {
  return j.risingNow ? j.growth : j.history.grewBytes;
}

/** A gain read from endpoints (medians of three points) over the window, or the range over the lifetime: to compare a caller with its sites on one footing. */
function roughGain(ys: readonly number[], overWindow: boolean, from: number, to: number): number {
  if (!overWindow) return Math.max(...ys) - Math.min(...ys);
  const mid3 = (i: number): number => [ys[Math.max(from, i - 1)]!, ys[i]!, ys[Math.min(to, i + 1)]!].sort((a, b) => a - b)[1]!;
  return mid3(to) - mid3(from);
}

/** Growth completed within the process's start-up is not a suspect: start-up allocations are bounded by being done (released sites are judged by their cycles instead). */
function grewAfterStartup(j: Judged, startupEnd: number): boolean {
  return j.risingNow || j.history.kind === 'released-before' || j.history.grewUntil > startupEnd;
}

function judge(c: Candidate, input: SuspectInput, from: number, to: number, stopAlpha: number): Judged {
  const R = input.samplingPeriodBytes;
  const xs = input.t.slice(from, to + 1);
  const ys = c.ys.slice(from, to + 1);
  const mk = mannKendallAutocorrelated(xs, ys);
  const ts = theilSen(xs, ys, 0.95, mk.varianceFactor);
  const growth = ts.slope * (xs[xs.length - 1]! - xs[0]!);
  const history = historyOf(c.ys, input.t, c.errors, R, input.indices);
  // Enough distinct rises (each a sampled object kept) that they are not chance: the sign test, at ALPHA.
  const events = signTest(ys);
  const neverReleased = history.kind === 'never-released';
  const risingNow = mk.s > 0 && ts.low > 0 && events.p < ALPHA && !stoppedRising(input.t, c.ys, from, to, neverReleased ? null : c.errors, stopAlpha, R);
  // Keeps now: what it gave back over the window's last third is small next to what it took over the window.
  const recent = movements(c.ys.slice(to + 1 - Math.max(3, Math.ceil((to - from + 1) / 3)), to + 1));
  return {
    ...c,
    history,
    growth,
    slope: ts.slope,
    low: ts.low,
    high: ts.high,
    p: mk.p,
    s: mk.s,
    rho: spearman(xs, ys),
    risingNow,
    keepsNow: recent.given < RELEASED_SHARE * movements(ys).taken,
    startBytes: ys[0]!,
    endBytes: ys[ys.length - 1]!,
  };
}

/**
 * Whether a site that rose over the window has stopped. Its progress is
 * marked at checkpoints: each time it rises beyond the level of the last
 * checkpoint by more than its sampling error there (wander of a capped cache
 * does not count; a leak passes checkpoints at its own pace, a staircase at
 * its steps). Each measured snapshot is one chance to pass a checkpoint (a
 * profile changes only at a GC, so chances come per snapshot, not per
 * second): with c checkpoints in the n snapshots up to the last one, the
 * chance per snapshot is estimated c/(n+1) (Laplace's rule of succession, so
 * that a site that rose at every snapshot is not taken to be certain to), and
 * the m snapshots since then would all miss with probability (1 − c/(n+1))^m
 * (Bernoulli trials); below `alpha` (ALPHA over the sites tested, as for the
 * rise itself) it has stopped.
 *
 * A site that never releases memory has no wander (its sampled objects stay,
 * `errors` is null): every new high is a checkpoint, and its gains can also
 * be counted in sampled objects (each about one sampling period): at the
 * rate they came, none since the last gain is a second Poisson test, far
 * more telling for a leak that gained several objects per snapshot. A
 * staircase gains its objects in bursts, which the object count would take
 * for a steady pace; so then the checkpoints' test must pass at ALPHA as
 * well, bursts counting once.
 *
 * A leak that stopped with its load, a cache that reached its cap, are held
 * memory, not growth now; a slow leak between its sampled objects, or a
 * staircase between its steps, has not stopped.
 */
export function stoppedRising(t: readonly number[], ys: readonly number[], from: number, to: number, errors: readonly number[] | null, alpha = ALPHA, samplingPeriodBytes = 0): boolean {
  let mark = ys[from]!;
  let markedAt = from;
  let checkpoints = 0;
  let gained = 0;
  for (let i = from + 1; i <= to; i++) {
    if (ys[i]! > mark + (errors ? errors[markedAt]! : 0)) {
      gained += ys[i]! - mark;
      mark = ys[i]!;
      markedAt = i;
      checkpoints++;
    }
  }
  if (checkpoints === 0 || markedAt === to) return false;
  const chance = checkpoints / (markedAt - from + 1);
  const byCheckpoints = (1 - chance) ** (to - markedAt);
  if (errors || samplingPeriodBytes <= 0) return byCheckpoints < alpha;
  const before = Math.max(t[markedAt]! - t[from]!, 1);
  const since = t[to]! - t[markedAt]!;
  const bySamples = Math.exp(-(gained / samplingPeriodBytes / before) * since);
  return bySamples < alpha && byCheckpoints < ALPHA;
}

/**
 * A site's history over the lifetime. Never released: it gives back less
 * than RELEASED_SHARE of the bytes it takes (the sum of its decreases from
 * snapshot to snapshot over the sum of its increases): a leak's objects,
 * once sampled, stay. Released before otherwise: a churning cache gives
 * back about what it takes, a sawtooth all of it at each reset — the drops
 * of at least half its range (and MIN_SAMPLES samples) are its cycle, with
 * their period and amplitude. It grew until the first point within its
 * sampling error (at the end) of the level it ends at (the median of its
 * last tenth).
 */
export function historyOf(ys: readonly number[], t: readonly number[], errors: readonly number[], samplingPeriodBytes: number, indices: readonly number[]): SuspectHistory {
  const n = ys.length;
  let lo = Infinity;
  let hi = -Infinity;
  for (const y of ys) {
    lo = Math.min(lo, y);
    hi = Math.max(hi, y);
  }
  const release = Math.max(0.5 * (hi - lo), MIN_SAMPLES * samplingPeriodBytes);
  const drops: { at: number; bytes: number }[] = [];
  let top = ys[0]!;
  for (let i = 1; i < n; i++) {
    const y = ys[i]!;
    if (top - y >= release) {
      drops.push({ at: i, bytes: top - y });
      top = y; // a new cycle starts from here
    } else top = Math.max(top, y);
  }
  const tail = [...ys.slice(n - Math.max(3, Math.ceil(n / 10)))].sort((a, b) => a - b);
  const final = tail[tail.length >> 1]!;
  const tolerance = errors[n - 1]!;
  let until = 0;
  while (until < n - 1 && ys[until]! < final - tolerance) until++;
  const grewBytes = Math.max(0, final - Math.min(...ys.slice(0, until + 1)));
  const share = givenBackShare(ys);
  const base = { grewUntil: until, grewUntilIndex: indices[until] ?? until, givenBackShare: share };
  if (share < RELEASED_SHARE && drops.length === 0) return { kind: 'never-released', grewBytes, ...base, cycle: null };
  const gaps = drops.slice(1).map((d, k) => t[d.at]! - t[drops[k]!.at]!);
  const sortedGaps = [...gaps].sort((a, b) => a - b);
  const sortedDrops = drops.map((d) => d.bytes).sort((a, b) => a - b);
  return {
    kind: 'released-before',
    grewBytes: Math.max(0, hi - lo),
    ...base,
    cycle:
      drops.length === 0
        ? null
        : {
            releases: drops.length,
            periodSeconds: sortedGaps.length > 0 ? sortedGaps[sortedGaps.length >> 1]! / 1000 : null,
            amplitudeBytes: sortedDrops[sortedDrops.length >> 1]!,
          },
  };
}

/** Bytes given back over bytes taken, snapshot to snapshot (0 when it never grew). */
export function givenBackShare(ys: readonly number[]): number {
  const { taken, given } = movements(ys);
  return taken > 0 ? given / taken : 0;
}

/** The sums of a series' rises (taken) and falls (given), snapshot to snapshot. */
function movements(ys: readonly number[]): { taken: number; given: number } {
  let taken = 0;
  let given = 0;
  for (let i = 1; i < ys.length; i++) {
    const d = ys[i]! - ys[i - 1]!;
    if (d > 0) taken += d;
    else given -= d;
  }
  return { taken, given };
}

/**
 * Whether a frame is the program's own code rather than the Go runtime or
 * standard library: standard-library import paths have no dot in their
 * first element ("encoding/json", "runtime", "net/http"), as `go list std`
 * defines them; "main" and module paths ("github.com/...") are the program's.
 */
export function ownsCode(frame: string): boolean {
  const slash = frame.lastIndexOf('/');
  const pkgEnd = frame.indexOf('.', slash + 1);
  if (pkgEnd < 0) return false;
  const path = frame.slice(0, pkgEnd);
  if (path === 'main') return true;
  const first = path.split('/')[0]!;
  return first.includes('.');
}

/** Callers of two or more sites, each with the sum of its sites' bytes (a site counted once however often the caller appears in it). */
function callerGroups(siteSeries: ReadonlyMap<string, readonly number[]>): Omit<Candidate, 'errors'>[] {
  const members = new Map<string, string[]>();
  for (const key of siteSeries.keys()) {
    const frames = splitFrames(key);
    for (const f of new Set(frames.slice(1))) {
      const list = members.get(f);
      if (list) list.push(key);
      else members.set(f, [key]);
    }
  }
  const out: Omit<Candidate, 'errors'>[] = [];
  for (const [f, keys] of members) {
    if (keys.length < 2) continue;
    const n = siteSeries.get(keys[0]!)!.length;
    const ys = new Array<number>(n).fill(0);
    for (const k of keys) siteSeries.get(k)!.forEach((y, i) => (ys[i] = ys[i]! + y));
    const first = splitFrames(keys[0]!);
    const stack = first.slice(first.indexOf(f));
    const positions = keys.map((k) => splitFrames(k).indexOf(f)).sort((a, b) => a - b);
    out.push({ kind: 'caller', depth: positions[positions.length >> 1]!, name: f, stack, ys, members: keys });
  }
  return out;
}

function toSuspect(j: Judged, input: SuspectInput): RankedSuspect {
  const leaves = j.kind === 'caller' ? [...new Set(j.members.map((m) => splitFrames(m)[0]!))].slice(0, 5) : [];
  return {
    function: j.name,
    stack: j.stack,
    kind: j.kind,
    sites: j.members.length,
    memberFunctions: leaves,
    growthBytes: j.risingNow ? j.growth : j.history.grewBytes,
    startBytes: j.startBytes,
    endBytes: j.endBytes,
    rho: j.rho,
    risingNow: j.risingNow,
    slopeBytesPerHour: j.slope * 3_600_000,
    slopeLowBytesPerHour: j.low * 3_600_000,
    slopeHighBytesPerHour: j.high * 3_600_000,
    pValue: j.p,
    history: j.history,
    windowStartIndex: input.indices[input.windowFrom] ?? input.windowFrom,
  };
}

/**
 * Stacks whose counts rise steadily over a series (goroutines per stack):
 * a Theil–Sen gain above `minGrowth` and a rank correlation with time of at
 * least MIN_RHO, ranked by gain.
 */
export function rankRisingStacks(window: readonly { readonly t: number; readonly sites: ReadonlyMap<string, number> }[], minGrowth: number, limit = 10): { stack: string[]; growth: number; start: number; end: number; rho: number }[] {
  if (window.length < 3) return [];
  const keys = new Set<string>();
  for (const w of window) for (const k of w.sites.keys()) keys.add(k);
  const xs = window.map((w) => w.t);
  const out: { stack: string[]; growth: number; start: number; end: number; rho: number }[] = [];
  for (const key of keys) {
    const ys = window.map((w) => w.sites.get(key) ?? 0);
    const growth = theilSen(xs, ys).slope * (xs[xs.length - 1]! - xs[0]!);
    if (growth <= minGrowth) continue;
    const rho = spearman(xs, ys);
    if (rho < MIN_RHO) continue;
    out.push({ stack: splitFrames(key).slice(0, SITE_DEPTH), growth, start: ys[0]!, end: ys[ys.length - 1]!, rho });
  }
  out.sort((a, b) => b.growth - a.growth || (joinFrames(a.stack) < joinFrames(b.stack) ? -1 : 1));
  return out.slice(0, limit);
}

/** A stack's count rises steadily from this rank correlation with time. */
export const MIN_RHO = 0.7;

export type { LeakSuspect };
