import type { Phase, Restart, Verdict } from '../model/report.js';
import { segmentPhases } from './phases.js';
import { decideVerdict, MIN_WINDOW_POINTS, verdictWindow } from './verdict.js';
import { judgeSuspects, type SuspectResult } from './suspects.js';
import type { RunEvent } from '../model/run.js';

const RESTART_KINDS = new Set<RunEvent['kind']>(['target-restarted', 'pod-restarted', 'pod-replaced']);

/**
 * The restarts among a target's events, one per restart: the collector sees
 * a restart in the metrics (a new process start time) and the cluster
 * reports it (restart count, replaced pod) up to a poll later, so events
 * closer than `toleranceMs` are one restart, timed by the earliest and
 * described by the cluster's (which knows the reason, OOMKilled...).
 */
export function mergeRestarts(events: readonly RunEvent[], points: readonly { readonly index: number; readonly t: number }[], toleranceMs: number): Restart[] {
  const found = events.filter((e) => RESTART_KINDS.has(e.kind)).sort((a, b) => a.t - b.t);
  const groups: RunEvent[][] = [];
  for (const e of found) {
    const last = groups[groups.length - 1];
    if (last && e.t - last[0]!.t <= toleranceMs) last.push(e);
    else groups.push([e]);
  }
  return groups.map((g) => {
    const t = g[0]!.t;
    const described = g.find((e) => e.pod !== undefined) ?? g[0]!;
    const after = points.find((p) => p.t >= t);
    return {
      t,
      index: after ? after.index : -1,
      kind: described.kind as Restart['kind'],
      pod: described.pod?.name ?? null,
      previousPod: described.pod?.previous ?? null,
      reason: described.pod?.reason ?? null,
      exitCode: described.pod?.exitCode ?? null,
      message: described.message,
    };
  });
}

/** The series split at the restarts: [start, end] positions of each process lifetime that has snapshots. */
export function splitLifetimes(points: readonly { readonly t: number }[], restarts: readonly Restart[]): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  let start = 0;
  for (const r of restarts) {
    let cut = start;
    while (cut < points.length && points[cut]!.t < r.t) cut++;
    if (cut > start) out.push({ start, end: cut - 1 });
    start = cut;
  }
  if (start < points.length) out.push({ start, end: points.length - 1 });
  return out;
}

export interface JudgedLifetime {
  readonly start: number;
  readonly end: number;
  readonly verdict: Verdict;
}

export interface LifetimeInput {
  readonly values: readonly { t: number; bytes: number; stale: boolean }[];
  /** Per series point: in-use bytes per call site (none: no suspects). */
  readonly sites?: readonly ReadonlyMap<string, number>[];
  /** Per series point: the snapshot's index as the run numbers it. */
  readonly indices?: readonly number[];
  readonly samplingPeriodBytes: number;
}

/**
 * One process lifetime: phases, the verdict's window, the suspects judged
 * over the lifetime and that window, and the verdict (which reads the
 * suspects' evidence last). Positions are the lifetime's.
 */
export function judgeLifetime(input: LifetimeInput): { phases: Phase[]; window: number[]; verdict: Verdict; suspects: SuspectResult['suspects'] } {
  const { values, samplingPeriodBytes } = input;
  const phases = segmentPhases(values, { samplingPeriodBytes });
  const window = verdictWindow(values, phases, samplingPeriodBytes);
  const measured = window.measured;
  // Start-up: the leading init and rapid-growth phases, never the last one (growth completed there is not a suspect).
  let startup = -1;
  for (const p of phases.slice(0, -1)) {
    if (p.kind !== 'init' && p.kind !== 'rapid-growth') break;
    startup = p.end;
  }
  const startupEnd = measured.filter((i) => i <= startup).length;
  // Sites are judged over everything after start-up, not the heap's window: the heap's regimes are the sum of
  // every site's, and a site's own change (a leak that stopped) is for its own trend to show (see suspects.ts).
  const from = Math.min(startupEnd, Math.max(0, measured.length - MIN_WINDOW_POINTS));
  const to = measured.length - 1;
  const result: SuspectResult = input.sites
    ? judgeSuspects({
        t: measured.map((i) => values[i]!.t),
        sites: measured.map((i) => input.sites![i]!),
        windowFrom: from,
        windowTo: to,
        startupEnd,
        samplingPeriodBytes,
        indices: measured.map((i) => input.indices?.[i] ?? i),
      })
    : { suspects: [], evidence: null, tested: 0 };
  const verdict = decideVerdict(values, phases, { samplingPeriodBytes, siteEvidence: result.evidence, siteCorroboration: input.sites ? result.evidence !== null : null }, window);
  return { phases, window: [...window.points], verdict, suspects: result.suspects };
}

/**
 * Phases, verdict, steady window and suspects over the whole series,
 * lifetime by lifetime: phases concatenated; the verdict (and suspects) of
 * a leaking lifetime (the steepest, if several: a leak killed by the OOM
 * killer and starting over is still a leak), else the last lifetime's.
 * Positions are the series'.
 */
export function judgeLifetimes(
  input: LifetimeInput,
  spans: readonly { start: number; end: number }[],
): { phases: Phase[]; verdict: Verdict; window: number[]; lifetimes: JudgedLifetime[]; suspects: SuspectResult['suspects'] } {
  const { values } = input;
  const all = spans.length > 0 ? spans : [{ start: 0, end: values.length - 1 }];
  const shift = (p: Phase, by: number): Phase => ({ ...p, start: p.start + by, end: p.end + by });
  const judged = all.map((span) => {
    const part = judgeLifetime({
      values: values.slice(span.start, span.end + 1),
      sites: input.sites?.slice(span.start, span.end + 1),
      indices: input.indices?.slice(span.start, span.end + 1),
      samplingPeriodBytes: input.samplingPeriodBytes,
    });
    const v = part.verdict;
    const verdict: Verdict = { ...v, startIndex: v.startIndex >= 0 ? v.startIndex + span.start : -1, endIndex: v.endIndex >= 0 ? v.endIndex + span.start : -1 };
    return { ...span, phases: part.phases.map((p) => shift(p, span.start)), verdict, window: part.window.map((i) => i + span.start), suspects: part.suspects };
  });
  const leaking = judged.filter((j) => j.verdict.kind === 'leak').sort((a, b) => b.verdict.slopeBytesPerHour - a.verdict.slopeBytesPerHour)[0];
  const chosen = leaking ?? judged[judged.length - 1]!;
  return {
    phases: judged.flatMap((j) => j.phases),
    verdict: chosen.verdict,
    window: chosen.window,
    lifetimes: judged.map(({ start, end, verdict }) => ({ start, end, verdict })),
    suspects: chosen.suspects,
  };
}
