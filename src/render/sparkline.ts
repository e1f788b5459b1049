import { h, type Markup } from './html.js';

/** A small inline SVG line of a series (numbers only, no text), its last point marked. Scaled from 0 to the series' maximum. */
export function sparkline(values: readonly number[], width = 120, height = 24): Markup {
  const max = Math.max(0, ...values);
  const n = values.length;
  const x = (i: number): number => (n <= 1 ? width / 2 : (i / (n - 1)) * (width - 4) + 2);
  const y = (v: number): number => (max === 0 ? height - 2 : height - 2 - (v / max) * (height - 4));
  const points = values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  const last = n > 0 ? h('circle', { cx: x(n - 1).toFixed(1), cy: y(values[n - 1]!).toFixed(1), r: 2 }) : null;
  return h(
    'svg',
    { class: 'sparkline', width, height, viewbox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': `from ${values[0] ?? 0} to ${values[n - 1] ?? 0} bytes` },
    h('polyline', { points, fill: 'none' }),
    last,
  );
}
