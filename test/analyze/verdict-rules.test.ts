import { describe, expect, it } from 'vitest';
import { segmentPhases } from '../../src/analyze/phases.js';
import {
  ALPHA,
  MAX_HOURLY_GROWTH,
  MIN_WINDOW_POINTS,
  decideVerdict,
  lifetimeWander,
  minTrendPoints,
  minutesToSettle,
  practicalBound,
  verdictWindow,
  type SiteEvidence,
  type Trend,
  type VerdictInput,
  type VerdictOptions,
} from '../../src/analyze/verdict.js';

// Series built by hand, with answers known by construction: each test names the
// rule of decideVerdict it pins and the wrong implementation it would catch.
const MiB = 2 ** 20;
const R = 512 * 1024;
const HOUR = 3_600_000;

/** A deterministic uniform noise in [-1, 1] (a linear congruential generator). */
function noise(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return (s / 2 ** 31) * 2 - 1;
  };
}

/** Points every `dt` ms; `stale` marks points as stale; `error` is each point's sampling error. */
function series(ys: readonly number[], { dt = 2000, stale = [] as readonly boolean[], error }: { dt?: number; stale?: readonly boolean[]; error?: number } = {}): VerdictInput[] {
  return ys.map((bytes, i) => ({ t: 1e12 + i * dt, bytes, stale: stale[i] ?? false, ...(error !== undefined ? { samplingError: error } : {}) }));
}

function judge(values: VerdictInput[], options: Partial<VerdictOptions> = {}) {
  const phases = segmentPhases(values, { samplingPeriodBytes: options.samplingPeriodBytes ?? R });
  return decideVerdict(values, phases, { samplingPeriodBytes: R, ...options });
}

const line = (n: number, from: number, step: number, amp: number, seed = 1): number[] => {
  const rnd = noise(seed);
  return Array.from({ length: n }, (_, i) => from + i * step + amp * rnd());
};

describe('too few measurements: inconclusive, naming the real cause', () => {
  it(`${MIN_WINDOW_POINTS - 1} fresh snapshots are too few, ${MIN_WINDOW_POINTS} are enough`, () => {
    const five = judge(series(line(MIN_WINDOW_POINTS - 1, 50 * MiB, 0, 0.1 * MiB), { error: 0.5 * MiB }));
    expect(five).toMatchObject({ kind: 'inconclusive', rule: 'too-few-points', points: MIN_WINDOW_POINTS - 1 });
    expect(five.reason).toMatch(/^only 5 snapshots in all \(at least 6 are needed\); collect for longer/);
    const six = judge(series(line(MIN_WINDOW_POINTS, 50 * MiB, 0, 0.1 * MiB), { error: 0.5 * MiB }));
    expect(six.rule).not.toBe('too-few-points');
    expect(six.points).toBe(MIN_WINDOW_POINTS);
  });

  it('mostly stale snapshots: says so, and to collect with --gc', () => {
    const stale = Array.from({ length: 20 }, (_, i) => i % 5 !== 0);
    const v = judge(series(line(20, 50 * MiB, 0, 0.1 * MiB), { stale }));
    expect(v).toMatchObject({ kind: 'inconclusive', rule: 'too-few-points', points: 4 });
    expect(v.reason).toBe('16 of 20 snapshots are stale (no GC ran between them), leaving 4 measurements in all (at least 6 are needed); collect longer or with --gc');
  });
});

