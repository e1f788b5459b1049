import type { Command } from 'commander';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadBudget } from '../../adapters/budget-file.js';
import { loadReport, loadSide } from '../../adapters/compare-input.js';
import { writeFileAtomic } from '../../adapters/run-dir.js';
import { checkBudget } from '../../compare/budget.js';
import { compareSides, DEFAULT_COMPARE_OPTIONS } from '../../compare/compare.js';
import type { Budget, BudgetViolation } from '../../model/budget.js';
import type { Report } from '../../model/report.js';
import { renderComparisonMarkdown } from '../../render/compare-md.js';
import { renderComparisonHtml } from '../../render/compare-html.js';
import { loadPageAssets } from '../../adapters/page-assets.js';
import { escapeTerminal } from '../../render/escape.js';
import { VERSION } from '../../version.js';
import { UsageError, EXIT_GATE } from '../errors.js';
import type { CliIo } from '../io.js';
import { fractionOrPercent } from '../options.js';

const repeatable = (v: string, prev: string[]): string[] => [...prev, v];

interface CompareFlags {
  base: string[];
  new: string[];
  out?: string;
  gate?: boolean;
  json?: boolean;
  normalize?: boolean;
  maxRegression?: number;
  components: string[];
}

export function registerCompare(program: Command, io: CliIo, exit: (code: number) => void): void {
  program
    .command('compare')
    .description('compare runs (run directories or report.json): peaks, overhead, slope, verdict, components, functions, alerts, success metrics')
    .argument('[base]', 'base run directory or report.json')
    .argument('[new]', 'new run directory or report.json')
    .option('--base <path>', 'a base run (repeatable: repeated runs give the base its noise)', repeatable, [] as string[])
    .option('--new <path>', 'a new run (repeatable)', repeatable, [] as string[])
    .option('--out <dir>', 'write compare.md, compare.json and compare.html here (default: print compare.md)')
    .option('--gate', 'exit 1 on a significant peak-heap regression beyond --max-regression, or a new leak')
    .option('--max-regression <fraction>', 'peak-heap growth the gate tolerates (default 10%)', fractionOrPercent('--max-regression', 0))
    .option('--normalize', "scale the base's function bytes to the new total before subtracting (pprof -normalize)")
    .option('--components <file>', 'component rule pack for run directories (repeatable)', repeatable, [] as string[])
    .option('--json', 'print compare.json on stdout (and nothing else)')
    .action(async (basePos: string | undefined, newPos: string | undefined, flags: CompareFlags) => {
      const basePaths = [...(basePos !== undefined ? [basePos] : []), ...flags.base];
      const newPaths = [...(newPos !== undefined ? [newPos] : []), ...flags.new];
      if (basePaths.length === 0 || newPaths.length === 0) throw new UsageError('compare needs a base and a new side: heaplens compare BASE NEW, or --base A [--base B ...] --new X [--new Y ...]');
      const options = { ...DEFAULT_COMPARE_OPTIONS, maxRegression: flags.maxRegression ?? DEFAULT_COMPARE_OPTIONS.maxRegression, normalize: flags.normalize === true, toolVersion: VERSION };
      const base = await loadSide(basePaths, flags.components);
      const next = await loadSide(newPaths, flags.components);
      const comparison = compareSides(base, next, options);
      if (comparison.targets.length === 0) throw new UsageError('the two sides share no target name, and do not have one target each to pair');
      const md = renderComparisonMarkdown(comparison);
      if (flags.out) {
        mkdirSync(flags.out, { recursive: true });
        writeFileAtomic(join(flags.out, 'compare.json'), JSON.stringify(comparison, null, 1) + '\n');
        writeFileAtomic(join(flags.out, 'compare.md'), md);
        writeFileAtomic(join(flags.out, 'compare.html'), renderComparisonHtml(comparison, loadPageAssets().style));
      }
      if (flags.json) io.stdout(JSON.stringify(comparison) + '\n');
      else if (flags.out) {
        io.stdout(`${comparison.regressions.length === 0 ? 'no significant regression' : comparison.regressions.map((r) => escapeTerminal(`regression: ${r.target}: ${r.what}: ${r.detail}`)).join('\n')}\n${['compare.md', 'compare.json', 'compare.html'].map((f) => `wrote ${join(flags.out!, f)}`).join('\n')}\n`);
      } else io.stdout(md.split('\n').map(escapeTerminal).join('\n'));
      if (flags.gate && comparison.regressions.length > 0) exit(EXIT_GATE);
    });
}

/** One line per violation: target, rule, limit, actual. */
export function violationLine(v: BudgetViolation): string {
  return escapeTerminal(`${v.target}: ${v.rule}: limit ${v.limit}, actual ${v.actual}`);
}

/** GitHub workflow commands: data escapes %, CR and LF; property values also ':' and ','. */
const workflowData = (text: string): string => text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const workflowProperty = (text: string): string => workflowData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');

/** Prints violations (and GitHub Actions annotations when running there); returns the exit code. */
export function reportBudget(budget: Budget, report: Report, io: CliIo, env: NodeJS.ProcessEnv = process.env): number {
  const violations = checkBudget(report, budget);
  for (const v of violations) {
    io.stderr(`${violationLine(v)}\n`);
    if (env.GITHUB_ACTIONS === 'true') io.stdout(`::error title=${workflowProperty(`heaplens budget (${budget.source})`)}::${workflowData(violationLine(v))}\n`);
  }
  return violations.length > 0 ? EXIT_GATE : 0;
}

export function registerCheck(program: Command, io: CliIo, exit: (code: number) => void): void {
  program
    .command('check')
    .description('check a run (directory or report.json) against a memory budget: exit 1 on any violation')
    .argument('<run>', 'run directory or report.json')
    .requiredOption('--budget <file>', 'budget (YAML): maxPeakHeap, maxPeakRss, maxSteadyGrowthPerHour, leak, forbiddenAlerts, targets')
    .option('--components <file>', 'component rule pack for a run directory (repeatable)', repeatable, [] as string[])
    .option('--alerts <file>', 'alert rules for a run directory (default: the built-in pair)')
    .action(async (run: string, flags: { budget: string; components: string[]; alerts?: string }) => {
      const budget = loadBudget(flags.budget);
      const { report } = await loadReport(run, flags.components, { alertsFile: flags.alerts ?? null });
      const code = reportBudget(budget, report, io);
      if (code === 0) io.stdout(`budget met: ${report.targets.length} target(s) within ${flags.budget}\n`);
      exit(code);
    });
}
