import type { Phase, Restart, Verdict } from '../model/report.js';
import { segmentPhases } from './phases.js';
import { candidateStarts, decideVerdict, MIN_WINDOW_POINTS, verdictWindow } from './verdict.js';
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
  /** Per series point: the sampling variance of each site's bytes. */
  readonly siteVariances?: readonly ReadonlyMap<string, number>[];
  /** Per series point: the snapshot's index as the run numbers it. */
  readonly indices?: readonly number[];
  readonly samplingPeriodBytes: number;
  /** When the process started (unix ms; process_start_time_seconds), if known. */
  readonly processStartMs?: number | null;
}

/**
 * One process lifetime: phases, the verdict's window, the suspects judged
 * over the lifetime and that window, and the verdict (which reads the
 * suspects' evidence last). Positions are the lifetime's.
 */
export function judgeLifetime(input: LifetimeInput): { phases: Phase[]; window: number[]; verdict: Verdict; suspects: SuspectResult['suspects'] } {
  const { values, samplingPeriodBytes } = input;
  const phases = segmentPhases(values, { samplingPeriodBytes });
  const startedWithProcess = beganWithProcess(values, input.processStartMs ?? null);
  const window = verdictWindow(values, phases, samplingPeriodBytes, startedWithProcess);
  const measured = window.measured;
  // Start-up as the verdict's window sees it (growth completed there is not a suspect).
  const startupEnd = candidateStarts(phases, measured, startedWithProcess)[0] ?? 0;
  // Sites are judged over everything after start-up, not the heap's window: the heap's regimes are the sum of
  // every site's, and a site's own change (a leak that stopped) is for its own trend to show (see suspects.ts).
  const from = Math.min(startupEnd, Math.max(0, measured.length - MIN_WINDOW_POINTS));
  const to = measured.length - 1;
  const result: SuspectResult = input.sites
    ? judgeSuspects({
        t: measured.map((i) => values[i]!.t),
        sites: measured.map((i) => input.sites![i]!),
        variances: input.siteVariances ? measured.map((i) => input.siteVariances![i]!) : undefined,
        windowFrom: from,
        windowTo: to,
        startupEnd,
        samplingPeriodBytes,
        indices: measured.map((i) => input.indices?.[i] ?? i),
      })
    : { suspects: [], evidence: null, tested: 0, corroborated: false };
  const turnoverMs = input.sites ? turnover(measured.map((i) => values[i]!), measured.map((i) => input.sites![i]!), samplingPeriodBytes) : null;
  const verdict = decideVerdict(values, phases, { samplingPeriodBytes, siteEvidence: result.evidence, siteCorroboration: input.sites ? result.corroborated : null, startedWithProcess, turnoverMs }, window);
  return { phases, window: [...window.points], verdict, suspects: result.suspects };
}

/**
 * How long the heap takes to replace its objects (ms): its median level over
 * the rate at which the profiles re-draw it. A site that frees and allocates
 * c bytes of small objects between two profiles changes its sampled size by
 * a Poisson sum of variance about 2·c·R (R the sampling period), whatever
 * its net change, so Σ Δ² / (2R) over the sites of a pair of snapshots
 * estimates the bytes churned between them (net decreases alone would miss a
 * cache that replaces its entries at a constant size). null when nothing
 * churned.
 */
export function turnover(points: readonly { t: number; bytes: number }[], sites: readonly ReadonlyMap<string, number>[], samplingPeriodBytes: number): number | null {
  if (samplingPeriodBytes <= 0) return null;
  let churned = 0;
  for (let i = 1; i < sites.length; i++) {
    const keys = new Set([...sites[i - 1]!.keys(), ...sites[i]!.keys()]);
    for (const key of keys) {
      const d = (sites[i]!.get(key) ?? 0) - (sites[i - 1]!.get(key) ?? 0);
      churned += (d * d) / (2 * samplingPeriodBytes);
    }
  }
  const span = points.length > 1 ? points[points.length - 1]!.t - points[0]!.t : 0;
  if (churned <= 0 || span <= 0) return null;
  const levels = points.map((p) => p.bytes).sort((a, b) => a - b);
  return levels[levels.length >> 1]! / (churned / span);
}

/** Whether the first snapshot came within two of the series' median intervals of the process's start. */
export function beganWithProcess(values: readonly { t: number }[], processStartMs: number | null): boolean {
  if (processStartMs === null || values.length < 2) return false;
  const steps = values.slice(1).map((v, i) => v.t - values[i]!.t).sort((a, b) => a - b);
  return values[0]!.t - processStartMs <= 2 * steps[steps.length >> 1]!;
}

/**
 * Phases, verdict, steady window and suspects over the whole series,
 * lifetime by lifetime: phases concatenated; the verdict (and suspects) of
 * a leaking lifetime (the steepest, if several: a leak killed by the OOM
 * killer and starting over is still a leak), else the last lifetime's.
 * Positions are the series'.
 */
export function judgeLifetimes(
  input: Omit<LifetimeInput, 'processStartMs'> & {
    /** Per series point: the process's start (unix ms) scraped with the snapshot, null when not scraped. */
    readonly processStarts?: readonly (number | null)[];
  },
  spans: readonly { start: number; end: number }[],
): { phases: Phase[]; verdict: Verdict; window: number[]; lifetimes: JudgedLifetime[]; suspects: SuspectResult['suspects'] } {
  const { values } = input;
  const all = spans.length > 0 ? spans : [{ start: 0, end: values.length - 1 }];
  const shift = (p: Phase, by: number): Phase => ({ ...p, start: p.start + by, end: p.end + by });
  const judged = all.map((span) => {
    const part = judgeLifetime({
      values: values.slice(span.start, span.end + 1),
      sites: input.sites?.slice(span.start, span.end + 1),
      siteVariances: input.siteVariances?.slice(span.start, span.end + 1),
      indices: input.indices?.slice(span.start, span.end + 1),
      samplingPeriodBytes: input.samplingPeriodBytes,
      processStartMs: input.processStarts?.[span.start] ?? null,
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
