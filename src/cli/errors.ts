import { RunDirError } from '../adapters/run-dir.js';
import { RunReadError } from '../adapters/run-reader.js';
import { RuleFileError } from '../adapters/rule-packs.js';
import { AlertRulesError } from '../adapters/alert-rules-file.js';
import { CatalogError } from '../adapters/recommendation-catalog.js';
import { YamlFileError } from '../adapters/yaml-file.js';
import { EvaluationError } from '../analyze/promql/evaluate.js';
import { BudgetFileError } from '../adapters/budget-file.js';
import { CompareInputError } from '../adapters/compare-input.js';
import { K8sError } from '../adapters/k8s/k8s-error.js';

import { EXIT_INPUT, EXIT_USAGE } from './exit-codes.js';
import { describeProfileError } from './profile-errors.js';

export { EXIT_GATE, EXIT_INPUT, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, UsageError } from './exit-codes.js';

/** The one place typed errors become exit codes and one-line messages (profile and usage errors: profile-errors.ts). */
export function describeError(err: unknown): { code: number; message: string } {
  if (err instanceof BudgetFileError) return { code: EXIT_USAGE, message: err.message };
  if (err instanceof CompareInputError) return { code: EXIT_INPUT, message: err.message };
  // By name: the Kubernetes modules are loaded on demand, apart from the bundled CLI, with their own copy of the class.
  if (err instanceof K8sError || (err as Error | null)?.name === 'K8sError') return { code: EXIT_INPUT, message: (err as Error).message };
  if (err instanceof RunDirError) return { code: EXIT_INPUT, message: err.message };
  if (err instanceof RunReadError) return { code: EXIT_INPUT, message: err.message };
  if (err instanceof RuleFileError) return { code: EXIT_INPUT, message: err.message };
  if (err instanceof AlertRulesError || err instanceof CatalogError || err instanceof YamlFileError || err instanceof EvaluationError) return { code: EXIT_INPUT, message: err.message };
  return describeProfileError(err);
}
