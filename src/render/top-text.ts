import type { Profile } from '../model/profile.js';
import { baseName } from '../pprof/frames.js';
import type { TopResult } from '../pprof/top.js';
import { escapeTerminal } from './escape.js';
import { percentage, scaledLabel, selectOutputUnit } from './pprof-units.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Header lines describing the profile, as `go tool pprof` prints them (times in UTC). */
export function profileHeader(profile: Profile, sampleType: string): string[] {
  const lines: string[] = [];
  const main = profile.mappings[0];
  if (main && main.filename !== '') lines.push(`File: ${baseName(main.filename)}`);
  if (main && main.buildId !== '') lines.push(`Build ID: ${main.buildId}`);
  for (const c of profile.comments) if (!c.startsWith('#')) lines.push(c);
  lines.push(`Type: ${sampleType}`);
  if (profile.timeNanos !== 0n) lines.push(`Time: ${formatTime(profile.timeNanos)}`);
  return lines.map(escapeTerminal);
}

function formatTime(nanos: bigint): string {
  const d = new Date(Number(nanos / 1_000_000n));
  const h = d.getUTCHours();
  const hour12 = h % 12 === 0 ? 12 : h % 12;
  const minute = String(d.getUTCMinutes()).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()} at ${hour12}:${minute}${h < 12 ? 'am' : 'pm'} (UTC)`;
}

/** The `go tool pprof -top` table for a TopResult, names escaped for the terminal. */
export function renderTopText(result: TopResult, header: readonly string[]): string {
  const unit = result.sampleType.unit;
  const outUnit = selectOutputUnit(result.rows, result.total, unit);
  const fmt = (v: number): string => scaledLabel(v, unit, outUnit);
  const shown = result.rows.reduce((sum, r) => sum + r.flat, 0);
  const lines = [...header];
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
