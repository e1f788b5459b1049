import type { Command } from 'commander';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadRunInput } from '../../adapters/analyze-dir.js';
import { writeFileAtomic } from '../../adapters/run-dir.js';
import { analyzeRun } from '../../analyze/analyze-run.js';
import type { Report } from '../../model/report.js';
import { renderReportMarkdown } from '../../render/report-md.js';
import { UsageError } from '../errors.js';
import { formatMiB } from '../../model/size.js';
import { addAnalysisFlags, analysisOptions, type AnalysisFlags } from '../analysis-flags.js';
import type { CliIo } from '../io.js';

const FORMATS = ['md', 'json'] as const;
type Format = (typeof FORMATS)[number];

/** The bundled example run (the leak mode of examples/operator-sim, collected with heaplens collect). */
export const DEMO_RUN = fileURLToPath(new URL('../../../examples/runs/operator-leak', import.meta.url));
const DEMO_COMPONENTS = fileURLToPath(new URL('../../../examples/operator-sim/components.yaml', import.meta.url));

function parseFormats(text: string): Format[] {
  const list = text.split(',').map((f) => f.trim());
  for (const f of list) if (!FORMATS.includes(f as Format)) throw new UsageError(`--format: unknown format "${f}" (md, json)`);
  return list as Format[];
}

/** Writes the report files (atomically); returns their paths. */
export function writeReport(report: Report, outDir: string, formats: readonly Format[]): string[] {
  mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  if (formats.includes('json')) {
    const path = join(outDir, 'report.json');
    writeFileAtomic(path, JSON.stringify(report, null, 1) + '\n');
    written.push(path);
  }
  if (formats.includes('md')) {
    const path = join(outDir, 'report.md');
    writeFileAtomic(path, renderReportMarkdown(report));
    written.push(path);
  }
  return written;
}

function summary(report: Report): string {
  return report.targets
    .map((t) => `${t.name}: ${t.verdict.kind} — peak heap ${formatMiB(t.peak.heapInuseBytes)}, peak RSS ${formatMiB(t.peak.rssBytes)}`)
    .join('\n');
}

export function registerAnalyze(program: Command, io: CliIo): void {
  const analyze = program
    .command('analyze')
    .description('analyse a run directory (heaplens or operator-controller layout): verdict, phases, suspects, overhead, alerts, thresholds, recommendations')
    .argument('<run>', 'run directory')
    .option('--out <dir>', 'where to write the report (default: the run directory)')
    .option('--format <list>', 'report formats: md,json', 'md,json')
    .option('--json', 'print report.json on stdout (and nothing else)');
  addAnalysisFlags(analyze).action(async (run: string, flags: AnalysisFlags & { out?: string; format: string; json?: boolean }) => {
    const formats = parseFormats(flags.format);
    const input = await loadRunInput(run, flags.components, { alertsFile: flags.alerts ?? null, catalogFiles: flags.recommendations });
    const report = analyzeRun({ ...input, ...analysisOptions(flags) });
    const written = writeReport(report, flags.out ?? run, formats);
    if (flags.json) io.stdout(JSON.stringify(report) + '\n');
    else io.stdout(`${summary(report)}\n${written.map((p) => `wrote ${p}`).join('\n')}\n`);
  });

  program
    .command('demo')
    .description('analyse the bundled example run (offline; no Go needed)')
    .option('--out <dir>', 'where to write the report', 'heaplens-demo')
    .action(async (flags: { out: string }) => {
      const report = analyzeRun(await loadRunInput(DEMO_RUN, [DEMO_COMPONENTS]));
      const written = writeReport(report, resolve(flags.out), ['md', 'json']);
      io.stdout(`${summary(report)}\n${written.map((p) => `wrote ${p}`).join('\n')}\n`);
    });
}
