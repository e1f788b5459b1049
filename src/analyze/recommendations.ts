import type { CatalogEntry } from '../model/alert-rules.js';
import type { ActionPlanPhase, AlertResult, LeakSuspect, Recommendation, RecommendationEvidence, Thresholds, Verdict } from '../model/report.js';
import type { CallPath } from './root-causes.js';
import { formatDecimalBytes, formatMiB, formatRange } from '../model/size.js';

/** What the catalog is matched against: one target's findings. */
export interface Findings {
  readonly peakHeapBytes: number;
  readonly peakRssBytes: number | null;
  readonly components: readonly { readonly name: string; readonly bytes: number; readonly share: number }[];
  /** Heaviest call paths per component at the peak. */
  readonly componentPaths: ReadonlyMap<string, readonly CallPath[]>;
  /** In-use bytes per allocating function (flat) at the peak. */
  readonly functionsAtPeak: ReadonlyMap<string, number>;
  readonly overheadParts: readonly { readonly name: string; readonly bytes: number }[] | null;
  readonly verdict: Pick<Verdict, 'kind' | 'slopeBytesPerHour' | 'reason'>;
  /** Length of the verdict's window, ms. */
  readonly windowMs: number;
  readonly leakSuspects: readonly LeakSuspect[];
  readonly goroutines: { readonly growing: boolean; readonly first: number; readonly last: number; readonly stacks: readonly (readonly string[])[] } | null;
  readonly staleSnapshots: number;
  readonly snapshots: number;
  readonly alerts: readonly AlertResult[];
  readonly thresholds: Thresholds | null;
}

const EFFORT_WEIGHT = { low: 1, medium: 2, high: 4 } as const;
const RISK_WEIGHT = { none: 1, low: 1, medium: 1.5, high: 2 } as const;
/** Actions that save fewer bytes than this (or 2% of the peak heap) are not worth their effort. */
const MIN_SAVING_BYTES = 1 << 20;

const MB = (b: number): string => formatMiB(b);
const pct = (x: number): string => `${Math.round(x * 100)}%`;

interface Candidate {
  readonly entry: CatalogEntry;
  readonly evidence: RecommendationEvidence;
}

/**
 * Matches the catalog against a target's findings. Each entry whose
 * evidence is present becomes a recommendation (viable, with a saving
 * range computed from the evidence's bytes) or a rejected option (with the
 * numbers that rule it out). Viable ones are ordered: urgent first (a
 * leak, alerts to fix, bad data), then by saving per effort and risk.
 */
export function recommend(catalog: readonly CatalogEntry[], f: Findings): { recommendations: Recommendation[]; nonViable: Recommendation[]; actionPlan: ActionPlanPhase[] } {
  const candidates: Candidate[] = [];
  for (const entry of catalog) {
    const evidence = evidenceFor(entry, f);
    if (evidence) candidates.push({ entry, evidence });
  }
  const viable: Recommendation[] = [];
  const rejected: Recommendation[] = [];
  const floor = Math.max(MIN_SAVING_BYTES, 0.02 * f.peakHeapBytes);
  for (const { entry, evidence } of candidates) {
    const savesBytes = entry.saving[1] > 0;
    const low = Math.round(evidence.bytes * entry.saving[0]);
    const high = Math.round(evidence.bytes * entry.saving[1]);
    let reason: string | null = null;
    if (!entry.viable) reason = entry.reason ?? 'not viable';
    else if (savesBytes && evidence.share < entry.minShare) {
      reason = `${evidence.subject} holds ${MB(evidence.bytes)} (${pct(evidence.share)} of ${evidence.kind === 'overhead' ? 'RSS' : 'the heap'}), under the ${pct(entry.minShare)} this action needs to pay off`;
    } else if (savesBytes && high < floor) {
      reason = `at most ${MB(high)} to gain (${pct(entry.saving[1])} of ${MB(evidence.bytes)}), under ${MB(floor)}`;
    }
    const rec: Recommendation = {
      id: entry.id,
      title: fill(entry.title, evidence),
      priority: 0,
      action: fill(entry.action, evidence).trim(),
      effort: entry.effort,
      risk: entry.risk,
      estimatedSavingsBytes: Math.round((low + high) / 2),
      savingsLowBytes: low,
      savingsHighBytes: high,
      savingsBasis: savesBytes ? `${formatRange(entry.saving[0], entry.saving[1], pct)} of ${evidence.subject} (${MB(evidence.bytes)})` : 'no bytes: ' + evidence.detail,
      evidence,
      viable: reason === null,
      reason,
    };
    (reason === null ? viable : rejected).push(rec);
  }
  const urgent = (r: Recommendation): number => (['leak', 'goroutines', 'alerts', 'stale'].indexOf(r.evidence.kind) + 1 || 99);
  const score = (r: Recommendation): number => r.estimatedSavingsBytes / EFFORT_WEIGHT[r.effort] / RISK_WEIGHT[r.risk];
  viable.sort((a, b) => urgent(a) - urgent(b) || score(b) - score(a) || (a.id < b.id ? -1 : 1));
  const recommendations = viable.map((r, i) => ({ ...r, priority: i + 1 }));
  return { recommendations, nonViable: rejected, actionPlan: actionPlan(recommendations) };
}

