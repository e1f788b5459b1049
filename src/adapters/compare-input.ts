import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { PeakFunctions, Side } from '../compare/compare.js';
import { analyzeRun } from '../analyze/analyze-run.js';
import type { Report } from '../model/report.js';
import { topOf } from '../pprof/top.js';
import { loadRunInput, type RunInputOptions } from './analyze-dir.js';
import { readProfileFile } from './profile-file.js';
import { readRunDir } from './run-reader.js';

/** A side of a comparison is neither a run directory nor a heaplens report.json. */
export class CompareInputError extends Error {
  override readonly name = 'CompareInputError';
}

/** Reads a report.json, refusing anything that is not one (the message names the file). */
export function readReportFile(path: string): Report {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new CompareInputError(`${path}: not a heaplens report.json (${e instanceof SyntaxError ? 'not JSON' : ((e as NodeJS.ErrnoException).code ?? (e as Error).message)})`);
  }
  const r = data as Partial<Report> | null;
  if (!r || typeof r !== 'object' || r.schemaVersion !== 1 || !Array.isArray(r.targets) || r.tool?.name !== 'heaplens') {
    throw new CompareInputError(`${path}: not a heaplens report.json (needs schemaVersion 1, tool heaplens and targets)`);
  }
  for (const t of r.targets) {
    if (!t || typeof t.name !== 'string' || !t.peak || !t.verdict || !Array.isArray(t.components) || !t.successMetrics || !Array.isArray(t.alerts)) {
      throw new CompareInputError(`${path}: target ${JSON.stringify((t as { name?: unknown } | null)?.name ?? '?')} lacks fields of the current report format (re-run heaplens analyze)`);
    }
  }
  return r as Report;
}

/**
 * A report from a run directory (analysed now) or a report.json, and the run
 * directory its profiles are in, when there is one.
 */
export async function loadReport(path: string, componentFiles: readonly string[], options: RunInputOptions = {}): Promise<{ report: Report; runDir: string | null }> {
  if (!existsSync(path)) throw new CompareInputError(`${path}: no such run directory or report.json`);
  if (statSync(path).isDirectory()) return { report: analyzeRun(await loadRunInput(path, componentFiles, options)), runDir: path };
  return { report: readReportFile(path), runDir: existsSync(join(dirname(path), 'run.json')) ? dirname(path) : null };
}

/**
 * The reports of one side (each path a run directory, analysed now, or a
 * report.json) and, for its first run, each target's peak-profile
 * functions when the run directory is at hand.
 */
export async function loadSide(paths: readonly string[], componentFiles: readonly string[], options: RunInputOptions = {}): Promise<Side> {
  const reports: Report[] = [];
  let firstRunDir: string | null = null;
  for (const path of paths) {
    const { report, runDir } = await loadReport(path, componentFiles, options);
    if (reports.length === 0) firstRunDir = runDir;
    reports.push(report);
  }
  const peakFunctions = new Map<string, PeakFunctions>();
  if (firstRunDir !== null && reports[0]) {
    const run = await readRunDir(firstRunDir);
    for (const t of reports[0].targets) {
      const snapshot = run.targets.find((x) => x.name === t.name)?.snapshots.find((s) => s.kind === 'heap' && s.index === t.peak.heapSnapshot);
      if (!snapshot) continue;
      const profile = await readProfileFile(join(firstRunDir, snapshot.file), { labels: false });
      const top = topOf(profile, { sampleType: 'inuse_space', nodeFraction: 0 });
      peakFunctions.set(t.name, { total: top.total, flat: new Map(top.rows.map((r) => [r.name, r.flat])) });
    }
  }
  return { runs: [...paths], reports, peakFunctions };
}
