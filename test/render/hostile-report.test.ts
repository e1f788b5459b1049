import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encode, P } from '../helpers/proto-writer.js';
import { runBuiltCli } from '../helpers/run-cli.js';

/**
 * report.md and compare.md from profiles whose function names are hostile
 * (test/fixtures/synthetic/hostile.pb.gz: `<script>`, an `<img onerror>`,
 * `javascript:`, table pipes, a newline, terminal escapes, a bidi override):
 * no name may break a table, inject HTML or reach the reader raw.
 */
const NAMES = [
  'main.(*Server).<script>alert(1)</script>',
  'main."><img src=x onerror=alert(1)>',
  'javascript:alert(document.cookie)',
  'main.pipe|table|breaker',
  'main.newline\nSecond line',
  'main.evil\x1b[2J\x1b[31mRED\x07',
  'main.bidi\u202egnp.exe',
  '# heading `code` *bold* _em_ [link](x)',
];

/** A heap profile where the hostile functions hold the memory, growing with `i` (so they lead every table). */
function hostileProfile(i: number): Uint8Array {
  const strings = ['', 'alloc_objects', 'count', 'alloc_space', 'bytes', 'inuse_objects', 'inuse_space', 'space', ...NAMES];
  const fn = (k: number): number => 8 + k;
  return encode([
    P.valueType(1, 1, 2),
    P.valueType(1, 3, 4),
    P.valueType(1, 5, 2),
    P.valueType(1, 6, 4),
    ...NAMES.map((_, k) => P.fn(k + 1, fn(k))),
    ...NAMES.map((_, k) => P.loc(k + 1, [[k + 1, 10 + k]])),
    // Each name allocates, called from the next one: they are leaves, callers and call paths.
    ...NAMES.map((_, k) => P.sample([k + 1, ((k + 1) % NAMES.length) + 1], [1, 1 << 20, 1, (1 + k + (k === 0 ? i * 4 : k === 3 ? i * 2 : 0)) << 20])),
    ...P.strings(strings),
    { f: 9, varint: BigInt(1_764_144_000 + i) * 1_000_000_000n },
    P.valueType(11, 7, 4),
    { f: 12, varint: 524288 },
  ]);
}

function hostileRun(): string {
  // operator-controller's layout: <component>/heapN.pprof, timed by the profiles.
  const dir = mkdtempSync(join(tmpdir(), 'heaplens-hostile-'));
  mkdirSync(join(dir, 'evil'));
  for (let i = 0; i < 12; i++) writeFileSync(join(dir, 'evil', `heap${i}.pprof`), hostileProfile(i));
  return dir;
}

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

  it('compare.md and the terminal: escaped the same way', async () => {
    const a = hostileRun();
    const b = hostileRun();
    const out = mkdtempSync(join(tmpdir(), 'heaplens-hostile-out-'));
    const r = await runBuiltCli(['compare', a, b, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    checkMarkdown(readFileSync(join(out, 'compare.md'), 'utf8'));
    const shown = await runBuiltCli(['compare', a, b]);
    // eslint-disable-next-line no-control-regex
    expect(shown.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u202a-\u202e]/);
  });
});
