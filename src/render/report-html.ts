import type { Recommendation, Report, TargetReport } from '../model/report.js';
import { formatMiB as mb, formatRange } from '../model/size.js';
import { alertValue as decimal, forDuration as seconds, pct, sinceStart as at, suspectHistory, suspectSite } from './report-format.js';
import { fragment, h, jsonForScript, lines, table, trusted, withInlineCode, type Child, type Markup } from './html.js';
import type { TargetFlameGraphs } from '../model/flame.js';
import { pageData, targetId } from './report-page-data.js';
import { sparkline } from './sparkline.js';

/** The report page's script and style, bundled at build time (dist/web), and the script's CSP hash. */
export interface PageAssets {
  readonly script: string;
  readonly style: string;
  /** base64 SHA-256 of `script`, for the page's Content-Security-Policy. */
  readonly scriptSha256: string;
}

/**
 * The page's policy: nothing loads from anywhere, and the only script that
 * runs is heaplens' own (by hash). Even if a profile string got into the
 * markup, no handler or injected script could run.
 */
export function contentSecurityPolicy(scriptSha256: string | null): string {
  const script = scriptSha256 === null ? "'none'" : `'sha256-${scriptSha256}'`;
  return `default-src 'none'; script-src ${script}; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'`;
}

/** A whole page: head with the policy, the style, the body; scripts last. */
export function htmlPage(title: string, style: string, body: Markup, scripts: { readonly data?: unknown; readonly script?: string; readonly scriptSha256?: string } = {}): string {
  const policy = contentSecurityPolicy(scripts.script !== undefined ? scripts.scriptSha256 ?? null : null);
  const data = scripts.data !== undefined ? `<script type="application/json" id="heaplens-data">${jsonForScript(scripts.data)}</script>` : '';
  const script = scripts.script !== undefined ? `<script>${scripts.script}</script>` : '';
  return (
    '<!doctype html>\n' +
    fragment(
      trusted('<html lang="en"><head><meta charset="utf-8">'),
      h('meta', { 'http-equiv': 'Content-Security-Policy', content: policy }),
      trusted('<meta name="viewport" content="width=device-width, initial-scale=1">'),
      h('title', null, title),
      trusted(`<style>${style.replace(/<\/style/gi, '<\\/style')}</style></head><body>`),
      body,
      trusted(`${data}${script}</body></html>\n`),
    ).html
  );
}

/** report.html: the report's sections as a page, with charts and flame graphs drawn by the bundled script from embedded data. */
export function renderReportHtml(report: Report, graphs: readonly TargetFlameGraphs[], assets: PageAssets): string {
  const body = fragment(
    h(
      'header',
      null,
      h('h1', null, `Memory analysis: ${report.run.name}`),
      h('p', { class: 'meta' }, `Run ${report.run.start ?? '?'} to ${report.run.end ?? '?'}, ${report.run.snapshots} heap snapshots, heaplens ${report.tool.version}.`),
      report.targets.length > 1 && h('nav', null, report.targets.map((t, i) => h('a', { href: `#${targetId(i)}` }, t.name))),
      h('noscript', null, h('p', { class: 'warn' }, 'Charts and flame graphs need JavaScript; the tables below do not.')),
    ),
    h('main', null, report.targets.map((t, i) => renderTarget(t, targetId(i)))),
    h('footer', null, 'Made by heaplens from the run directory alone; this file loads nothing from the network.'),
  );
  return htmlPage(`heaplens: ${report.run.name}`, assets.style, body, { data: pageData(report, graphs), script: assets.script, scriptSha256: assets.scriptSha256 });
}

function renderTarget(t: TargetReport, id: string): Markup {
  if (t.series.length === 0) return h('section', { id, class: 'target' }, h('h2', null, t.name), h('p', null, 'No heap snapshot was collected.'));
  const t0 = t.series[0]!.t;
  return h(
    'section',
    { id, class: 'target' },
    h('h2', null, t.name),
    verdictPanel(t),
    h('h3', null, 'Memory over time'),
    h('p', { class: 'hint' }, 'Heap in use (from the profiles) and RSS on one clock; phases shaded, stale snapshots hollow, alert thresholds dashed, fired alerts and restarts marked where they happened. Hover for values; drag to zoom, double-click to reset.'),
    h('div', { class: 'chart', 'data-chart': 'memory', 'data-target': id }),
    h('h3', null, 'Growth rate'),
    h('p', { class: 'hint' }, 'deriv() over 5 minutes of the watched series, as the growth alert sees it, with the growth thresholds.'),
    h('div', { class: 'chart', 'data-chart': 'rate', 'data-target': id }),
    restartsSection(t, t0),
    alertsSection(t, t0),
    componentsSection(t, id),
    phasesSection(t, t0),
    suspectsSection(t),
    flameSection(t, id),
    overheadSection(t),
    recommendationsSection(t),
    successSection(t),
  );
}

