import type { Profile } from '../model/profile.js';
import { baseName } from '../pprof/frames.js';
import type { TopResult } from '../pprof/top.js';
import { escapeTerminal } from './escape.js';
import { percentage, scaleValue, scaledLabel, selectOutputUnit } from './pprof-units.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export interface TopHeader {
  /** Lines before the totals (File, Build ID, comments, Type, Time), escaped for the terminal. */
  readonly lines: readonly string[];
  readonly durationNanos: bigint;
  /** Active filters as `focus=RE`, listed under the header as pprof does. */
  readonly filters: readonly string[];
}

/**
 * What `go tool pprof` prints above a table, times in UTC. Several profiles
 * (a diff) describe themselves as pprof's merge does: the first one's binary,
 * the earliest time, the summed duration.
 */
export function profileHeader(profiles: readonly Profile[], sampleType: string, filters: readonly string[] = []): TopHeader {
  const first = profiles[0]!;
  const lines: string[] = [];
  const main = first.mappings[0];
  if (main && main.filename !== '') lines.push(`File: ${baseName(main.filename)}`);
  if (main && main.buildId !== '') lines.push(`Build ID: ${main.buildId}`);
  for (const c of first.comments) if (!c.startsWith('#')) lines.push(c);
  lines.push(`Type: ${sampleType}`);
  let time = 0n;
  let duration = 0n;
  for (const p of profiles) {
    if (p.timeNanos !== 0n && (time === 0n || p.timeNanos < time)) time = p.timeNanos;
    duration += p.durationNanos;
  }
  if (time !== 0n) lines.push(`Time: ${formatTime(time)}`);
  return { lines: lines.map(escapeTerminal), durationNanos: duration, filters };
}

function formatTime(nanos: bigint): string {
  const d = new Date(Number(nanos / 1_000_000n));
  const h = d.getUTCHours();
  const hour12 = h % 12 === 0 ? 12 : h % 12;
  const minute = String(d.getUTCMinutes()).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()} at ${hour12}:${minute}${h < 12 ? 'am' : 'pm'} (UTC)`;
}

/**
 * The `go tool pprof -top` table for a TopResult, names escaped for the
 * terminal. `outputUnit` forces a unit (pprof's -unit); by default the
 * table picks one that suits its values.
 */
export function renderTopText(result: TopResult, header: TopHeader, outputUnit?: string): string {
  const unit = result.sampleType.unit;
  const outUnit = outputUnit ?? selectOutputUnit(result.rows, result.total, unit);
  const fmt = (v: number): string => scaledLabel(v, unit, outUnit);
  const shown = result.rows.reduce((sum, r) => sum + r.flat, 0);
  const lines = [...header.lines];
  if (header.durationNanos !== 0n) lines.push(durationLine(header.durationNanos, result.total, unit, fmt));
  if (header.filters.length > 0) {
    lines.push('Active filters:');
    for (const f of header.filters) lines.push('   ' + escapeTerminal(f.length > 80 ? f.slice(0, 80) + '…' : f));
  }
  lines.push(`Showing nodes accounting for ${fmt(shown)}, ${percentage(shown, result.total).trim()} of ${fmt(result.total)} total`);
  if (result.total !== 0) {
    if (result.droppedNodes > 0) {
      lines.push(`Dropped ${result.droppedNodes} node${result.droppedNodes > 1 ? 's' : ''} (cum <= ${fmt(result.droppedCutoff)})`);
    }
    if (result.rows.length > 0 && result.rows.length < result.nodesAboveCutoff) {
      lines.push(`Showing top ${result.rows.length} nodes out of ${result.nodesAboveCutoff}`);
    }
  }
  lines.push(`${'flat'.padStart(10)} ${'flat'.padStart(5)}% ${'sum'.padStart(5)}% ${'cum'.padStart(10)} ${'cum'.padStart(5)}%`);
  let sum = 0;
  for (const row of result.rows) {
    sum += row.flat;
    const inline = row.inline !== '' ? ` (${row.inline})` : '';
    lines.push(
      `${fmt(row.flat).padStart(10)} ${percentage(row.flat, result.total)} ${percentage(sum, result.total)} ` +
        `${fmt(row.cum).padStart(10)} ${percentage(row.cum, result.total)}  ${escapeTerminal(row.name)}${inline}`,
    );
  }
  return lines.join('\n') + '\n';
}

/** `Duration: 2s, Total samples = 50ms ( 2.50%)`: the share only when samples are times. */
function durationLine(durationNanos: bigint, total: number, unit: string, fmt: (v: number) => string): string {
  const duration = Number(durationNanos);
  const [totalNanos, totalUnit] = scaleValue(total, unit, 'nanoseconds');
  const ratio = totalUnit === 'ns' && totalNanos !== 0 ? `(${percentage(Math.trunc(totalNanos), duration)})` : '';
  return `Duration: ${scaledLabel(duration, 'nanoseconds', 'auto')}, Total samples = ${fmt(total)} ${ratio}`;
}
