import MarkdownIt from 'markdown-it';
import { cpSync, existsSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resample } from '../../src/render/github-summary.js';
import { hostileRun } from '../helpers/hostile-run.js';
import { mermaidBlocks, summaryOf } from '../helpers/summary.js';
import { runBuiltCli } from '../helpers/run-cli.js';

/**
 * The GitHub step summary is checked as Markdown by a CommonMark+GFM parser
 * (markdown-it): its table is a table with every row complete, its charts
 * are mermaid fences, and its numbers are the report's. The mermaid blocks
 * themselves are parsed by mermaid in test/browser/github-summary-browser.test.ts.
 */
const md = new MarkdownIt({ html: true });

/** The table's rows as cell texts, from the parser's tokens (not from splitting lines). */
function tableRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] | null = null;
  for (const t of md.parse(text, {})) {
    if (t.type === 'tr_open') row = [];
    else if (t.type === 'tr_close') {
      rows.push(row!);
      row = null;
    }
    else if (t.type === 'inline' && row) row.push(t.content);
  }
  return rows;
}

function lineValues(block: string): number[] {
  return /line \[([^\]]*)\]/.exec(block)![1]!.split(', ').map(Number);
}

describe('analyze --github-summary', () => {
  it.each(['leak', 'plateau', 'spike', 'sawtooth'])('%s run: one table row per target, mermaid charts of heap, RSS and growth', async (name) => {
    const { text, report } = await summaryOf(`test/fixtures/runs/${name}`);
    const rows = tableRows(text);
    expect(rows[0]).toEqual(['Target', 'Verdict', 'Peak heap', 'Peak RSS', 'Steady slope', 'Alerts fired', 'Alerts pending']);
    expect(rows.length).toBe(1 + report.targets.length);
    const t = report.targets[0]!;
    expect(rows[1]).toHaveLength(7);
    expect(rows[1]![0]).toBe(t.name);
    expect(rows[1]![1]).toBe(`**${t.verdict.kind.toUpperCase()}**`);
    expect(rows[1]![2]).toBe(`${(t.peak.heapInuseBytes / 2 ** 20).toFixed(1)} MiB`);
    expect(rows[1]![6]).toBe(t.alerts.filter((a) => a.state === 'pending').map((a) => a.name).join(', ') || '—');
    const blocks = mermaidBlocks(text);
    expect(blocks.map((b) => /title "([^"]*)"/.exec(b)![1])).toEqual([
      `${t.name}: heap in use (MB)`,
      `${t.name}: RSS (MB)`,
      `${t.name}: growth rate of RSS - 5m deriv (kB/s)`,
    ]);
    for (const b of blocks) {
      expect(b.split('\n')[0]).toBe('xychart-beta');
      const values = lineValues(b);
      expect(values.length).toBeLessThanOrEqual(40);
      expect(values.every(Number.isFinite)).toBe(true);
      const [lo, hi] = /y-axis "[^"]*" (-?[\d.]+) --> (-?[\d.]+)/.exec(b)!.slice(1).map(Number);
      expect(Math.min(...values)).toBeGreaterThanOrEqual(lo!);
      expect(Math.max(...values)).toBeLessThanOrEqual(hi!);
    }
    // The heap chart starts and ends on the series' first and last snapshot (MB, one decimal).
    const heap = lineValues(blocks[0]!);
    const mb = (b: number): number => Math.round((b / 1e6) * 10) / 10;
    expect(heap[0]).toBe(mb(t.series[0]!.heapInuseBytes));
    expect(heap[heap.length - 1]).toBe(mb(t.series[t.series.length - 1]!.heapInuseBytes));
    const minutes = (t.series[t.series.length - 1]!.t - t.series[0]!.t) / 60_000;
    expect(blocks[0]).toContain(`x-axis "minutes" 0 --> ${Math.round(minutes * 10) / 10}`);
    // The charts are folded away under <details>, which GitHub renders.
    expect(text).toMatch(/<details><summary>[^<]*: memory charts<\/summary>\n\n```mermaid[\s\S]*```\n\n<\/details>\n/);
  });

  it('appends: two analyses, two summaries; $GITHUB_STEP_SUMMARY is the default file', async () => {
    const out = mkdtempSync(join(tmpdir(), 'heaplens-summary-env-'));
    const file = join(out, 'step-summary.md');
    writeFileSync(file, '# earlier step\n');
    const env = { ...process.env, GITHUB_STEP_SUMMARY: file };
    for (const run of ['leak', 'plateau']) {
      const r = await runBuiltCli(['analyze', `test/fixtures/runs/${run}`, '--out', out, '--format', 'json', '--github-summary'], env);
      expect(r.code, r.stderr).toBe(0);
    }
    const text = readFileSync(file, 'utf8');
    expect(text.startsWith('# earlier step\n')).toBe(true);
    expect(text.match(/^### heaplens: /gm)).toHaveLength(2);
    expect(mermaidBlocks(text)).toHaveLength(6);
  });

  it('without a file and without $GITHUB_STEP_SUMMARY: exit 2 before anything is written', async () => {
    const out = mkdtempSync(join(tmpdir(), 'heaplens-summary-none-'));
    const env = { ...process.env };
    delete env.GITHUB_STEP_SUMMARY;
    const r = await runBuiltCli(['analyze', 'test/fixtures/runs/leak', '--out', join(out, 'x'), '--github-summary'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('heaplens: --github-summary: no FILE given and GITHUB_STEP_SUMMARY is not set\n');
    expect(existsSync(join(out, 'x'))).toBe(false);
    const bad = await runBuiltCli(['analyze', 'test/fixtures/runs/leak', '--out', out, '--format', 'json', '--github-summary', join(out, 'no/such/dir/s.md')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--github-summary: cannot write .*no\/such\/dir\/s\.md: ENOENT/);
  });

  it('hostile target and function names cannot break the table, the fences or the chart titles', async () => {
    const dir = hostileRun();
    const evil = 'evil|"<b>`x`<i>';
    renameSync(join(dir, 'evil'), join(dir, evil));
    const copy = join(mkdtempSync(join(tmpdir(), 'heaplens-summary-hostile-')), 'run|<i>');
    cpSync(dir, copy, { recursive: true });
    const { text } = await summaryOf(copy);
    const rows = tableRows(text);
    expect(rows.map((r) => r.length)).toEqual([7, 7]);
    // The table parser has consumed the pipe's escape; the rest are escapes inline parsing turns into literal text.
    expect(rows[1]![0]).toBe('evil|"\\<b\\>\\`x\\`\\<i\\>');
    const blocks = mermaidBlocks(text);
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    // Titles keep letters, digits and plain punctuation only: nothing that could end the quoted title or the fence.
    for (const b of blocks) expect(/title "([^"]*)"/.exec(b)![1]).toMatch(/^evil___b__x__i_: [\p{L}\p{N} ._:/()+-]+$/u);
    // No raw tag from a name reaches the Markdown (GitHub renders some HTML).
    const html = md.render(text);
    expect(html).not.toMatch(/<(b|i)>/);
  });
});

describe('resample', () => {
  it('interpolates linearly onto an even grid, ends included', () => {
    const points = [
      { t: 0, v: 0 },
      { t: 10, v: 100 },
      { t: 40, v: 100 },
    ];
    expect(resample(points, 5)).toEqual([0, 100, 100, 100, 100]);
    expect(resample(points, 9)).toEqual([0, 50, 100, 100, 100, 100, 100, 100, 100]);
    expect(resample([{ t: 0, v: 1 }, { t: 2, v: 3 }], 3)).toEqual([1, 2, 3]);
    expect(resample([{ t: 5, v: 7 }], 1)).toEqual([7]);
  });
});
