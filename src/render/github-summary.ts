import { watchedGrowth } from '../analyze/growth-rate.js';
import type { AlertResult, Report, TargetReport } from '../model/report.js';
import { formatMiB as mb } from '../model/size.js';
import { escapeMarkdownCell } from './escape.js';
import { RATE_WINDOW_MS } from './report-page-data.js';

/** Points per mermaid chart: enough for the shape, few enough for a step summary. */
export const SUMMARY_CHART_POINTS = 40;


/**
 * A compact Markdown summary for a GitHub Actions job (`$GITHUB_STEP_SUMMARY`):
 * per target the verdict, peaks and alerts in one table, then mermaid
 * `xychart-beta` charts of heap, RSS and the 5-minute growth rate —
 * operator-controller's E2E summary, computed from the report.
 */
export function renderGithubSummary(report: Report): string {
  const out: string[] = [`### heaplens: ${escapeMarkdownCell(report.run.name)}`, ''];
  out.push('| Target | Verdict | Peak heap | Peak RSS | Steady slope | Alerts fired | Alerts pending |', '|---|---|---|---|---|---|---|');
  for (const t of report.targets) {
    const names = (state: AlertResult['state']): string => t.alerts.filter((a) => a.state === state).map((a) => escapeMarkdownCell(a.name)).join(', ') || '—';
    out.push(
      `| ${escapeMarkdownCell(t.name)} | **${t.verdict.kind.toUpperCase()}** | ${mb(t.peak.heapInuseBytes)} | ${mb(t.peak.rssBytes)} | ${mb(t.verdict.slopeBytesPerHour)}/h | ${names('fired')} | ${names('pending')} |`,
    );
  }
  out.push('');
  for (const t of report.targets) out.push(...targetSummary(t));
  return out.join('\n') + '\n';
}

function targetSummary(t: TargetReport): string[] {
  const out: string[] = [`**${escapeMarkdownCell(t.name)}:** ${escapeMarkdownCell(t.keyFinding)}`, ''];
  const t0 = t.series[0]?.t ?? 0;
  for (const a of t.alerts.filter((x) => x.state === 'fired' || x.state === 'pending')) {
    const when = a.fired ? `fired first at +${Math.round((a.firstFiredAt! - t0) / 1000)}s` : `pending from +${Math.round((a.firstActiveAt! - t0) / 1000)}s, never fired`;
    out.push(`- ${escapeMarkdownCell(a.name)}: ${when}`);
  }
  if (t.series.length < 2) return [...out, ''];
  const heap = t.series.map((p) => ({ t: p.t, v: p.heapInuseBytes }));
  const rss = t.series.filter((p) => p.rssBytes !== null).map((p) => ({ t: p.t, v: p.rssBytes! }));
  const growth = watchedGrowth(t.series, RATE_WINDOW_MS);
  const rate = growth.rates.flatMap((r) => (r.bytesPerSec === null ? [] : [{ t: r.t, v: r.bytesPerSec }]));
  const name = chartText(t.name);
  out.push('', `<details><summary>${escapeMarkdownCell(t.name)}: memory charts</summary>`, '');
  out.push(...xyChart(`${name}: heap in use (MB)`, heap, 1e6, 'MB'));
  if (rss.length >= 2) out.push(...xyChart(`${name}: RSS (MB)`, rss, 1e6, 'MB'));
  if (rate.length >= 2) out.push(...xyChart(`${name}: growth rate of ${growth.source === 'rss' ? 'RSS' : 'heap'} - 5m deriv (kB/s)`, rate, 1e3, 'kB/s'));
  out.push('</details>', '');
  return out;
}

/** Mermaid titles are quoted strings on one line inside a code fence: keep only characters that cannot end either. */
function chartText(text: string): string {
  return text.replace(/[^\p{L}\p{N} ._:/()+-]/gu, '_').slice(0, 80);
}

/** Resamples onto an even grid (linear interpolation), since an xychart spaces its points evenly along the x range. */
export function resample(points: readonly { readonly t: number; readonly v: number }[], n: number): number[] {
  const first = points[0]!.t;
  const last = points[points.length - 1]!.t;
  const out: number[] = [];
  let j = 0;
  for (let k = 0; k < n; k++) {
    const t = n === 1 ? first : first + ((last - first) * k) / (n - 1);
    while (j < points.length - 2 && points[j + 1]!.t <= t) j++;
    const a = points[j]!;
    const b = points[Math.min(j + 1, points.length - 1)]!;
    const f = b.t === a.t ? 0 : Math.min(1, Math.max(0, (t - a.t) / (b.t - a.t)));
    out.push(a.v + (b.v - a.v) * f);
  }
  return out;
}

function xyChart(title: string, points: readonly { readonly t: number; readonly v: number }[], scale: number, unit: string): string[] {
  const values = resample(points, Math.min(SUMMARY_CHART_POINTS, points.length)).map((v) => Math.round((v / scale) * 10) / 10);
  const minutes = (points[points.length - 1]!.t - points[0]!.t) / 60_000;
  const lo = Math.min(0, ...values);
  const hi = Math.max(...values);
  return [
    '```mermaid',
    'xychart-beta',
    `  title "${chartText(title)}"`,
    `  x-axis "minutes" 0 --> ${Math.max(0.1, Math.round(minutes * 10) / 10)}`,
    `  y-axis "${unit}" ${lo} --> ${hi > lo ? Math.ceil(hi * 1.05 * 10) / 10 : lo + 1}`,
    `  line [${values.join(', ')}]`,
    '```',
    '',
  ];
}
