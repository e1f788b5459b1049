import MarkdownIt from 'markdown-it';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { runBuiltCli } from './run-cli.js';

export interface SummaryReport {
  run: { name: string };
  targets: { name: string; peak: { heapInuseBytes: number }; verdict: { kind: string }; series: { t: number; heapInuseBytes: number; rssBytes: number | null }[]; alerts: { name: string; state: string }[] }[];
}

/** `analyze RUN --github-summary FILE`: the summary written, and the report it summarises. */
export async function summaryOf(run: string): Promise<{ text: string; report: SummaryReport }> {
  const out = mkdtempSync(join(tmpdir(), 'heaplens-summary-'));
  const file = join(out, 'summary.md');
  const r = await runBuiltCli(['analyze', run, '--out', out, '--format', 'json', '--github-summary', file]);
  expect(r.code, r.stderr).toBe(0);
  return { text: readFileSync(file, 'utf8'), report: JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as SummaryReport };
}

/** The mermaid fences' contents, as a CommonMark parser finds them. */
export function mermaidBlocks(text: string): string[] {
  return new MarkdownIt({ html: true }).parse(text, {}).filter((t) => t.type === 'fence' && t.info === 'mermaid').map((t) => t.content);
}
