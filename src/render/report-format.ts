import type { AlertResult, LeakSuspect } from '../model/report.js';
import { formatDecimalBytes, formatMiB } from '../model/size.js';

/** The report's shared number formats (report.md and report.html say the same things the same way). */

/** A share as a whole percentage. */
export const pct = (x: number): string => `${(x * 100).toFixed(0)}%`;

/** A moment of the run as seconds from its start (`+45s`). */
export const sinceStart = (t: number, t0: number): string => `+${Math.round((t - t0) / 1000)}s`;

/** A rule's `for` as Prometheus writes it: whole hours as `1h`, whole minutes as `5m`, else seconds. */
export const forDuration = (s: number): string => (s >= 3600 && s % 3600 === 0 ? `${s / 3600}h` : s >= 60 && s % 60 === 0 ? `${s / 60}m` : `${s}s`);

/** An alert expression's value in decimal units, as alert thresholds are written (100 kB/s, 100 MB). */
export function alertValue(x: number, unit: AlertResult['unit']): string {
  if (unit === null) return Number.isInteger(x) ? String(x) : x.toPrecision(4);
  return formatDecimalBytes(x, unit === 'bytes/s' ? '/s' : '');
}

/**
 * A leak suspect's history in words: never released and rising now, held
 * since it stopped growing, or released before (with its cycle).
 */
export function suspectHistory(s: LeakSuspect): string {
  const h = s.history;
  if (h.kind === 'never-released') {
    return s.risingNow
      ? `never released; rising now at ${formatMiB(s.slopeBytesPerHour)}/h (p = ${s.pValue.toPrecision(2)})`
      : `never released; grew ${formatMiB(h.grewBytes)} until snapshot ${h.grewUntilIndex}, held since`;
  }
  const cycle = h.cycle
    ? `released ${h.cycle.releases}× ${h.cycle.periodSeconds !== null ? `every ${h.cycle.periodSeconds.toFixed(0)} s ` : ''}by ${formatMiB(h.cycle.amplitudeBytes)}`
    : `gives back ${Math.round(h.givenBackShare * 100)}% of what it takes`;
  return `bounded: ${cycle}${s.risingNow ? '; rising again now' : ''}`;
}

/** Where a suspect's memory is allocated: the site's function, or a caller and the sites it groups. */
export function suspectSite(s: LeakSuspect): string {
  return s.kind === 'caller' ? `${s.function} (caller of ${s.sites} sites: ${s.memberFunctions.join(', ')}${s.sites > s.memberFunctions.length ? ', …' : ''})` : s.function;
}