function verdictPanel(t: TargetReport): Markup {
  const v = t.verdict;
  const fired = t.alerts.filter((a) => a.fired).length;
  const figures: [string, Child][] = [
    ['Peak heap', `${mb(t.peak.heapInuseBytes)} (snapshot ${t.peak.heapSnapshot})`],
    ['Peak RSS', mb(t.peak.rssBytes)],
    ['Overhead at peak RSS', t.overhead ? `${mb(t.overhead.bytes)} (${pct(t.overhead.share)} of RSS)` : 'n/a'],
    ['Alerts fired', `${fired} of ${t.alerts.length}`],
    ['Stale snapshots', `${t.staleSnapshots} of ${t.series.length}`],
  ];
  const window = v.startIndex >= 0 ? `snapshots ${t.series[v.startIndex]?.index ?? v.startIndex}–${t.series[v.endIndex]?.index ?? v.endIndex} (${v.points} non-stale)` : 'none';
  const verdictFacts: [string, Child][] = [
    ['Window', window],
    ['Slope (Theil–Sen)', `${mb(v.slopeBytesPerHour)}/h, 95% interval ${mb(v.slopeLowBytesPerHour)} to ${mb(v.slopeHighBytesPerHour)}/h`],
    ['Trend test (Mann–Kendall)', `p = ${v.pValue.toPrecision(2)}`],
    ['Why', v.reason],
  ];
  if (t.memoryLimit) {
    const hours = t.memoryLimit.timeToLimitHours;
    verdictFacts.push(['Memory limit', `${mb(t.memoryLimit.bytes)} (${t.memoryLimit.source}); ${hours === null ? 'not projected (no leak)' : `reached in about ${hours < 1 ? `${Math.round(hours * 60)} min` : `${hours.toFixed(1)} h`} at this slope`}`]);
  }
  return h(
    'div',
    { class: `verdict verdict-${v.kind}`, 'data-verdict': v.kind },
    h('div', { class: 'verdict-kind' }, v.kind.toUpperCase()),
    h('p', { class: 'finding' }, t.keyFinding),
    h('dl', { class: 'facts' }, verdictFacts.map(([k, x]) => fragment(h('dt', null, k), h('dd', null, x)))),
    h('dl', { class: 'figures' }, figures.map(([k, x]) => h('div', null, h('dt', null, k), h('dd', null, x)))),
  );
}

function restartsSection(t: TargetReport, t0: number): Markup | null {
  if (t.restarts.length === 0) return null;
  return fragment(
    h('h3', null, 'Restarts'),
    table(['When', 'Snapshot', 'What', 'Reason', 'Exit code'], t.restarts.map((r) => [at(r.t, t0), r.index >= 0 ? String(r.index) : '—', r.message, r.reason ? h('strong', { class: r.reason === 'OOMKilled' ? 'worse' : null }, r.reason) : '—', r.exitCode === null ? '—' : String(r.exitCode)]), { class: 'restarts' }),
    t.lifetimes.length > 1
      ? fragment(
          h('p', null, 'Each process lifetime, judged on its own (the verdict above is the leaking one, else the last):'),
          table(['Lifetime', 'Snapshots', 'Peak heap', 'Verdict', 'Slope', 'Ended by'], t.lifetimes.map((l, i) => [String(i + 1), `${l.startIndex}–${l.endIndex} (${l.snapshots})`, mb(l.peakHeapBytes), l.verdict, `${mb(l.slopeBytesPerHour)}/h`, l.endedBy ?? '—']), { class: 'lifetimes' }),
        )
      : null,
  );
}