describe('heap-grows: the heap grows steadily, beyond its noise and sampling error', () => {
  // 60 snapshots, 2 s apart, +0.5 MiB each: 900 MiB/h; noise ±0.2 MiB; sampling error 1 MiB.
  const growing = series(line(60, 40 * MiB, 0.5 * MiB, 0.2 * MiB), { error: MiB });

  it('is a leak, with the slope, its interval and p', () => {
    const v = judge(growing);
    expect(v).toMatchObject({ kind: 'leak', rule: 'heap-grows', startIndex: 0, endIndex: 59, points: 60 });
    expect(v.slopeBytesPerHour / MiB).toBeCloseTo(900, -1);
    expect(v.slopeLowBytesPerHour).toBeLessThan(v.slopeBytesPerHour);
    expect(v.slopeHighBytesPerHour).toBeGreaterThan(v.slopeBytesPerHour);
    expect(v.slopeLowBytesPerHour / MiB).toBeGreaterThan(850);
    expect(v.pValue).toBeLessThan(1e-6);
    expect(v.reason).toMatch(/^the heap grows steadily over 60 non-stale snapshots in 2\.0 min: \+29\.\d MiB at 9\d\d\.\d MiB\/h \(95% interval /);
  });

  it('without a call site that never releases memory and still rises, the same growth is unexplained (inconclusive)', () => {
    const v = judge(growing, { siteCorroboration: false });
    expect(v).toMatchObject({ kind: 'inconclusive', rule: 'growth-unexplained' });
    expect(v.reason).toMatch(/but no call site holds memory that it never releases and that still rises/);
    expect(judge(growing, { siteCorroboration: true }).rule).toBe('heap-grows');
    expect(judge(growing, { siteCorroboration: null }).rule).toBe('heap-grows');
  });

  it('a significant rise within twice the sampling error is not a leak', () => {
    // +6 MiB over the window, significant (tiny noise), but each measurement is uncertain by 4 MiB: 6 < 2 × 4.
    const v = judge(series(line(60, 40 * MiB, 0.1 * MiB, 0.01 * MiB), { error: 4 * MiB }));
    expect(v.kind).not.toBe('leak');
    expect(v.reason).toMatch(/the heap rose 5\.\d MiB \(p = .*\), within twice the noise and the sampling uncertainty \(±4\.0 MiB\)/);
    // The same rise with a 2 MiB error is a leak: the threshold is twice the error.
    expect(judge(series(line(60, 40 * MiB, 0.1 * MiB, 0.01 * MiB), { error: 2.5 * MiB })).kind).toBe('leak');
  });
});

describe('site-grows: one site that never releases memory shows what a noisy heap hides', () => {
  const evidence: SiteEvidence = { name: 'main.keep (called from main.serve)', growthBytes: 3 * MiB, slopeBytesPerHour: 60 * MiB, slopeLowBytesPerHour: 40 * MiB, slopeHighBytesPerHour: 80 * MiB, pValue: 1e-6, tested: 12 };
  const noisy = series(line(60, 100 * MiB, 0, 8 * MiB, 7), { error: 7 * MiB });

  it('is a leak on the site, with its slope and p in the verdict', () => {
    const v = judge(noisy, { siteEvidence: evidence });
    expect(v).toMatchObject({ kind: 'leak', rule: 'site-grows', slopeBytesPerHour: 60 * MiB, slopeLowBytesPerHour: 40 * MiB, slopeHighBytesPerHour: 80 * MiB, pValue: 1e-6 });
    expect(v.reason).toMatch(/^main\.keep \(called from main\.serve\) keeps memory it never releases: \+3\.0 MiB over the window at 60\.0 MiB\/h .* \(bounded for 12 sites tested\); the heap total .* is too noisy to show it alone/);
  });

  it('without the evidence, the same heap is not a leak', () => {
    expect(judge(noisy).kind).not.toBe('leak');
  });
});

describe('declines and bounded: the two ways to no-leak', () => {
  it('a decline beyond twice the sampling error: no-leak, "the heap declines"', () => {
    const v = judge(series(line(60, 100 * MiB, -0.5 * MiB, 0.2 * MiB), { error: MiB }));
    expect(v).toMatchObject({ kind: 'no-leak', rule: 'declines' });
    expect(v.reason).toMatch(/^the heap declines over 60 non-stale snapshots in 2\.0 min \(trend p = .*\); slope -[\d.]+ MiB\/h \(95% interval/);
    expect(v.slopeBytesPerHour / MiB).toBeCloseTo(-900, -1);
    expect(v.slopeHighBytesPerHour).toBeLessThan(0);
  });

  it('a decline within twice the sampling error is not "declines"', () => {
    const v = judge(series(line(60, 100 * MiB, -0.05 * MiB, 0.01 * MiB), { error: 4 * MiB }));
    expect(v.rule).not.toBe('declines');
  });

  it('a flat heap for long enough: growth of its size per hour is ruled out', () => {
    // 200 snapshots 10 s apart (33 min) at 100 MiB ± 0.2 MiB.
    const v = judge(series(line(200, 100 * MiB, 0, 0.2 * MiB, 3), { dt: 10_000, error: 0.5 * MiB }));
    expect(v).toMatchObject({ kind: 'no-leak', rule: 'bounded' });
    expect(v.slopeHighBytesPerHour).toBeLessThan(practicalBound(100 * MiB));
    expect(v.reason).toMatch(/^no growth in the heap over 200 non-stale snapshots in 33\.2 min: .* is ruled out, below the 100\.0 MiB\/h that would matter \(100% of the 100\.0 MiB heap per hour\)$/);
  });

  it('the same heap for 40 s cannot rule it out: inconclusive, saying how long would', () => {
    const v = judge(series(line(20, 100 * MiB, 0, 0.2 * MiB, 3), { error: 0.5 * MiB }));
    expect(v).toMatchObject({ kind: 'inconclusive', rule: 'unresolved' });
    expect(v.reason).toMatch(/^no leak shown over 20 non-stale snapshots in 0\.6 min .* but growth up to [\d.]+ MiB\/h cannot be ruled out, above the 100\.0 MiB\/h that would matter .*; collect for about \d+ more minutes to settle it$/);
  });
});

describe('cyclic heaps: trough to trough', () => {
  /** Teeth of `period` snapshots rising `rise` each, reset to a trough that rises by `troughStep` per cycle. */
  const sawtooth = (cycles: number, period: number, rise: number, troughStep: number): number[] =>
    Array.from({ length: cycles * period }, (_, i) => 30 * MiB + Math.floor(i / period) * troughStep + (i % period) * rise);

  it('troughs that rise: a leak, by its troughs', () => {
    const v = judge(series(sawtooth(8, 10, 2 * MiB, 3 * MiB), { error: MiB }));
    expect(v).toMatchObject({ kind: 'leak', rule: 'troughs-rise' });
    // Each reset drops from a tooth's top (trough + 9 × 2 MiB) to the next trough (3 MiB higher): 15 MiB.
    expect(v.reason).toMatch(/^the heap is released every 20 s \(by 15\.0 MiB\), but what survives rises: the troughs of 7 cycles grew 18\.0 MiB/);
    // The troughs rise 3 MiB per 20 s: 540 MiB/h.
    expect(v.slopeBytesPerHour / MiB).toBeCloseTo(540, 0);
  });

  it('troughs that hold: not a leak', () => {
    expect(judge(series(sawtooth(8, 10, 2 * MiB, 0), { error: MiB })).kind).not.toBe('leak');
  });

  it('troughs that sink by less than their noise: bounded, and any growth ruled out (no "faster than -0.0")', () => {
    // 40 teeth of 10 snapshots 10 s apart; the troughs sink 0.03 MiB per cycle (1.2 MiB in all, under twice the 1 MiB error).
    const v = judge(series(sawtooth(40, 10, 2 * MiB, -0.03 * MiB), { dt: 10_000, error: MiB }));
    expect(v).toMatchObject({ kind: 'no-leak', rule: 'bounded' });
    expect(v.slopeHighBytesPerHour).toBeLessThan(0);
    expect(v.reason).toMatch(/^no growth in the troughs of \d+ cycles \(released every 18\.0 MiB\): .*; any growth is ruled out, below the [\d.]+ MiB\/h that would matter/);
    expect(v.reason).not.toContain('-0.0');
  });

  it(`fewer than ${minTrendPoints()} troughs cannot show a trend: inconclusive, saying so`, () => {
    const v = judge(series(sawtooth(4, 10, 2 * MiB, 3 * MiB), { error: MiB }));
    expect(v).toMatchObject({ kind: 'inconclusive', rule: 'too-few-points' });
    expect(v.reason).toMatch(/^the heap is released at every reset \(3 so far, by 15\.0 MiB\): a leak would show in the troughs, and 3 cycles are too few to test \(at least 5 are needed\); collect for longer$/);
  });

  it('after one reset, regaining the memory is not a leak; going beyond the level held before is', () => {
    // 20 snapshots rising 1 MiB each, a reset to the start, 20 more rising to the same top.
    const tooth = Array.from({ length: 20 }, (_, i) => 30 * MiB + i * MiB);
    const again = judge(series([...tooth, ...tooth], { error: 0.5 * MiB }));
    expect(again.kind).not.toBe('leak');
    // The second tooth rising twice as far goes well beyond the first one's top.
    const beyond = judge(series([...tooth, ...Array.from({ length: 20 }, (_, i) => 30 * MiB + i * 2 * MiB)], { error: 0.5 * MiB }));
    expect(beyond).toMatchObject({ kind: 'leak', rule: 'heap-grows' });
  });
});

describe('the window: the longest homogeneous stretch after start-up', () => {
  it('a warm-up that levels off is left out of the window', () => {
    // 30 snapshots rising 1 MiB each, then 60 flat.
    const ys = [...line(30, 20 * MiB, MiB, 0.1 * MiB), ...line(60, 50 * MiB, 0, 0.1 * MiB, 5)];
    const values = series(ys, { error: 0.3 * MiB });
    const v = judge(values);
    expect(v.kind).not.toBe('leak');
    expect(v.startIndex).toBeGreaterThanOrEqual(27);
    expect(v.startIndex).toBeLessThanOrEqual(33);
    expect(v.reason).toMatch(/Before this window the heap grew (29|30)\.\d MiB \(snapshots 0–\d\d\) and has not given it back$/);
  });

  it('a leak split into phases by noise keeps one window', () => {
    const v = judge(series(line(90, 20 * MiB, 0.4 * MiB, 0.6 * MiB, 9), { error: 0.5 * MiB }));
    expect(v).toMatchObject({ kind: 'leak', startIndex: 0, endIndex: 89 });
  });

  it('a leak that starts late: the window is the recent growth', () => {
    const ys = [...line(50, 40 * MiB, 0, 0.2 * MiB, 2), ...line(40, 40 * MiB, 0.5 * MiB, 0.2 * MiB, 4)];
    const v = judge(series(ys, { error: 0.5 * MiB }));
    expect(v).toMatchObject({ kind: 'leak' });
    expect(v.startIndex).toBeGreaterThanOrEqual(45);
  });

  it('a series that begins with the process: its first phase is start-up; a single phase is judged on its second half', () => {
    const values = series(line(20, 20 * MiB, 0.5 * MiB, 0.05 * MiB), { error: 0.2 * MiB });
    const phases = segmentPhases(values, { samplingPeriodBytes: R });
    expect(phases.map((p) => p.kind)).toEqual(['steady-growth']);
    expect(verdictWindow(values, phases, R, false).points[0]).toBe(0);
    expect(verdictWindow(values, phases, R, true).points).toEqual(Array.from({ length: 10 }, (_, i) => 10 + i));
  });

  it('a run that ends in a spike has no steady window', () => {
    const ys = [...line(40, 30 * MiB, 0, 0.1 * MiB), 60 * MiB, 90 * MiB, 90 * MiB, 50 * MiB, 31 * MiB];
    const values = series(ys, { error: 0.5 * MiB });
    const phases = segmentPhases(values, { samplingPeriodBytes: R });
    if (phases.at(-1)!.kind === 'spike') {
      const v = decideVerdict(values, phases, { samplingPeriodBytes: R });
      expect(v.reason).toMatch(/^the run ends in a spike/);
    }
  });
});

describe('constants and helpers, with their known values', () => {
  it('the fewest points for which a Mann–Kendall test can reach p < 0.05 is 5 (S = 10, Var S = 50/3)', () => {
    // n = 4: z = (6 − 1)/√(4·3·13/18) = 1.70 < 1.96; n = 5: z = (10 − 1)/√(5·4·15/18) = 2.20.
    expect(minTrendPoints()).toBe(5);
    expect(minTrendPoints(0.01)).toBe(6); // n = 6: z = (15 − 1)/√(6·5·17/18) = 2.63 > 2.576; n = 5: 2.20.
    expect(ALPHA).toBe(0.05);
  });

  it('the practical bound is the heap size per hour', () => {
    expect(MAX_HOURLY_GROWTH).toBe(1);
    expect(practicalBound(100 * MiB)).toBe(100 * MiB);
    expect(practicalBound(-5)).toBe(0);
  });

  it('minutes to settle: when the interval would narrow (as 1/T) below the bound', () => {
    // 10 min so far, slope 0, upper bound 2× the bound: the interval must halve, T × 1.1^k ≥ 2 T → k = 8 (2.14 T).
    const level = 60 * MiB;
    const trend: Trend = { n: 60, p: 0.5, s: 0, slope: 0, low: -2 * level / HOUR, high: (2 * level) / HOUR, durationMs: 600_000, grown: 0, level };
    expect(minutesToSettle(trend)).toBeCloseTo(10 * (1.1 ** 8 - 1), 6);
    // Already rising at the bound: time alone cannot settle it.
    expect(minutesToSettle({ ...trend, slope: level / HOUR })).toBeNull();
    // Narrow enough already at the first step.
    expect(minutesToSettle({ ...trend, high: (0.5 * level) / HOUR })).toBeCloseTo(10 * 0.1, 6);
  });

  it("the lifetime's wander: residuals around each phase's line, and the AR(1) factor from them", () => {
    // Alternating ±1 MiB around a flat line: successive differences are 2 MiB, as large as the scatter allows: no persistence.
    const values = series(Array.from({ length: 40 }, (_, i) => 50 * MiB + (i % 2 ? MiB : -MiB)));
    const phases = segmentPhases(values, { samplingPeriodBytes: 0 });
    const w = lifetimeWander(values, phases, values.map((_, i) => i));
    expect(w.varianceFactor).toBe(1);
    // A slow wave: neighbours alike, the scatter much larger than a step: persistence inflates the variance.
    // Measurements uncertain by 5 MiB: the wave (6 MiB from trough to crest) stays one plateau, and its scatter is the wander.
    const wave = series(Array.from({ length: 80 }, (_, i) => 50 * MiB + 3 * MiB * Math.sin(i / 6)), { error: 5 * MiB });
    const wp = segmentPhases(wave, { samplingPeriodBytes: 0 });
    expect(wp.map((p) => p.kind)).toEqual(['plateau']);
    const ww = lifetimeWander(wave, wp, wave.map((_, i) => i));
    expect(ww.varianceFactor).toBeGreaterThan(5);
    expect(ww.sigma).toBeGreaterThan(0.5 * MiB);
  });
});
