import type { Command } from 'commander';
import { resolve } from 'node:path';
import { loadRun } from '../../adapters/analyze-dir.js';
import { analyzeRun } from '../../analyze/analyze-run.js';
import type { Report } from '../../model/report.js';
import { addGithubSummaryFlag, appendGithubSummary, githubSummaryPath, parseFormats, writeReport } from '../report-output.js';
import { formatMiB } from '../../model/size.js';
import { addAnalysisFlags, analysisOptions, type AnalysisFlags } from '../analysis-flags.js';
import type { CliIo } from '../io.js';
import { packageFile } from '../../adapters/package-root.js';

/** The bundled example run (the leak mode of examples/operator-sim, collected with heaplens collect). */
export const DEMO_RUN = packageFile('examples/runs/operator-leak');
const DEMO_COMPONENTS = packageFile('examples/operator-sim/components.yaml');

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
    .option('--format <list>', 'report formats: md,json,html', 'md,json,html')
    .option('--json', 'print report.json on stdout (and nothing else)');
  addGithubSummaryFlag(addAnalysisFlags(analyze)).action(async (run: string, flags: AnalysisFlags & { out?: string; format: string; json?: boolean; githubSummary?: string | boolean }) => {
    const formats = parseFormats(flags.format);
    const summaryPath = githubSummaryPath(flags.githubSummary, process.env);
    const { input, source } = await loadRun(run, flags.components, { alertsFile: flags.alerts ?? null, catalogFiles: flags.recommendations });
    const report = analyzeRun({ ...input, ...analysisOptions(flags) });
    const written = await writeReport(report, run, flags.out ?? run, formats, source);
    if (summaryPath !== null) {
      appendGithubSummary(report, summaryPath);
      written.push(summaryPath);
    }
    if (flags.json) io.stdout(JSON.stringify(report) + '\n');
    else io.stdout(`${summary(report)}\n${written.map((p) => `wrote ${p}`).join('\n')}\n`);
  });

  program
    .command('demo')
    .description('analyse the bundled example run (offline; no Go needed)')
    .option('--out <dir>', 'where to write the report', 'heaplens-demo')
    .action(async (flags: { out: string }) => {
      const { input, source } = await loadRun(DEMO_RUN, [DEMO_COMPONENTS]);
      const report = analyzeRun(input);
      const written = await writeReport(report, DEMO_RUN, resolve(flags.out), ['md', 'json', 'html'], source);
      io.stdout(`${summary(report)}\n${written.map((p) => `wrote ${p}`).join('\n')}\n`);
    });
}
