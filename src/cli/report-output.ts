import type { Command } from 'commander';
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadFlameGraphs } from '../adapters/flame-graphs.js';
import { loadPageAssets } from '../adapters/page-assets.js';
import { writeFileAtomic } from '../adapters/run-dir.js';
import type { Report } from '../model/report.js';
import type { RunSource } from '../model/run.js';
import { renderGithubSummary } from '../render/github-summary.js';
import { renderReportHtml } from '../render/report-html.js';
import { renderReportMarkdown } from '../render/report-md.js';
import { UsageError } from './errors.js';

export const REPORT_FORMATS = ['md', 'json', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export function parseFormats(text: string): ReportFormat[] {
  const list = text.split(',').map((f) => f.trim());
  for (const f of list) if (!REPORT_FORMATS.includes(f as ReportFormat)) throw new UsageError(`--format: unknown format "${f}" (${REPORT_FORMATS.join(', ')})`);
  return list as ReportFormat[];
}

/** Writes the report files (atomically); returns their paths. The HTML report reads its flame graphs' profiles from `runDir` (`source`: the run as analysis read it). */
export async function writeReport(report: Report, runDir: string, outDir: string, formats: readonly ReportFormat[], source: RunSource): Promise<string[]> {
  // Everything that can fail is done before the first file is written.
  const html = formats.includes('html') ? renderReportHtml(report, await loadFlameGraphs(runDir, report, source), loadPageAssets()) : null;
  mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  const write = (name: string, text: string): void => {
    const path = join(outDir, name);
    writeFileAtomic(path, text);
    written.push(path);
  };
  if (formats.includes('json')) write('report.json', JSON.stringify(report, null, 1) + '\n');
  if (formats.includes('md')) write('report.md', renderReportMarkdown(report));
  if (html !== null) write('report.html', html);
  return written;
}

/** Adds `--github-summary [FILE]` (analyze and run). */
export function addGithubSummaryFlag(cmd: Command): Command {
  return cmd.option('--github-summary [file]', 'append a Markdown summary with mermaid charts to FILE (default: $GITHUB_STEP_SUMMARY)');
}

/** `--github-summary [FILE]`: the file given, else $GITHUB_STEP_SUMMARY; null when the flag is absent. */
export function githubSummaryPath(flag: string | boolean | undefined, env: NodeJS.ProcessEnv): string | null {
  if (flag === undefined || flag === false) return null;
  if (typeof flag === 'string') return flag;
  const path = env.GITHUB_STEP_SUMMARY;
  if (!path) throw new UsageError('--github-summary: no FILE given and GITHUB_STEP_SUMMARY is not set');
  return path;
}

/** Appends the step summary (GitHub appends each step's file to the job's summary). */
export function appendGithubSummary(report: Report, path: string): void {
  try {
    appendFileSync(path, renderGithubSummary(report));
  } catch (e) {
    throw new UsageError(`--github-summary: cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}
