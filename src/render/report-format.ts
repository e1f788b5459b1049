import type { AlertResult } from '../model/report.js';
import { formatDecimalBytes } from '../model/size.js';

/** The report's shared number formats (report.md and report.html say the same things the same way). */

/** A share as a whole percentage. */
export const pct = (x: number): string => `${(x * 100).toFixed(0)}%`;

/** A moment of the run as seconds from its start (`+45s`). */
export const sinceStart = (t: number, t0: number): string => `+${Math.round((t - t0) / 1000)}s`;

/** A rule's `for` as Prometheus writes it: whole minutes as `5m`, else seconds. */
export const forDuration = (s: number): string => (s >= 60 && s % 60 === 0 ? `${s / 60}m` : `${s}s`);

/** An alert expression's value in decimal units, as alert thresholds are written (100 kB/s, 100 MB). */
export function alertValue(x: number, unit: AlertResult['unit']): string {
  if (unit === null) return Number.isInteger(x) ? String(x) : x.toPrecision(4);
  return formatDecimalBytes(x, unit === 'bytes/s' ? '/s' : '');
}
