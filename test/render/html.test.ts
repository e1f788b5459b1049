import { describe, expect, it } from 'vitest';
import { growthRate } from '../../src/analyze/growth-rate.js';
import { evaluate } from '../../src/analyze/promql/evaluate.js';
import { parsePromQL } from '../../src/analyze/promql/parse.js';
import { escapeHtml, h, jsonForScript, lines, table, withInlineCode } from '../../src/render/html.js';
import { sparkline } from '../../src/render/sparkline.js';

describe('the HTML builder', () => {
  it('escapes text and attribute values; control and bidi characters become visible escapes', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&</a>`)).toBe('&#60;a href=&#34;x&#34; onclick=&#39;y&#39;&#62;&#38;&#60;/a&#62;');
    expect(escapeHtml('a\u202eb\x1bc\nd')).toBe('a\\u202eb\\x1bc\\x0ad');
    expect(h('p', { title: '"><script>' }, '<b>', 1).html).toBe('<p title="&#34;&#62;&#60;script&#62;">&#60;b&#62;1</p>');
    expect(h('td', null, [null, false, undefined, 'x', ['y']]).html).toBe('<td>xy</td>');
  });

  it('refuses what could run or load: handlers, URLs other than page anchors, odd names', () => {
    expect(() => h('div', { onclick: 'x' })).toThrow(/onclick is not allowed/);
    expect(() => h('img', { src: 'x' })).toThrow(/src is not allowed/);
    expect(() => h('a', { href: 'javascript:alert(1)' })).toThrow(/href must be an anchor in the page/);
    expect(() => h('a', { href: 'https://example.com' })).toThrow(/href must be an anchor/);
    expect(h('a', { href: '#target-1' }, 't').html).toBe('<a href="#target-1">t</a>');
    expect(() => h('div x', null)).toThrow(/bad tag name/);
    expect(() => h('div', { 'a b': 1 })).toThrow(/bad attribute name/);
  });

  it('lines keep newlines between escaped lines; inline code from backticks only', () => {
    expect(lines(['<a>', 'b\nc']).html).toBe('&#60;a&#62;\nb\\x0ac');
    expect(withInlineCode('use `<x>` and `y`').html).toBe('use <code>&#60;x&#62;</code> and <code>y</code>');
    expect(table(['h'], [['<c>']]).html).toBe('<table><thead><tr><th>h</th></tr></thead><tbody><tr><td>&#60;c&#62;</td></tr></tbody></table>');
  });

  it('jsonForScript round-trips any string and never contains <, bidi controls or line separators', () => {
    const hostile = ['</script><script>alert(1)</script>', '<!--', 'a\u2028b\u2029c', 'x\u202ey', '\u0085\u007f', 'plain'];
    const text = jsonForScript({ hostile });
    expect(text).not.toMatch(/[<\u007f-\u009f\u2028\u2029\u202a-\u202e]/);
    expect(JSON.parse(text)).toEqual({ hostile });
  });

  it('sparkline: one point per value, scaled from zero to the maximum, last point marked', () => {
    const svg = sparkline([0, 5, 10], 120, 24).html;
    expect(svg).toContain('points="2.0,22.0 60.0,12.0 118.0,2.0"');
    expect(svg).toContain('<circle cx="118.0" cy="2.0" r="2">');
    expect(sparkline([]).html).not.toContain('<circle');
  });
});

describe('growthRate', () => {
  it('equals deriv(x[5m]) evaluated at every sample (irregular steps, a window that slides)', () => {
    let seed = 7;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const points: { t: number; bytes: number }[] = [];
    for (let t = 1_764_000_000_000, i = 0; i < 400; i++, t += 1000 + Math.floor(random() * 2000)) points.push({ t, bytes: 5e7 + i * 3e4 + Math.floor(random() * 1e6) });
    const series = [{ labels: { __name__: 'rss' }, t: points.map((p) => p.t), v: points.map((p) => p.bytes) }];
    const expr = parsePromQL('deriv(rss[5m])');
    const rates = growthRate(points);
    expect(rates).toHaveLength(points.length);
    expect(rates[0]!.bytesPerSec).toBeNull();
    for (const r of rates.slice(1)) {
      const v = evaluate(expr, r.t, { series, intervalMs: 1000 });
      expect(v.type === 'vector' ? v.samples[0]?.value : NaN).toBe(r.bytesPerSec);
    }
  });
});
