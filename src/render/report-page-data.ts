import { watchedGrowth } from '../analyze/growth-rate.js';
import type { FlameGraph, TargetFlameGraphs } from '../model/flame.js';
import type { Report, TargetReport } from '../model/report.js';
import { formatDecimalBytes } from '../model/size.js';

/**
 * What report.html's script draws, embedded in the page as JSON: per
 * target, the series on one clock (unix seconds), the phases, the lines
 * and markers to draw, components over time and the flame graphs. Strings
 * in it (function and component names) are untrusted: the script only ever
 * sets them as text.
 */
export interface PageData {
  readonly schemaVersion: 1;
  readonly targets: readonly PageTarget[];
}

export interface PageTarget {
  readonly id: string;
  readonly name: string;
  readonly memory: {
    /** Unix seconds of each snapshot. */
    readonly t: readonly number[];
    readonly heap: readonly number[];
    readonly rss: readonly (number | null)[];
    /** Positions of stale snapshots. */
    readonly stale: readonly number[];
    readonly phases: readonly { readonly kind: string; readonly from: number; readonly to: number }[];
    /** Horizontal lines in bytes: alert thresholds and the recommended peak threshold. */
    readonly lines: readonly ChartLine[];
    /** Alerts at the time they first fired (unix seconds). */
    readonly fired: readonly { readonly name: string; readonly t: number }[];
    /** Restarts (unix seconds), labelled with their reason. */
    readonly restarts: readonly { readonly label: string; readonly t: number }[];
  };
  /** Growth rate of the watched series (deriv over 5 minutes), bytes/s, and the growth thresholds. */
  readonly rate: { readonly metric: string; readonly t: readonly number[]; readonly v: readonly (number | null)[]; readonly lines: readonly ChartLine[] };
  readonly components: { readonly names: readonly string[]; readonly t: readonly number[]; readonly bytes: readonly (readonly number[])[] };
  readonly flame: FlameGraph | null;
  readonly diff: FlameGraph | null;
}

export interface ChartLine {
  readonly label: string;
  readonly value: number;
  readonly kind: 'alert' | 'recommended';
}

export const RATE_WINDOW_MS = 300_000;

export function targetId(index: number): string {
  return `target-${index}`;
}

export function pageData(report: Report, graphs: readonly TargetFlameGraphs[]): PageData {
  return {
    schemaVersion: 1,
    targets: report.targets.map((t, i) => {
      const g = graphs.find((x) => x.target === t.name);
      return targetData(t, targetId(i), g?.peak ?? null, g?.diff ?? null);
    }),
  };
}

const sec = (ms: number): number => ms / 1000;

/** Threshold lines in the series' unit, one per value (an alert rule and the recommendation at the same value share a line and a label). */
function thresholdLines(t: TargetReport, unit: 'bytes' | 'bytes/s'): ChartLine[] {
  const found: ChartLine[] = [];
  for (const a of t.alerts) {
    if (a.unit !== unit || a.threshold === null || a.state === 'no-data') continue;
    found.push({ label: a.name, value: a.threshold.value, kind: 'alert' });
  }
  if (t.thresholds) found.push({ label: 'recommended', value: unit === 'bytes' ? t.thresholds.peak.bytes : t.thresholds.growth.bytesPerSec, kind: 'recommended' });
  const suffix = unit === 'bytes/s' ? '/s' : '';
  const byValue = new Map<number, ChartLine[]>();
  for (const l of found) byValue.set(l.value, [...(byValue.get(l.value) ?? []), l]);
  return [...byValue.entries()].map(([value, group]) => ({
    label: `${[...new Set(group.map((l) => l.label))].join(' = ')} > ${formatDecimalBytes(value, suffix)}`,
    value,
    kind: group.some((l) => l.kind === 'alert') ? 'alert' : 'recommended',
  }));
}

function targetData(t: TargetReport, id: string, flame: FlameGraph | null, diff: FlameGraph | null): PageTarget {
  const s = t.series;
  const growth = watchedGrowth(s, RATE_WINDOW_MS);
  const watched = growth.source === 'rss' ? 'process_resident_memory_bytes' : 'heap in use';
  const rate = growth.rates;
  const names = [...new Set(t.componentsOverTime.flatMap((c) => Object.keys(c.bytes)))];
  // Largest at the peak first, so the stack's bottom band is the biggest component.
  const atPeak = new Map(t.components.map((c) => [c.name, c.bytes]));
  names.sort((a, b) => (atPeak.get(b) ?? 0) - (atPeak.get(a) ?? 0) || (a < b ? -1 : 1));
  return {
    id,
    name: t.name,
    memory: {
      t: s.map((p) => sec(p.t)),
      heap: s.map((p) => p.heapInuseBytes),
      rss: s.map((p) => p.rssBytes),
      stale: s.flatMap((p, i) => (p.stale ? [i] : [])),
      // Each phase is shaded up to where the next begins, so the shading has no gaps between snapshots.
      phases: t.phases.map((p, i) => ({ kind: p.kind, from: sec(p.startT), to: sec(t.phases[i + 1]?.startT ?? p.endT) })),
      lines: thresholdLines(t, 'bytes'),
      fired: t.alerts.filter((a) => a.fired && a.firstFiredAt !== null).map((a) => ({ name: a.name, t: sec(a.firstFiredAt!) })),
      restarts: t.restarts.map((r) => ({ label: `restart${r.reason ? `: ${r.reason}` : ''}${r.exitCode !== null ? ` (exit ${r.exitCode})` : ''}`, t: sec(r.t) })),
    },
    rate: { metric: watched, t: rate.map((r) => sec(r.t)), v: rate.map((r) => r.bytesPerSec), lines: thresholdLines(t, 'bytes/s') },
    components: {
      names,
      t: t.componentsOverTime.map((c) => sec(c.t)),
      bytes: names.map((n) => t.componentsOverTime.map((c) => c.bytes[n] ?? 0)),
    },
    flame,
    diff,
  };
}
