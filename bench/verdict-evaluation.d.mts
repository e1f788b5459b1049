import type { LeakSuspect, VerdictKind, VerdictRule } from '../src/model/report.js';
export const WINDOW: number;
export const STRIDE: number;
export interface CaseResult {
  readonly case: string;
  readonly expect: readonly VerdictKind[];
  readonly clear: boolean;
  readonly leakCase: boolean;
  readonly verdict: VerdictKind;
  readonly rule: VerdictRule;
  readonly right: boolean;
  readonly reason: string;
  readonly slopeMiBPerHour: readonly number[];
  readonly pValue: number;
  readonly snapshots: number;
  readonly stale: number;
  readonly trueFunction: string | null;
  readonly rank: number | null;
  readonly trueSuspect: LeakSuspect | null;
  readonly boundedSuspect: { readonly function: string; readonly suspect: LeakSuspect | null; readonly rank: number | null } | null;
  readonly topSuspects: readonly string[];
  readonly detectionDelay: number | null;
  readonly prefixes: readonly { readonly k: number; readonly kind: VerdictKind }[];
  readonly boundedFrom: number | null;
}
export interface Evaluation {
  readonly results: readonly CaseResult[];
  readonly windows: readonly { readonly case: string; readonly from: number; readonly to: number; readonly kind: VerdictKind }[];
  readonly confusion: Record<'leak' | 'no-leak', Record<VerdictKind, number>>;
  readonly targets: readonly { readonly target: string; readonly value: string; readonly met: boolean }[];
}
export function evaluateVerdicts(dir: string, runs: string, api: { loadRunInput: unknown; analyzeRun: unknown; judgeLifetime: unknown }): Promise<Evaluation>;
