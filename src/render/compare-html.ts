import type { Comparison, MeasureComparison, TargetComparison } from '../model/comparison.js';
import { formatMiB as mb } from '../model/size.js';
import { MEASURE_LABELS, pct, side, signed } from './compare-md.js';
import { fragment, h, table, type Markup } from './html.js';
import { htmlPage } from './report-html.js';


/** compare.html: compare.md's sections as a page that needs no script (bars are inline SVG); names from profiles are text. */
export function renderComparisonHtml(c: Comparison, style: string): string {
  const body = fragment(
    h(
      'header',
      null,
      h('h1', null, 'Memory comparison'),
      h('p', { class: 'meta' }, `Base: ${c.base.runs.join(', ')}`),
      h('p', { class: 'meta' }, `New: ${c.new.runs.join(', ')}`),
      h(
        'div',
        { class: `verdict ${c.regressions.length === 0 ? 'verdict-no-leak' : 'verdict-leak'}`, 'data-regressions': c.regressions.length },
        h('div', { class: 'verdict-kind' }, c.regressions.length === 0 ? 'NO SIGNIFICANT REGRESSION' : `${c.regressions.length} SIGNIFICANT REGRESSION${c.regressions.length > 1 ? 'S' : ''}`),
        c.regressions.length === 0
          ? h('p', null, `Gate: peak heap +${Math.round(c.maxRegression * 100)}% beyond the noise, or a new leak.`)
          : h('ul', null, c.regressions.map((r) => h('li', null, `${r.target}: ${r.what} ${r.detail}`))),
      ),
    ),
    h('main', null, c.targets.map(targetSection)),
    h('footer', null, `Significance: ${c.rule}`),
  );
  return htmlPage('heaplens: memory comparison', style, body);
}

function verdictCell(m: MeasureComparison): Markup | string {
  if (m.delta === null) return 'n/a';
  if (!m.significant) return 'within noise';
  return h('strong', { class: m.direction === 'worse' ? 'worse' : 'better' }, m.direction);
}

function targetSection(t: TargetComparison): Markup {
  const change = t.verdictChange === 'leak-appeared' ? 'a leak appeared' : t.verdictChange === 'leak-gone' ? 'the leak is gone' : '';
  return h(
    'section',
    { class: 'target' },
    h('h2', null, t.name),
    table(
      ['Measure', 'Base', 'New', 'Change', 'Noise (2σ)', ''],
      [
        ...t.measures.map((m) => [MEASURE_LABELS[m.measure], side(m.base), side(m.new), m.delta === null ? '—' : `${signed(m.delta)} (${pct(m.deltaPct)})`, m.noise === null ? '—' : mb(m.noise), verdictCell(m)]),
        ['Verdict', t.verdicts.base.join(', ') || '—', t.verdicts.new.join(', ') || '—', change ? h('strong', { class: 'worse' }, change) : '', '', ''],
      ],
      { class: 'measures' },
    ),
    t.components.length > 0
      ? fragment(
          h('h3', null, 'Components at the peak'),
          table(['Component', 'Base', 'New', 'Change', ''], t.components.map((x) => [x.name, mb(x.base), mb(x.new), `${signed(x.delta)} (${pct(x.deltaPct)})`, bars(x.base, x.new, Math.max(...t.components.flatMap((y) => [y.base, y.new])))]), { class: 'components' }),
        )
      : null,
    h('h3', null, 'Functions (peak profiles, flat in-use bytes)'),
    !t.functions
      ? h('p', null, `Not available: ${t.functionsNote ?? ''}.`)
      : fragment(
          h('p', null, `Like go tool pprof -diff_base${t.functions.normalized ? ' with -normalize (base scaled to the new total)' : ''}: totals ${mb(t.functions.baseTotal)} → ${mb(t.functions.newTotal)}.`),
          t.functions.rows.length === 0
            ? h('p', null, 'No function changed.')
            : table(['Function', 'Base', 'New', 'Change'], t.functions.rows.map((r) => [h('code', null, r.name), mb(r.base), mb(r.new), signed(r.delta)]), { class: 'functions' }),
        ),
    t.alerts.length > 0 ? fragment(h('h3', null, 'Alerts fired'), table(['Alert', 'Base', 'New'], t.alerts.map((a) => [a.name, `${a.baseFired} of ${a.baseRuns} runs`, `${a.newFired} of ${a.newRuns} runs`]))) : null,
    t.successTargets.length > 0
      ? fragment(
          h('h3', null, "The base's success metrics"),
          table(
            ['Target', 'Goal', 'New', ''],
            t.successTargets.map((s) =>
              s.metric === 'no leak'
                ? ['No leak', 'no leak verdict', `${s.actual} leaking run(s)`, s.met ? 'met' : h('strong', { class: 'worse' }, 'not met')]
                : [MEASURE_LABELS[s.metric as MeasureComparison['measure']] ?? s.metric, `< ${mb(s.target)}`, mb(s.actual), s.met ? 'met' : h('strong', { class: 'worse' }, 'not met')],
            ),
          ),
        )
      : null,
  );
}

/** Base and new as two bars on one scale (numbers only). */
function bars(base: number, next: number, max: number, width = 160): Markup {
  const w = (v: number): string => (max > 0 ? ((Math.max(0, v) / max) * width).toFixed(1) : '0');
  return h(
    'svg',
    { class: 'bars', width, height: 14, viewbox: `0 0 ${width} 14`, role: 'img', 'aria-label': `base ${mb(base)}, new ${mb(next)}` },
    h('rect', { class: 'bar-base', x: 0, y: 1, width: w(base), height: 5 }),
    h('rect', { class: next > base ? 'bar-new worse' : 'bar-new', x: 0, y: 8, width: w(next), height: 5 }),
  );
}
