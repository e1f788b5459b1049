import { stringify } from 'yaml';
import type { Report } from '../model/report.js';

export type RuleFormat = 'rules' | 'prometheus-rule';

export interface RuleFileOptions {
  readonly format: RuleFormat;
  /** metadata.name / namespace of a PrometheusRule. */
  readonly name: string;
  readonly namespace: string | null;
}

/**
 * The recommended alert thresholds of each target as alerting rules: a
 * Prometheus rule file (`groups:`, what `promtool check rules` and
 * Prometheus' `rule_files` read) or the same groups as a prometheus-operator
 * PrometheusRule object's spec.
 */
export function renderRuleFile(report: Report, options: RuleFileOptions): string {
  const groups = report.targets
    .filter((t) => t.thresholds !== null)
    .map((t) => {
      const th = t.thresholds!;
      return {
        name: `heaplens-${t.name}`,
        rules: th.rules.map((r) => ({
          alert: r.alert,
          expr: r.expr,
          for: r.for,
          labels: { severity: 'warning' },
          annotations: {
            summary: r.summary,
            description: `Recommended by heaplens from run "${report.run.name}" (target ${t.name}): ${r.alert === 'MemoryPeak' ? th.peak.basis : th.growth.basis}; for: ${th.forBasis}.`,
          },
        })),
      };
    });
  const header = `# Alert thresholds recommended by heaplens ${report.tool.version} from run "${report.run.name}".\n`;
  if (options.format === 'rules') return header + stringify({ groups }, { lineWidth: 0 });
  const object = {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: options.name, ...(options.namespace ? { namespace: options.namespace } : {}), labels: { 'app.kubernetes.io/managed-by': 'heaplens' } },
    spec: { groups },
  };
  return header + stringify(object, { lineWidth: 0 });
}