function alertsSection(t: TargetReport, t0: number): Markup {
  const th = t.thresholds;
  return fragment(
    h('h3', null, 'Alerts'),
    t.alerts.length === 0
      ? h('p', null, 'No alert rules were evaluated.')
      : table(
          ['Alert', 'Expression', 'For', 'State', 'First fired', 'Max value', 'Threshold; observed'],
          t.alerts.map((a) => [
            a.name,
            h('code', null, a.expr),
            seconds(a.forSeconds),
            h('span', { class: `state state-${a.state}` }, a.state),
            a.firstFiredAt !== null ? at(a.firstFiredAt, t0) : '—',
            a.maxValue !== null ? decimal(a.maxValue, a.unit) : '—',
            a.threshold && a.threshold.observedMax !== null
              ? `${a.threshold.op} ${decimal(a.threshold.value, a.unit)}; ${decimal(a.threshold.observedMin!, a.unit)} to ${decimal(a.threshold.observedMax, a.unit)}`
              : '',
          ]),
          { class: 'alerts' },
        ),
    h('h3', null, 'Recommended alert thresholds'),
    !th
      ? h('p', null, 'None: no memory series (RSS, working set or heap) was collected.')
      : fragment(
          h('p', null, 'On ', h('code', null, th.metric), ", so that this run's normal behaviour would not alert (", h('code', null, 'heaplens rules RUN'), ' writes them as a rule file).'),
          table(
            ['Alert', 'Threshold', 'Basis'],
            [
              ['MemoryGrowth', `> ${decimal(th.growth.bytesPerSec, 'bytes/s')} over ${seconds(th.windowSeconds)}`, th.growth.basis],
              ['MemoryPeak', `> ${decimal(th.peak.bytes, 'bytes')}`, th.peak.basis],
              ['for (both)', seconds(th.forSeconds), th.forBasis],
            ],
          ),
          h('pre', null, lines(th.rules.flatMap((r) => [`- alert: ${r.alert}`, `  expr: ${r.expr}`, `  for: ${r.for}`]))),
        ),
  );
}

function componentsSection(t: TargetReport, id: string): Markup {
  return fragment(
    h('h3', null, `Components (breakdown at the peak, snapshot ${t.peak.heapSnapshot})`),
    h('div', { class: 'chart', 'data-chart': 'components', 'data-target': id }),
    table(
      ['Component', 'Size', '% of heap', 'Optimizable', 'Note'],
      t.components.map((c) => [c.name, mb(c.bytes), pct(c.share), c.optimizable, c.note ?? '']),
      { class: 'components' },
    ),
    h('p', { class: 'hint' }, 'Each byte counts once, in the first component whose rule matches its allocation stack: the shares add up to 100%.'),
  );
}

function phasesSection(t: TargetReport, t0: number): Markup {
  return fragment(
    h('h3', null, 'Growth pattern'),
    table(
      ['Phase', 'Snapshots', 'Time', 'Heap', 'Slope'],
      t.phases.map((p) => [p.kind, `${p.startIndex}–${p.endIndex}`, `${at(p.startT, t0)} → ${at(p.endT, t0)}`, `${mb(p.startBytes)} → ${mb(p.endBytes)}`, `${(p.slopeBytesPerSec / 1024).toFixed(1)} kB/s`]),
      { class: 'phases' },
    ),
  );
}

function suspectsSection(t: TargetReport): Markup {
  return fragment(
    h('h3', null, 'Leak suspects'),
    t.leakSuspects.length === 0
      ? h('p', null, 'No call site grows beyond its own sampling noise.')
      : table(
          ['#', 'Allocated in', 'Called from', 'Gained', 'History', 'Rise (ρ)', 'Over the run'],
          t.leakSuspects.map((s, i) => [String(i + 1), h('code', null, suspectSite(s)), s.stack.slice(1).join(' ← '), mb(s.growthBytes), suspectHistory(s), s.rho.toFixed(2), sparkline(s.bytesOverTime)]),
          { class: 'suspects' },
        ),
    t.growth && t.growth.contributors.length > 0
      ? fragment(
          h('p', null, `Growth from snapshot ${t.growth.fromIndex} (${mb(t.growth.fromBytes)}) to the peak at ${t.growth.toIndex} (${mb(t.growth.toBytes)}), by function:`),
          table(['Function', 'From', 'To', 'Change'], t.growth.contributors.map((c) => [h('code', null, c.function), mb(c.fromBytes), mb(c.toBytes), `+${mb(c.deltaBytes)}`])),
        )
      : null,
  );
}

