import uPlot from 'uplot';
import type { ChartLine, PageTarget } from '../render/report-page-data.js';
import { formatBytes, formatRate, visible } from './format.js';

const PHASE_COLOURS: Record<string, string> = {
  init: 'rgba(150, 150, 150, 0.14)',
  'rapid-growth': 'rgba(230, 120, 30, 0.16)',
  'steady-growth': 'rgba(220, 40, 40, 0.14)',
  plateau: 'rgba(40, 160, 80, 0.12)',
  spike: 'rgba(160, 60, 200, 0.14)',
  decline: 'rgba(40, 110, 220, 0.12)',
};

const SERIES_COLOURS = ['#1f6fd1', '#d9480f', '#2b8a3e', '#ae3ec9', '#e67700', '#0c8599', '#c2255c', '#5c940d', '#495057', '#364fc7'];

function sizeOf(host: HTMLElement): { width: number; height: number } {
  return { width: Math.max(320, host.clientWidth || 800), height: 280 };
}

/** Redraws on resize; uPlot does not watch its container. */
function keepSized(host: HTMLElement, plot: uPlot): void {
  new ResizeObserver(() => plot.setSize(sizeOf(host))).observe(host);
}

/** Shaded phases with their names along the top of the plotting area. */
function drawPhases(u: uPlot, phases: PageTarget['memory']['phases']): void {
  const { ctx, bbox } = u;
  ctx.save();
  ctx.font = `${11 * devicePixelRatio}px sans-serif`;
  ctx.textBaseline = 'top';
  for (const p of phases) {
    const x0 = Math.max(bbox.left, u.valToPos(p.from, 'x', true));
    const x1 = Math.min(bbox.left + bbox.width, u.valToPos(p.to, 'x', true));
    if (x1 <= x0) continue;
    ctx.fillStyle = PHASE_COLOURS[p.kind] ?? 'rgba(0,0,0,0.05)';
    ctx.fillRect(x0, bbox.top, x1 - x0, bbox.height);
    ctx.fillStyle = '#444';
    if (x1 - x0 > 40 * devicePixelRatio) ctx.fillText(p.kind, x0 + 4 * devicePixelRatio, bbox.top + 3 * devicePixelRatio);
  }
  ctx.restore();
}

/** Dashed horizontal lines at thresholds, labelled; red for alert rules, green for the recommended ones. */
function drawLines(u: uPlot, lines: readonly ChartLine[]): void {
  const { ctx, bbox } = u;
  ctx.save();
  ctx.font = `${11 * devicePixelRatio}px sans-serif`;
  ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
  ctx.lineWidth = 1.5 * devicePixelRatio;
  let lastLabel = -Infinity;
  for (const l of [...lines].sort((a, b) => b.value - a.value)) {
    const y = u.valToPos(l.value, 'y', true);
    if (y < bbox.top || y > bbox.top + bbox.height) continue;
    // Labels of lines close together would overlap: put the lower one under its line.
    const labelY = y - 4 * devicePixelRatio - lastLabel < 13 * devicePixelRatio ? y + 12 * devicePixelRatio : y - 4 * devicePixelRatio;
    lastLabel = labelY;
    ctx.strokeStyle = ctx.fillStyle = l.kind === 'alert' ? '#c92a2a' : '#2b8a3e';
    ctx.beginPath();
    ctx.moveTo(bbox.left, y);
    ctx.lineTo(bbox.left + bbox.width, y);
    ctx.stroke();
    ctx.textAlign = 'right';
    ctx.fillText(l.label, bbox.left + bbox.width - 4 * devicePixelRatio, labelY);
  }
  ctx.restore();
}

interface MarkerStyle {
  readonly colour: string;
  readonly dashed: boolean;
  /** Labels stack down from the top of the plot, or up from its bottom. */
  readonly labelsAt: 'top' | 'bottom';
}

/** Vertical lines at moments of the run (alerts firing, restarts), each labelled. */
function drawMarkers(u: uPlot, markers: readonly { readonly t: number; readonly text: string }[], style: MarkerStyle): void {
  const { ctx, bbox } = u;
  ctx.save();
  ctx.font = `bold ${11 * devicePixelRatio}px sans-serif`;
  ctx.strokeStyle = ctx.fillStyle = style.colour;
  ctx.textAlign = 'left';
  ctx.lineWidth = 2 * devicePixelRatio;
  if (style.dashed) ctx.setLineDash([3 * devicePixelRatio, 3 * devicePixelRatio]);
  markers.forEach((m, k) => {
    const x = u.valToPos(m.t, 'x', true);
    if (x < bbox.left || x > bbox.left + bbox.width) return;
    ctx.beginPath();
    ctx.moveTo(x, bbox.top);
    ctx.lineTo(x, bbox.top + bbox.height);
    ctx.stroke();
    const y = style.labelsAt === 'top' ? bbox.top + (18 + 14 * k) * devicePixelRatio : bbox.top + bbox.height - (8 + 14 * k) * devicePixelRatio;
    ctx.fillText(m.text, x + 4 * devicePixelRatio, y);
  });
  ctx.restore();
}

/** The y range from 0, high enough to show every threshold line. */
function rangeWith(lines: readonly ChartLine[]): uPlot.Scale.Range {
  return (_u, min, max) => {
    const top = Math.max(max ?? 0, ...lines.map((l) => l.value)) * 1.08 || 1;
    return [Math.min(0, min ?? 0), top];
  };
}

/** Tick steps of 1, 2 and 5 binary units, so a bytes axis reads 16 MiB, 32 MiB... rather than 47.7 MiB. */
const BINARY_INCRS = [1, 2 ** 10, 2 ** 20, 2 ** 30].flatMap((unit) => [1, 2, 4, 8, 16, 32, 64, 128, 256, 512].map((k) => k * unit));

