import type { Comparison, MeasureComparison, SideStats } from '../model/comparison.js';
import { formatMiB as mb } from '../model/size.js';
import { escapeMarkdownCell } from './escape.js';

export const MEASURE_LABELS: Record<MeasureComparison['measure'], string> = {
  peakHeapBytes: 'Peak heap',
  peakRssBytes: 'Peak RSS',
  overheadBytes: 'Overhead (RSS − heap)',
  steadySlopeBytesPerHour: 'Steady slope (per hour)',
};

/** A signed size change, with a real minus sign. */
export const signed = (b: number): string => `${b > 0 ? '+' : b < 0 ? '−' : ''}${mb(Math.abs(b))}`;
/** A signed percentage with one decimal; — when there is no base to compare with. */
export const pct = (x: number | null): string => (x === null ? '—' : `${x > 0 ? '+' : x < 0 ? '−' : ''}${Math.abs(Math.round(x * 1000) / 10)}%`);

/** One side's value: the run's, or the mean with its range over repeated runs. */
export function side(s: SideStats): string {
  if (s.mean === null) return '—';
  if (s.n === 1) return mb(s.mean);
  return `${mb(s.mean)} (${mb(s.min)}–${mb(s.max)}, n=${s.n})`;
}

/** compare.md: per target, base vs new with deltas and whether each clears the noise. Names from profiles are escaped. */
export function renderComparisonMarkdown(c: Comparison): string {
  const out: string[] = ['# Memory comparison', ''];
  out.push(`Base: ${c.base.runs.map(escapeMarkdownCell).join(', ')}  `, `New: ${c.new.runs.map(escapeMarkdownCell).join(', ')}`, '');
  out.push(
    c.regressions.length === 0
      ? `**No significant regression** (gate: peak heap +${Math.round(c.maxRegression * 100)}% beyond the noise, or a new leak).`
      : `**${c.regressions.length} significant regression${c.regressions.length > 1 ? 's' : ''}:** ${c.regressions.map((r) => `${escapeMarkdownCell(r.target)}: ${r.what} ${escapeMarkdownCell(r.detail)}`).join('; ')}.`,
    '',
  );
  for (const t of c.targets) {
    out.push(`## ${escapeMarkdownCell(t.name)}`, '');
    out.push('| Measure | Base | New | Change | Noise (2σ) | |', '|---|---|---|---|---|---|');
    for (const m of t.measures) {
      const change = m.delta === null ? '—' : `${signed(m.delta)} (${pct(m.deltaPct)})`;
      const verdict = m.delta === null ? 'n/a' : m.significant ? (m.direction === 'worse' ? '**worse**' : '**better**') : 'within noise';
      out.push(`| ${MEASURE_LABELS[m.measure]} | ${side(m.base)} | ${side(m.new)} | ${change} | ${m.noise === null ? '—' : mb(m.noise)} | ${verdict} |`);
    }
    out.push(`| Verdict | ${t.verdicts.base.join(', ') || '—'} | ${t.verdicts.new.join(', ') || '—'} | ${t.verdictChange === 'leak-appeared' ? '**a leak appeared**' : t.verdictChange === 'leak-gone' ? '**the leak is gone**' : ''} | | |`, '');

    if (t.components.length > 0) {
      out.push('### Components at the peak', '', '| Component | Base | New | Change |', '|---|---|---|---|');
      for (const x of t.components) out.push(`| ${escapeMarkdownCell(x.name)} | ${mb(x.base)} | ${mb(x.new)} | ${signed(x.delta)} (${pct(x.deltaPct)}) |`);
      out.push('');
    }
    out.push('### Functions (peak profiles, flat in-use bytes)', '');
    if (!t.functions) out.push(`Not available: ${t.functionsNote ?? ''}.`, '');
    else {
      out.push(`Like \`go tool pprof -diff_base\`${t.functions.normalized ? ' with -normalize (base scaled to the new total)' : ''}: totals ${mb(t.functions.baseTotal)} → ${mb(t.functions.newTotal)}.`, '');
      if (t.functions.rows.length === 0) out.push('No function changed.', '');
      else {
        out.push('| Function | Base | New | Change |', '|---|---|---|---|');
        for (const r of t.functions.rows) out.push(`| ${escapeMarkdownCell(r.name)} | ${mb(r.base)} | ${mb(r.new)} | ${signed(r.delta)} |`);
        out.push('');
      }
    }
    if (t.alerts.length > 0) {
      out.push('### Alerts fired', '', '| Alert | Base | New |', '|---|---|---|');
      for (const a of t.alerts) out.push(`| ${escapeMarkdownCell(a.name)} | ${a.baseFired} of ${a.baseRuns} runs | ${a.newFired} of ${a.newRuns} runs |`);
      out.push('');
    }
    if (t.successTargets.length > 0) {
      out.push("### The base's success metrics", '', '| Target | Goal | New | |', '|---|---|---|---|');
      for (const s of t.successTargets) {
        if (s.metric === 'no leak') out.push(`| No leak | no leak verdict | ${s.actual} leaking run(s) | ${s.met ? 'met' : '**not met**'} |`);
        else out.push(`| ${MEASURE_LABELS[s.metric as MeasureComparison['measure']] ?? s.metric} | < ${mb(s.target)} | ${mb(s.actual)} | ${s.met ? 'met' : '**not met**'} |`);
      }
      out.push('');
    }
  }
  out.push('---', '', `Significance: ${c.rule}`, '');
  return out.join('\n');
}