function flameSection(t: TargetReport, id: string): Markup {
  const base = t.growth?.fromIndex ?? t.series[0]?.index;
  return fragment(
    h('h3', null, `Flame graph of the peak heap (snapshot ${t.peak.heapSnapshot})`),
    h('p', { class: 'hint' }, 'In-use bytes by call stack, callers above callees. Click a frame to zoom, click the top bar or press Escape to zoom out; search highlights matching frames.'),
    h('div', { class: 'flame', 'data-flame': 'peak', 'data-target': id }),
    h('h3', null, `What grew: snapshot ${base ?? '?'} → ${t.peak.heapSnapshot}`),
    h('p', { class: 'hint' }, 'The same call tree with both profiles merged (as go tool pprof -diff_base does): red grew, blue shrank, grey unchanged. Widths follow the peak profile; switch to the base profile to see what disappeared.'),
    h('div', { class: 'flame', 'data-flame': 'diff', 'data-target': id }),
  );
}

function overheadSection(t: TargetReport): Markup {
  return fragment(
    h('h3', null, 'Heap vs RSS overhead'),
    !t.overhead
      ? h('p', null, 'Unknown: RSS or go_memstats_* metrics were not collected.')
      : table(['Part', 'Size'], t.overhead.parts.map((p) => [p.name, mb(p.bytes)]), { class: 'overhead' }),
    t.allocation ? h('p', null, `Allocation rate: ${mb(t.allocation.meanBytesPerSec)}/s on average, ${mb(t.allocation.peakBytesPerSec)}/s at most between snapshots.`) : null,
    t.goroutines ? h('p', null, `Goroutines (${t.goroutines.source}): ${t.goroutines.first} → ${t.goroutines.last} (peak ${t.goroutines.peak}); ${t.goroutines.growing ? `rising (trend p = ${t.goroutines.pValue.toPrecision(2)})` : 'no sustained rise'}.`) : null,
  );
}

const savings = (r: Recommendation): string => (r.estimatedSavingsBytes > 0 ? formatRange(r.savingsLowBytes, r.savingsHighBytes, mb) : 'none in bytes');

function recommendationsSection(t: TargetReport): Markup {
  return fragment(
    h('h3', null, 'Recommended optimizations'),
    t.recommendations.length === 0 ? h('p', null, 'None: no catalog entry applies to this run.') : null,
    t.recommendations.map((r) =>
      h(
        'div',
        { class: 'recommendation' },
        h('h4', null, `Priority ${r.priority}: ${r.title}`),
        h('p', null, withInlineCode(r.action.replace(/\s*\n\s*/g, ' '))),
        h('p', { class: 'facts' }, `Effort ${r.effort}, risk ${r.risk}. Estimated saving: ${savings(r)}${r.estimatedSavingsBytes > 0 ? ` (${r.savingsBasis})` : ''}.`),
        h('p', { class: 'evidence' }, `Evidence: ${r.evidence.detail}`),
        r.evidence.frames.length > 0 ? h('pre', null, lines(r.evidence.frames.map((f, i) => `${'  '.repeat(i)}${i === 0 ? '' : '← '}${f}`))) : null,
      ),
    ),
    t.nonViable.length > 0 ? fragment(h('h3', null, 'Non-viable optimizations'), table(['Option', 'Why not'], t.nonViable.map((r) => [r.title, r.reason ?? '']))) : null,
    t.actionPlan.length > 0
      ? fragment(
          h('h3', null, 'Action plan'),
          t.actionPlan.map((p, i) => fragment(h('h4', null, `Phase ${i + 1}: ${p.phase}`), h('ol', null, p.items.map((item) => h('li', null, item.text))))),
        )
      : null,
  );
}

function successSection(t: TargetReport): Markup {
  const s = t.successMetrics;
  const b = s.baseline;
  const rows: Child[][] = [
    ['Peak heap', mb(b.peakHeapBytes), targetOf('peakHeapBytes')],
    ['Peak RSS', mb(b.peakRssBytes), targetOf('peakRssBytes')],
    ['Steady heap (median over the window)', mb(b.steadyHeapBytes), targetOf('steadyHeapBytes')],
    ['Steady slope', `${mb(b.steadySlopeBytesPerHour)}/h (${b.verdict})`, s.leakFree ? 'no leak' : '—'],
  ];
  function targetOf(metric: string): string {
    const x = s.targets.find((y) => y.metric === metric);
    return x ? `< ${mb(x.target)} (−${Math.round(x.reduction * 100)}%)` : '—';
  }
  return fragment(
    h('h3', null, 'Success metrics'),
    h('p', null, 'Baseline from this run, and the targets a later run is checked against with ', h('code', null, 'heaplens compare'), '.'),
    table(['Measure', 'Baseline', 'Target'], rows, { class: 'success' }),
  );
}
