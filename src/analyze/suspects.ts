import type { LeakSuspect } from '../model/report.js';
import { SITE_DEPTH, joinFrames, splitFrames } from './snapshot-summary.js';
import { spearman, theilSen } from './stats.js';

export interface SuspectInput {
  readonly t: number;
  readonly sites: ReadonlyMap<string, number>;
}

/** A rise counts as steady from this rank correlation with time. */
export const MIN_RHO = 0.7;

/**
 * Call sites whose in-use bytes rise steadily across the window (the
 * non-stale snapshots of the steady window), ranked by bytes gained: where
 * a leak's memory is allocated, and through which callers. A site must gain
 * more than `minGrowthBytes` (the caller passes the profile's sampling
 * uncertainty: one sample is ~512 KiB) and rise with rank correlation
 * ≥ MIN_RHO.
 */
export function rankSuspects(window: readonly SuspectInput[], minGrowthBytes: number, limit = 10): RankedSuspect[] {
  if (window.length < 3) return [];
  const keys = new Set<string>();
  for (const w of window) for (const k of w.sites.keys()) keys.add(k);
  const xs = window.map((w) => w.t);
  const out: RankedSuspect[] = [];
  for (const key of keys) {
    const ys = window.map((w) => w.sites.get(key) ?? 0);
    const ts = theilSen(xs, ys);
    const growth = ts.slope * (xs[xs.length - 1]! - xs[0]!);
    if (growth <= minGrowthBytes) continue;
    const rho = spearman(xs, ys);
    if (rho < MIN_RHO) continue;
    const stack = splitFrames(key).slice(0, SITE_DEPTH);
    out.push({ function: stack[0]!, stack, growthBytes: growth, startBytes: ys[0]!, endBytes: ys[ys.length - 1]!, rho });
  }
  // Bytes gained first; ties (rare) by name, so the order is deterministic.
  out.sort((a, b) => b.growthBytes - a.growthBytes || (joinFrames(a.stack) < joinFrames(b.stack) ? -1 : 1));
  return out.slice(0, limit);
}

/** A suspect before its sparkline (the whole series, which the window does not hold) is attached. */
export type RankedSuspect = Omit<LeakSuspect, 'bytesOverTime'>;

export type { LeakSuspect };
