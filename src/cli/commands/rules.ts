import type { Command } from 'commander';
import { loadRunInput } from '../../adapters/analyze-dir.js';
import { RunReadError } from '../../adapters/run-reader.js';
import { writeFileAtomic } from '../../adapters/run-dir.js';
import { analyzeRun } from '../../analyze/analyze-run.js';
import { parsePromQL, PromQLError } from '../../analyze/promql/parse.js';
import { renderRuleFile, type RuleFormat } from '../../render/prometheus-rule.js';
import { addAnalysisFlags, analysisOptions, type AnalysisFlags } from '../analysis-flags.js';
import { UsageError } from '../errors.js';
import type { CliIo } from '../io.js';

const FORMATS: readonly RuleFormat[] = ['rules', 'prometheus-rule'];

export function registerRules(program: Command, io: CliIo): void {
  const cmd = program
    .command('rules')
    .description('alert rules with the thresholds the run supports (growth, peak, for), for Prometheus or prometheus-operator')
    .argument('<run>', 'run directory')
    .option('--out <file>', 'write the rules here (default: stdout)')
    .option('--format <format>', 'rules (a Prometheus rule file, as promtool check rules reads) or prometheus-rule (a PrometheusRule object)', 'rules')
    .option('--selector <matchers>', 'label matchers for the rules\' series, e.g. \'job="operator",namespace="olmv1-system"\'')
    .option('--name <name>', 'metadata.name of the PrometheusRule', 'heaplens-memory')
    .option('--namespace <namespace>', 'metadata.namespace of the PrometheusRule');
  addAnalysisFlags(cmd, { thresholdsOnly: true }).action(
    async (run: string, flags: AnalysisFlags & { out?: string; format: string; name: string; namespace?: string }) => {
      if (!FORMATS.includes(flags.format as RuleFormat)) throw new UsageError(`--format: unknown format "${flags.format}" (${FORMATS.join(', ')})`);
      if (flags.selector !== undefined) {
        try {
          parsePromQL(`x{${flags.selector}}`);
        } catch (e) {
          if (e instanceof PromQLError) throw new UsageError(`--selector: not a list of label matchers like job="x" (${e.reason})`);
          throw e;
        }
      }
      const report = analyzeRun({ ...(await loadRunInput(run, flags.components, { alertsFile: null })), ...analysisOptions({ ...flags, recommendations: [] }) });
      if (report.targets.every((t) => t.thresholds === null)) throw new RunReadError(`${run}: no memory series (RSS, working set or heap) to base thresholds on`);
      const text = renderRuleFile(report, { format: flags.format as RuleFormat, name: flags.name, namespace: flags.namespace ?? null });
      if (flags.out) {
        writeFileAtomic(flags.out, text);
        io.stderr(`wrote ${flags.out}\n`);
      } else io.stdout(text);
    },
  );
}
