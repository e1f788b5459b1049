import type { Command } from 'commander';
import type { RunInput } from '../analyze/analyze-run.js';
import { DEFAULT_THRESHOLD_OPTIONS, type ThresholdOptions } from '../analyze/thresholds.js';
import { parsePromDuration } from '../analyze/promql/parse.js';
import { UsageError } from './errors.js';
import { byteSize, fractionOrPercent } from './options.js';

/** Flags that shape the analysis, shared by analyze, run and rules. */
export interface AnalysisFlags {
  components: string[];
  alerts?: string;
  recommendations: string[];
  memoryLimit?: number;
  headroom?: number;
  growthWindow?: number;
  minFor?: number;
  targetReduction?: number;
  selector?: string;
}

const repeatable = (v: string, prev: string[]): string[] => [...prev, v];

/** A Prometheus duration (as rules write them): whole numbers with units, e.g. 30s, 5m, 1h30m. */
function promDuration(flag: string) {
  return (value: string): number => {
    const ms = parsePromDuration(value);
    if (ms === null || ms <= 0) throw new UsageError(`${flag}: expected a Prometheus duration such as 30s, 5m or 1h30m, got "${value}"`);
    return ms;
  };
}

export function addAnalysisFlags(cmd: Command, which: { thresholdsOnly?: boolean } = {}): Command {
  cmd.option('--components <file>', 'component rule pack (YAML), tried before the built-in one (repeatable)', repeatable, [] as string[]);
  if (!which.thresholdsOnly) {
    cmd
      .option('--alerts <file>', 'alert rules to evaluate (Prometheus rule file or PrometheusRule; default: the seed\'s growth and peak pair)')
      .option('--recommendations <file>', 'recommendation catalog (YAML), tried before the built-in one (repeatable)', repeatable, [] as string[])
      .option('--memory-limit <size>', 'the memory limit to project a leak against (default: container limit or GOMEMLIMIT from the metrics)', byteSize('--memory-limit'))
      .option('--target-reduction <fraction>', 'success-metric targets: this much less peak heap and RSS (e.g. 0.25 or 25%)', fractionOrPercent('--target-reduction', 0, 0.99));
  }
  return cmd
    .option('--headroom <factor>', `recommended peak threshold = peak × factor (default ${DEFAULT_THRESHOLD_OPTIONS.headroom})`, fractionOrPercent('--headroom', 1, 10))
    .option('--growth-window <duration>', 'range of the recommended growth rule\'s deriv (default 5m)', promDuration('--growth-window'))
    .option('--min-for <duration>', 'shortest `for` to recommend (default 5m)', promDuration('--min-for'));
}

export function thresholdOptions(flags: AnalysisFlags): ThresholdOptions {
  return {
    windowMs: flags.growthWindow ?? DEFAULT_THRESHOLD_OPTIONS.windowMs,
    headroom: flags.headroom ?? DEFAULT_THRESHOLD_OPTIONS.headroom,
    minForMs: flags.minFor ?? DEFAULT_THRESHOLD_OPTIONS.minForMs,
    selector: flags.selector ?? '',
  };
}

/** What analyzeRun takes beyond the run itself. */
export function analysisOptions(flags: AnalysisFlags): Pick<RunInput, 'memoryLimitBytes' | 'thresholdOptions' | 'targetReduction'> {
  return { memoryLimitBytes: flags.memoryLimit ?? null, thresholdOptions: thresholdOptions(flags), targetReduction: flags.targetReduction ?? 0.25 };
}