const bytesAxis = (format: (v: number) => string): uPlot.Axis => ({ size: 90, incrs: BINARY_INCRS, values: (_u, vals) => vals.map((v) => (v === null ? '' : format(v))) });

/** What a chart shows, in words, for screen readers (and for the tests, which cannot read a canvas). */
function describe(host: HTMLElement, text: string): void {
  host.setAttribute('role', 'figure');
  host.setAttribute('aria-label', visible(text));
}

export function memoryChart(host: HTMLElement, t: PageTarget): uPlot {
  const m = t.memory;
  describe(
    host,
    `Heap in use${m.rss.some((v) => v !== null) ? ' and RSS' : ''} over ${m.t.length} snapshots (${m.stale.length} stale); ` +
      `phases: ${m.phases.map((p) => p.kind).join(', ') || 'none'}; thresholds: ${m.lines.map((l) => l.label).join('; ') || 'none'}; ` +
      `fired: ${m.fired.map((f) => `${f.name} at +${Math.round(f.t - (m.t[0] ?? f.t))}s`).join('; ') || 'none'}; ` +
      `restarts: ${m.restarts.map((r) => `${r.label} at +${Math.round(r.t - (m.t[0] ?? r.t))}s`).join('; ') || 'none'}`,
  );
  const staleSet = new Set(m.stale);
  const stale = m.heap.map((v, i) => (staleSet.has(i) ? v : null));
  const hasRss = m.rss.some((v) => v !== null);
  const series: uPlot.Series[] = [
    {},
    { label: 'heap in use', stroke: '#1f6fd1', width: 2, value: (_u, v) => (v === null ? '—' : formatBytes(v)), points: { show: true, size: 4 } },
  ];
  const data: (readonly (number | null)[])[] = [m.t, m.heap];
  if (hasRss) {
    series.push({ label: 'RSS', stroke: '#d9480f', width: 2, spanGaps: true, value: (_u, v) => (v === null ? '—' : formatBytes(v)) });
    data.push(m.rss);
  }
  series.push({ label: 'stale snapshot', stroke: '#868e96', fill: '#fff', width: 0, paths: () => null, points: { show: true, size: 9, width: 2, stroke: '#868e96', fill: '#fff' }, value: (_u, v) => (v === null ? '—' : 'stale') });
  data.push(stale);
  const plot = new uPlot(
    {
      ...sizeOf(host),
      series,
      scales: { y: { range: rangeWith(m.lines) } },
      axes: [{}, bytesAxis(formatBytes)],
      hooks: {
        drawClear: [(u) => drawPhases(u, m.phases)],
        draw: [
          (u) => drawLines(u, m.lines),
          (u) => drawMarkers(u, m.fired.map((f) => ({ t: f.t, text: `▲ ${f.name} fired` })), { colour: '#c92a2a', dashed: false, labelsAt: 'top' }),
          (u) => drawMarkers(u, m.restarts.map((r) => ({ t: r.t, text: `⟳ ${r.label}` })), { colour: '#862e9c', dashed: true, labelsAt: 'bottom' }),
        ],
      },
    },
    data as unknown as uPlot.AlignedData,
    host,
  );
  keepSized(host, plot);
  return plot;
}

export function rateChart(host: HTMLElement, t: PageTarget): uPlot {
  const r = t.rate;
  describe(host, `Growth rate of ${r.metric} over 5 minutes; thresholds: ${r.lines.map((l) => l.label).join('; ') || 'none'}`);
  const plot = new uPlot(
    {
      ...sizeOf(host),
      series: [{}, { label: `growth of ${r.metric} (5m)`, stroke: '#ae3ec9', width: 2, value: (_u, v) => (v === null ? '—' : formatRate(v)) }],
      scales: { y: { range: rangeWith(r.lines) } },
      axes: [{}, bytesAxis(formatRate)],
      hooks: { draw: [(u) => drawLines(u, r.lines)] },
    },
    [r.t, r.v] as unknown as uPlot.AlignedData,
    host,
  );
  keepSized(host, plot);
  return plot;
}

/** Stacked areas: each band is a component, its legend value its own bytes (not the running sum). */
export function componentsChart(host: HTMLElement, t: PageTarget): uPlot | null {
  const c = t.components;
  if (c.names.length === 0 || c.t.length === 0) return null;
  describe(host, `In-use bytes of ${c.names.length} components over ${c.t.length} snapshots, stacked: ${c.names.join(', ')}`);
  const stacked: number[][] = [];
  c.bytes.forEach((row, k) => stacked.push(row.map((v, i) => v + (k > 0 ? stacked[k - 1]![i]! : 0))));
  const series: uPlot.Series[] = [{}];
  c.names.forEach((name, k) => {
    const colour = SERIES_COLOURS[k % SERIES_COLOURS.length]!;
    series.push({ label: name, stroke: colour, fill: `${colour}55`, width: 1, points: { show: false }, value: (_u, _v, _s, i) => (i === null ? '—' : formatBytes(c.bytes[k]![i]!)) });
  });
  const bands: uPlot.Band[] = c.names.slice(1).map((_, k) => ({ series: [k + 2, k + 1] as [number, number] }));
  const plot = new uPlot(
    { ...sizeOf(host), series, bands, axes: [{}, bytesAxis(formatBytes)], scales: { y: { range: (_u, _min, max) => [0, (max ?? 0) * 1.05 || 1] } } },
    [c.t, ...stacked] as unknown as uPlot.AlignedData,
    host,
  );
  keepSized(host, plot);
  return plot;
}
