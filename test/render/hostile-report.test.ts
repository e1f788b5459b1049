import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hostileRun } from '../helpers/hostile-run.js';
import { runBuiltCli } from '../helpers/run-cli.js';
import { pageParts, sha256Base64 } from '../helpers/html-page.js';
import { HOSTILE_NAMES } from '../helpers/hostile-run.js';

/**
 * report.md, report.html and compare.md from profiles whose function names
 * are hostile (see HOSTILE_NAMES): no name may break a table, inject HTML or
 * reach the reader raw.
 */
function checkMarkdown(md: string): void {
  // eslint-disable-next-line no-control-regex
  expect(md).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u202a-\u202e\u2066-\u2069]/);
  // Outside fenced code (where text is literal and only a ``` line could end the block), no raw tag.
  const outsideCode = md.replace(/^```[a-z]*\n[\s\S]*?^```$/gm, '');
  expect(outsideCode).not.toMatch(/(?<!\\)<(script|img|\/script)/i);
  const fences = md.split('\n').filter((l) => l.startsWith('```'));
  expect(fences.every((l) => l === '```' || l === '```yaml')).toBe(true);
  expect(fences.length % 2).toBe(0);
  // Every table row has as many cell separators as its header.
  const lines = md.split('\n');
  let columns = -1;
  for (const line of lines) {
    if (!line.startsWith('|')) {
      columns = -1;
      continue;
    }
    const cells = line.replace(/\\\|/g, '').split('|').length;
    if (columns < 0) columns = cells;
    else expect(cells, line).toBe(columns);
  }
  expect(md).not.toMatch(/^Second line/m);
}

describe('hostile function names in the reports', () => {
  it('report.md: escaped, tables intact, no HTML', async () => {
    const dir = hostileRun();
    const r = await runBuiltCli(['analyze', dir]);
    expect(r.code, r.stderr).toBe(0);
    const md = readFileSync(join(dir, 'report.md'), 'utf8');
    // The names are in the report (the growing one leads the suspects), escaped.
    expect(md).toContain('main.pipe\\|table\\|breaker');
    expect(md).toContain('main.(\\*Server).\\<script\\>alert(1)\\</script\\>');
    expect(md).toContain('main.newline\\x0aSecond line');
    checkMarkdown(md);
  });

  it('report.html: names only as escaped text; the data cannot end its script; only our script may run', async () => {
    const dir = hostileRun();
    const r = await runBuiltCli(['analyze', dir, '--format', 'html']);
    expect(r.code, r.stderr).toBe(0);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    const page = pageParts(html);
    // Exactly two script elements: the data (not executable) and heaplens' own bundle.
    expect(page.scriptTags).toEqual(['<script type="application/json" id="heaplens-data">', '<script>']);
    expect(page.csp).toContain(`script-src 'sha256-${sha256Base64(page.appScript)}'`);
    expect(page.csp).toMatch(/default-src 'none'/);
    // The data holds the names (for the flame graph) but no '<' at all, so it cannot close its element.
    expect(page.dataText).not.toContain('<');
    const data = JSON.parse(page.dataText) as { targets: { flame: { names: string[] } }[] };
    for (const name of HOSTILE_NAMES.slice(0, 3)) expect(data.targets[0]!.flame.names).toContain(name);
    // In the markup: no tag, attribute or URL from a name; the names are there as escaped text.
    // Real tags are the only '<' left in the markup (text has '&#60;'): none is an img or script, none has a handler or a javascript: URL.
    const tags = page.markup.match(/<[^>]*>/g) ?? [];
    expect(tags.filter((t) => /^<\/?(img|script)\b/i.test(t) || /\son[a-z]+\s*=|javascript:/i.test(t))).toEqual([]);
    expect(page.markup).toContain('main.(*Server).&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(page.markup).toContain('main.&#34;&#62;&#60;img src=x onerror=alert(1)&#62;');
    // eslint-disable-next-line no-control-regex
    expect(html).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u202a-\u202e\u2066-\u2069]/);
  });

  it('compare.md and the terminal: escaped the same way', async () => {
    const a = hostileRun();
    const b = hostileRun();
    const out = mkdtempSync(join(tmpdir(), 'heaplens-hostile-out-'));
    const r = await runBuiltCli(['compare', a, b, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const md = readFileSync(join(out, 'compare.md'), 'utf8');
    checkMarkdown(md);
    // Two identical runs: no function changed, said in words rather than as an empty table.
    expect(md).toContain('No function changed.');
    expect(md).not.toContain('| Function | Base | New | Change |');
    const html = readFileSync(join(out, 'compare.html'), 'utf8');
    expect(html).toContain('<p>No function changed.</p>');
    expect(html).not.toMatch(/<script/i);
    const tags = html.match(/<[^>]*>/g) ?? [];
    expect(tags.filter((t) => /^<\/?(img|script)\b/i.test(t) || /\son[a-z]+\s*=|javascript:/i.test(t))).toEqual([]);
    expect(html).toContain('main.(*Server).&#60;script&#62;alert(1)&#60;/script&#62;');
    const shown = await runBuiltCli(['compare', a, b]);
    // eslint-disable-next-line no-control-regex
    expect(shown.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u202a-\u202e]/);
  });
});
