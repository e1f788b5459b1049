import type { Profile, ValueType } from '../model/profile.js';
import { aggregateNodes, inlineLabels, prepareInputs, type AggregateInput, type InlineLabel, type NodeTotals, type PreparedInputs } from './aggregate.js';
import { QueryError } from './errors.js';
import type { FrameFilter } from './filter.js';
import type { Granularity } from './frames.js';
import { resolveSampleType } from './sample-type.js';

export interface TopOptions {
  /** Sample type name or index; see resolveSampleType. */
  readonly sampleType?: string;
  /** Rows to keep after the cutoff (pprof -nodecount); unlimited when absent or 0. */
  readonly nodeCount?: number;
  /** Drop nodes whose |cum| is below this fraction of the total (pprof -nodefraction, default 0.005). */
  readonly nodeFraction?: number;
  /** Call edges lighter than this fraction are ignored for inline labels (pprof -edgefraction, default 0.001). */
  readonly edgeFraction?: number;
  readonly granularity?: Granularity;
  readonly filter?: FrameFilter;
}

export interface TopRow {
  readonly name: string;
  readonly flat: number;
  readonly cum: number;
  readonly inline: InlineLabel;
}

export interface TopResult {
  readonly sampleType: ValueType;
  /** pprof's report total: what flat% and cum% are relative to. */
  readonly total: number;
  readonly rows: readonly TopRow[];
  /** Nodes above the cutoff, before nodeCount applied. */
  readonly nodesAboveCutoff: number;
  /** Nodes dropped by the cutoff, and the cutoff as pprof prints it. */
  readonly droppedNodes: number;
  readonly droppedCutoff: number;
}

/** `go tool pprof -top` over one profile. */
export function topOf(profile: Profile, options: TopOptions = {}): TopResult {
  const valueIndex = resolveSampleType(profile, options.sampleType);
  return topOfInputs([{ profile, valueIndex, sign: 1 }], profile.sampleTypes[valueIndex]!, options);
}

/** `go tool pprof -top -diff_base BASE PROFILE`: PROFILE minus BASE, percentages of BASE's total. */
export function diffTop(base: Profile, profile: Profile, options: TopOptions = {}): TopResult {
  const valueIndex = resolveSampleType(profile, options.sampleType ?? defaultTypeName(profile));
  const type = profile.sampleTypes[valueIndex]!;
  const baseIndex = base.sampleTypes.findIndex((t) => t.type === type.type);
  if (baseIndex < 0) {
    throw new QueryError(`base profile has no sample type "${type.type}"; it has: ${base.sampleTypes.map((t) => t.type).join(', ')}`);
  }
  const baseUnit = base.sampleTypes[baseIndex]!.unit;
  if (baseUnit !== type.unit) {
    throw new QueryError(`sample type "${type.type}" is in ${baseUnit} in the base but ${type.unit} in the profile`);
  }
  return topOfInputs(
    [
      { profile, valueIndex, sign: 1 },
      { profile: base, valueIndex: baseIndex, sign: -1 },
    ],
    type,
    options,
  );
}

function defaultTypeName(profile: Profile): string {
  return profile.sampleTypes[resolveSampleType(profile)]!.type;
}

/**
 * The two passes over samples that `top` makes, injectable so that an
 * adapter can run them on worker threads; the default runs them here.
 */
export interface TopPasses {
  nodeTotals(prepared: PreparedInputs): NodeTotals | Promise<NodeTotals>;
  inlineLabels(prepared: PreparedInputs, kept: readonly number[], edgeCutoff: number): InlineLabel[] | Promise<InlineLabel[]>;
}

export const LOCAL_PASSES: TopPasses = { nodeTotals: aggregateNodes, inlineLabels };

/** `topOf` with the sample passes run by `passes` (e.g. on worker threads). */
export async function topOfWith(profile: Profile, options: TopOptions, passes: TopPasses): Promise<TopResult> {
  const valueIndex = resolveSampleType(profile, options.sampleType);
  const prepared = prepareInputs([{ profile, valueIndex, sign: 1 }], options.granularity ?? 'functions', options.filter);
  const totals = await passes.nodeTotals(prepared);
  const selection = selectRows(totals, options);
  const labels = await passes.inlineLabels(prepared, selection.kept, selection.edgeCutoff);
  return buildResult(profile.sampleTypes[valueIndex]!, totals, selection, labels);
}

function topOfInputs(inputs: readonly AggregateInput[], sampleType: ValueType, options: TopOptions): TopResult {
  const prepared = prepareInputs(inputs, options.granularity ?? 'functions', options.filter);
  const totals = aggregateNodes(prepared);
  const selection = selectRows(totals, options);
  return buildResult(sampleType, totals, selection, inlineLabels(prepared, selection.kept, selection.edgeCutoff));
}

interface RowSelection {
  readonly kept: readonly number[];
  readonly aboveCutoff: number;
  readonly dropped: number;
  readonly edgeCutoff: number;
  readonly nodeFraction: number;
}

/** Which nodes become rows, by pprof's rules (report.newTrimmedGraph, FlatNameOrder). */
function selectRows(totals: NodeTotals, options: TopOptions): RowSelection {
  const { flat, cum, names } = totals;
  const nodeFraction = options.nodeFraction ?? 0.005;
  // Cutoffs are fractions of the signed flat sum, truncated toward zero like Go's int64(float64(x) * f).
  const nodeCutoff = Math.abs(Math.trunc(totals.flatSum * nodeFraction));
  const edgeCutoff = Math.abs(Math.trunc(totals.flatSum * (options.edgeFraction ?? 0.001)));

  const present: number[] = [];
  for (let i = 0; i < names.length; i++) if (flat[i] !== 0 || cum[i] !== 0) present.push(i);
  const aboveCutoff = nodeCutoff > 0 ? present.filter((i) => Math.abs(cum[i]!) >= nodeCutoff) : present;

  aboveCutoff.sort((a, b) => {
    const fa = Math.abs(flat[a]!);
    const fb = Math.abs(flat[b]!);
    if (fa !== fb) return fb - fa;
    const byName = compareBytewise(names[a]!, names[b]!);
    if (byName !== 0) return byName;
    return Math.abs(cum[b]!) - Math.abs(cum[a]!);
  });
  const limit = options.nodeCount && options.nodeCount > 0 ? options.nodeCount : aboveCutoff.length;
  return {
    kept: aboveCutoff.slice(0, limit),
    aboveCutoff: aboveCutoff.length,
    dropped: present.length - aboveCutoff.length,
    edgeCutoff,
    nodeFraction,
  };
}

function buildResult(sampleType: ValueType, totals: NodeTotals, selection: RowSelection, labels: readonly InlineLabel[]): TopResult {
  const { flat, cum, names } = totals;
  return {
    sampleType,
    total: totals.total,
    rows: selection.kept.map((node, i) => ({ name: names[node]!, flat: flat[node]!, cum: cum[node]!, inline: labels[i]! })),
    nodesAboveCutoff: selection.aboveCutoff,
    droppedNodes: selection.dropped,
    droppedCutoff: Math.abs(Math.trunc(totals.total * selection.nodeFraction)),
  };
}

/**
 * Orders strings by their UTF-8 bytes, as Go compares strings. JS `<`
 * compares UTF-16 code units, which disagrees for characters above U+FFFF
 * against U+E000–U+FFFF; comparing code points agrees with UTF-8 order.
 */
export function compareBytewise(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca === cb) continue;
    const pa = a.codePointAt(i)!;
    const pb = b.codePointAt(i)!;
    return pa < pb ? -1 : pa > pb ? 1 : 0;
  }
  return a.length - b.length;
}