function actionPlan(recs: readonly Recommendation[]): ActionPlanPhase[] {
  const line = (r: Recommendation): { id: string; text: string } => ({
    id: r.id,
    text: `${r.title}${r.estimatedSavingsBytes > 0 ? ` (saves ${formatRange(r.savingsLowBytes, r.savingsHighBytes, MB)})` : ''}; effort ${r.effort}, risk ${r.risk}`,
  });
  const immediate = recs.filter((r) => ['leak', 'goroutines', 'alerts', 'stale'].includes(r.evidence.kind));
  const rest = recs.filter((r) => !immediate.includes(r));
  const phases: ActionPlanPhase[] = [
    { phase: 'Immediate', items: immediate.map(line) },
    { phase: 'Next: low effort', items: rest.filter((r) => r.effort === 'low').map(line) },
    { phase: 'Evaluate: medium or high effort, measure before and after (heaplens compare)', items: rest.filter((r) => r.effort !== 'low').map(line) },
  ];
  return phases.filter((p) => p.items.length > 0);
}

function fill(text: string, e: RecommendationEvidence): string {
  return text.replaceAll('{subject}', e.subject).replaceAll('{function}', e.frames[0] ?? e.subject);
}

function evidenceFor(entry: CatalogEntry, f: Findings): RecommendationEvidence | null {
  const when = entry.when;
  const heap = f.peakHeapBytes;
  switch (when.kind) {
    case 'component': {
      const matched = f.components.filter((c) => when.pattern.test(c.name) && c.bytes > 0);
      if (matched.length === 0) return null;
      const bytes = matched.reduce((s, c) => s + c.bytes, 0);
      const paths = matched.flatMap((c) => f.componentPaths.get(c.name) ?? []).sort((a, b) => b.bytes - a.bytes);
      return {
        kind: 'component',
        subject: matched.map((c) => c.name).join(' + '),
        bytes,
        share: heap > 0 ? bytes / heap : 0,
        frames: paths[0]?.stack.filter((s) => s !== '…').slice(0, 6) ?? [],
        detail: `${matched.map((c) => `${c.name} ${MB(c.bytes)}`).join(', ')} at the peak`,
      };
    }
    case 'functions': {
      const matched = [...f.functionsAtPeak].filter(([name, b]) => b > 0 && when.pattern.test(name)).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
      if (matched.length === 0) return null;
      const bytes = matched.reduce((s, [, b]) => s + b, 0);
      return {
        kind: 'functions',
        subject: `${entry.subject ?? 'memory allocated'} in ${matched.length} function${matched.length > 1 ? 's' : ''}`,
        bytes,
        share: heap > 0 ? bytes / heap : 0,
        frames: matched.slice(0, 5).map(([n]) => n),
        detail: matched.slice(0, 3).map(([n, b]) => `${n} ${MB(b)}`).join(', '),
      };
    }
    case 'overhead': {
      const parts = (f.overheadParts ?? []).filter((p) => when.pattern.test(p.name) && p.bytes > 0);
      if (parts.length === 0 || f.peakRssBytes === null) return null;
      const bytes = parts.reduce((s, p) => s + p.bytes, 0);
      return {
        kind: 'overhead',
        subject: parts.map((p) => p.name.replace(/ \(.*\)$/, '')).join(' + '),
        bytes,
        share: bytes / f.peakRssBytes,
        frames: [],
        detail: `${parts.map((p) => `${p.name} ${MB(p.bytes)}`).join(', ')} of ${MB(f.peakRssBytes)} RSS`,
      };
    }
    case 'leak': {
      if (f.verdict.kind !== 'leak') return null;
      const top = f.leakSuspects[0];
      const growth = (f.verdict.slopeBytesPerHour * f.windowMs) / 3_600_000;
      return {
        kind: 'leak',
        subject: top ? top.function : 'the heap',
        bytes: Math.max(0, Math.round(growth)),
        share: heap > 0 ? Math.max(0, growth) / heap : 0,
        frames: top ? [...top.stack] : [],
        detail: `${f.verdict.reason}${top ? `; ${top.function} gained ${MB(top.growthBytes)}` : ''}; unbounded: ${MB(f.verdict.slopeBytesPerHour)} per hour`,
      };
    }
    case 'goroutines': {
      if (!f.goroutines?.growing) return null;
      return {
        kind: 'goroutines',
        subject: f.goroutines.stacks[0]?.[0] ?? 'goroutines',
        bytes: 0,
        share: 0,
        frames: [...(f.goroutines.stacks[0] ?? [])],
        detail: `goroutines rose from ${f.goroutines.first} to ${f.goroutines.last}`,
      };
    }
    case 'stale': {
      if (f.snapshots === 0 || f.staleSnapshots / f.snapshots < when.minShare) return null;
      return { kind: 'stale', subject: 'stale snapshots', bytes: 0, share: 0, frames: [], detail: `${f.staleSnapshots} of ${f.snapshots} heap snapshots repeat the previous one (no GC in between)` };
    }
    case 'alerts': {
      const fired = f.alerts.filter((a) => a.fired);
      if (fired.length === 0 || f.verdict.kind === 'leak' || !f.thresholds) return null;
      const quiet = f.thresholds.onThisRun.every((a) => !a.fired);
      return {
        kind: 'alerts',
        subject: fired.map((a) => a.name).join(', '),
        bytes: 0,
        share: 0,
        frames: [],
        detail: `${fired.map((a) => a.name).join(', ')} fired although the verdict is ${f.verdict.kind}; the recommended thresholds (growth ${formatDecimalBytes(f.thresholds.growth.bytesPerSec, '/s')}, peak ${formatDecimalBytes(f.thresholds.peak.bytes)}, for ${f.thresholds.forSeconds} s) ${quiet ? 'stay quiet on this run' : 'still fire on this run'}`,
      };
    }
  }
}
