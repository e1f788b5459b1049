import type { LocationIds, Profile } from '../model/profile.js';
import { selectSamples, type FrameFilter } from './filter.js';
import { buildFrameTable, newNodeKeys, type Granularity } from './frames.js';

/** One profile's contribution to an aggregation; a diff adds the base with sign -1 (pprof's -diff_base). */
export interface AggregateInput {
  readonly profile: Profile;
  readonly valueIndex: number;
  readonly sign: 1 | -1;
}

/**
 * Everything a pass over one profile's samples needs, as plain typed arrays
 * and numbers, so the pass can run on a worker thread over part of the samples.
 */
export interface SampleScan {
  readonly count: number;
  readonly stackOffsets: Uint32Array;
  readonly stackLocations: LocationIds;
  readonly values: Float64Array;
  readonly nTypes: number;
  readonly valueIndex: number;
  readonly sign: 1 | -1;
  /** Samples passing --focus/--ignore, or null when nothing is filtered. */
  readonly keep: Uint8Array | null;
  /** Location i's frames are frameNodes[frameOffsets[i] .. frameOffsets[i+1]), innermost first (see FrameTable). */
  readonly frameOffsets: Uint32Array;
  readonly frameNodes: Int32Array;
  readonly inlined: Uint8Array;
}

/** Inputs resolved against one node key space, ready for passes over their samples. */
export interface PreparedInputs {
  readonly names: readonly string[];
  readonly scans: readonly SampleScan[];
}

export function prepareInputs(inputs: readonly AggregateInput[], granularity: Granularity, filter: FrameFilter = {}): PreparedInputs {
  const keys = newNodeKeys(granularity);
  const scans = inputs.map((input): SampleScan => {
    const frames = buildFrameTable(input.profile, keys);
    const { samples } = input.profile;
    return {
      count: samples.count,
      stackOffsets: samples.stackOffsets,
      stackLocations: samples.stackLocations,
      values: samples.values,
      nTypes: input.profile.sampleTypes.length,
      valueIndex: input.valueIndex,
      sign: input.sign,
      keep: selectSamples(input.profile, filter),
      frameOffsets: frames.offsets,
      frameNodes: frames.nodes,
      inlined: frames.inlined,
    };
  });
  return { names: keys.names, scans };
}

/** Flat and cum per node over some samples, and the totals pprof computes alongside. */
export interface NodeSums {
  readonly flat: Float64Array;
  readonly cum: Float64Array;
  /** Sum of |value| over all samples (filters do not change it). */
  readonly total: number;
  /** The same over the samples of diff bases (sign -1). */
  readonly baseTotal: number;
}

/**
 * Sums samples [from, to) of one scan: each node's flat (value of samples
 * whose innermost frame it is) and cum (value of samples with the node
 * anywhere in the stack, once per sample even under recursion, as pprof
 * counts it). Pure and self-contained, so a worker thread can run it.
 */
export function sumNodes(scan: SampleScan, nNodes: number, from: number, to: number): NodeSums {
  // One spare slot (index nNodes) absorbs the padding frames. A node's stamp
  // (last sample counted) and cum sit side by side, at 2n and 2n + 1: one
  // cache line per frame instead of two.
  const stampAndCum = new Float64Array(2 * (nNodes + 1));
  for (let i = 0; i < stampAndCum.length; i += 2) stampAndCum[i] = -1;
  const flat = new Float64Array(nNodes + 1);
  const cum = new Float64Array(nNodes); // made here: after the loop, V8's code optimized mid-loop had no feedback for it
  const frames = locationFrames(scan, nNodes);
  const { stackOffsets, stackLocations, values, keep, frameOffsets, frameNodes, nTypes, valueIndex, sign } = scan;
  let total = 0;
  for (let s = from; s < to; s++) {
    const v = values[s * nTypes + valueIndex]! * sign;
    if (v === 0) continue;
    // The report total ignores --focus/--ignore, as pprof's does: shares stay shares of the whole profile.
    total += v < 0 ? -v : v;
    if (keep !== null && keep[s] === 0) continue;
    const first = stackOffsets[s]!;
    const last = stackOffsets[s + 1]!;
    if (first === last) continue;
    for (let k = first; k < last; k++) {
      const b = stackLocations[k]! << 2;
      const n0 = frames[b]! << 1;
      if (stampAndCum[n0] !== s) {
        stampAndCum[n0] = s;
        stampAndCum[n0 + 1]! += v;
      }
      const n1 = frames[b + 1]!;
      if (n1 === nNodes) continue;
      if (stampAndCum[n1 << 1] !== s) {
        stampAndCum[n1 << 1] = s;
        stampAndCum[(n1 << 1) + 1]! += v;
      }
      const n2 = frames[b + 2]!;
      if (n2 === nNodes) continue;
      if (stampAndCum[n2 << 1] !== s) {
        stampAndCum[n2 << 1] = s;
        stampAndCum[(n2 << 1) + 1]! += v;
      }
      if (frames[b + 3] === 0) continue;
      // Rare: more than three frames in one location (deep inlining).
      const loc = b >> 2;
      for (let f = frameOffsets[loc]! + 3; f < frameOffsets[loc + 1]!; f++) {
        const node = frameNodes[f]! << 1;
        if (stampAndCum[node] !== s) {
          stampAndCum[node] = s;
          stampAndCum[node + 1]! += v;
        }
      }
    }
    flat[frames[stackLocations[first]! << 2]!]! += v;
  }
  for (let i = 0; i < nNodes; i++) cum[i] = stampAndCum[2 * i + 1]!;
  return { flat: flat.subarray(0, nNodes), cum, total, baseTotal: sign < 0 ? total : 0 };
}

/**
 * Each location's first three frames at a fixed stride of four, the spare
 * node nNodes where it has fewer, and slot four saying whether it has more
 * than three: the aggregation loop then reads frames without a per-location
 * offset lookup or inner loop. 16-bit when node ids fit: the table is read
 * at random for every stack entry, and at half the size it stays in the L2
 * cache (sumNodes on the bench profile: 92–121 ms against 126–138 ms cold).
 * Built per pass, as nNodes is known only once every scan is prepared.
 */
function locationFrames(scan: SampleScan, nNodes: number): Uint16Array | Int32Array {
  const { frameOffsets, frameNodes } = scan;
  const nLocations = frameOffsets.length - 1;
  const frames = nNodes < 0xffff ? new Uint16Array(nLocations * 4) : new Int32Array(nLocations * 4);
  for (let loc = 0; loc < nLocations; loc++) {
    const start = frameOffsets[loc]!;
    const n = frameOffsets[loc + 1]! - start;
    for (let j = 0; j < 3; j++) frames[loc * 4 + j] = j < n ? frameNodes[start + j]! : nNodes;
    frames[loc * 4 + 3] = n > 3 ? 1 : 0;
  }
  return frames;
}

/** Flat and cum per node, the basis of `top`. */
export interface NodeTotals {
  readonly names: readonly string[];
  readonly flat: Float64Array;
  readonly cum: Float64Array;
  /**
   * What percentages are relative to: the sum of |value| over all samples
   * (filters do not change it), or over the base's samples only in a diff
   * (pprof's computeTotal).
   */
  readonly total: number;
  /** Signed sum of flat over all nodes; pprof's node and edge cutoffs are fractions of it. */
  readonly flatSum: number;
}

/** Adds up partial sums (of several scans, or of ranges of one) into the totals. */
export function combineNodeSums(names: readonly string[], parts: readonly NodeSums[]): NodeTotals {
  const n = names.length;
  const flat = new Float64Array(n);
  const cum = new Float64Array(n);
  let total = 0;
  let baseTotal = 0;
  for (let j = 0; j < parts.length; j++) {
    total += parts[j]!.total;
    baseTotal += parts[j]!.baseTotal;
  }
  // One loop, nothing after it: code V8 optimizes in the middle of a loop deoptimizes on reaching
  // code it has not run yet (a second loop did, and cost a recompile).
  let flatSum = 0;
  for (let i = 0; i < n; i++) {
    let f = 0;
    let c = 0;
    for (let j = 0; j < parts.length; j++) {
      f += parts[j]!.flat[i]!;
      c += parts[j]!.cum[i]!;
    }
    flat[i] = f;
    cum[i] = c;
    flatSum += f;
  }
  return { names, flat, cum, total: baseTotal > 0 ? baseTotal : total, flatSum };
}

/** Flat and cum of every node over all samples, on this thread. */
export function aggregateNodes(prepared: PreparedInputs): NodeTotals {
  const n = prepared.names.length;
  return combineNodeSums(
    prepared.names,
    prepared.scans.map((scan) => sumNodes(scan, n, 0, scan.count)),
  );
}

/** pprof's marker for a node reached by inlining: all incoming calls inlined, or some. */
export type InlineLabel = '' | 'inline' | 'partial-inline';

/**
 * Which call edges a pass sums. Only an edge into a kept node that is
 * somewhere an inlined frame can make a label (a node never inlined gets
 * none, whatever its edges weigh), so only those are summed: callees
 * ("children") are the kept nodes ever inlined, callers any kept node.
 * Plain typed arrays and numbers, so a worker thread can take it.
 */
export interface EdgePlan {
  /** Kept nodes. */
  readonly K: number;
  /** Node → kept slot, -1 when not kept. */
  readonly slot: Int32Array;
  /** Kept nodes that are somewhere inlined. */
  readonly children: number;
  /** Node → child column, -1 when it is not one. */
  readonly childColumn: Int32Array;
  /** Child column → kept slot. */
  readonly childSlot: Int32Array;
}

/**
 * Call edges (caller slot × child column): summed weight, and whether every
 * occurrence was inlined. Dense arrays while they are small, which is also
 * the form that crosses to a worker thread and merges by addition; a Map beyond.
 */
export interface EdgeSums {
  /** Dense form: weights, and state 0 absent, 1 only ever inlined, 2 seen as a real call; key caller * children + column. */
  readonly weight: Float64Array | null;
  readonly state: Uint8Array | null;
  readonly sparse: Map<number, { weight: number; state: number }> | null;
}

/** Edge count up to which edges are kept in dense arrays (8 MiB of weights). */
const DENSE_EDGE_LIMIT = 1 << 20;

/** Which kept slot each node has (-1: not kept). */
function keptSlots(nNodes: number, kept: readonly number[]): Int32Array {
  const slot = new Int32Array(nNodes).fill(-1);
  kept.forEach((node, i) => (slot[node] = i));
  return slot;
}

/** The edges worth summing for the kept nodes' labels (see EdgePlan), over every scan. */
export function planEdges(prepared: PreparedInputs, kept: readonly number[]): EdgePlan {
  const slot = keptSlots(prepared.names.length, kept);
  const childColumn = new Int32Array(prepared.names.length).fill(-1);
  const childSlot: number[] = [];
  for (const scan of prepared.scans) {
    const { frameNodes, inlined } = scan;
    for (let f = 0; f < frameNodes.length; f++) {
      const node = frameNodes[f]!;
      if (inlined[f] === 1 && slot[node]! >= 0 && childColumn[node] === -1) {
        childColumn[node] = childSlot.length;
        childSlot.push(slot[node]!);
      }
    }
  }
  return { K: kept.length, slot, children: childSlot.length, childColumn, childSlot: Int32Array.from(childSlot) };
}

/**
 * Call edges among kept nodes in samples [from, to), as pprof's graph
 * builds them: walking each stack root to leaf, each kept frame's caller is
 * the nearest kept frame above it (dropped frames are skipped), recursion
 * adds no edge, an edge counts once per sample, and it is inlined only if
 * every occurrence was. Only edges into the plan's children are summed.
 * Pure and self-contained, so a worker thread can run it.
 */
export function sumEdges(scan: SampleScan, plan: EdgePlan, from: number, to: number): EdgeSums {
  // Locations holding no kept frame are stepped over with one byte read.
  const hasKept = keptLocations(scan, plan);
  if (plan.K * plan.children <= DENSE_EDGE_LIMIT) return sumEdgesDense(scan, plan, hasKept, from, to);
  return { weight: null, state: null, sparse: sumEdgesSparse(scan, plan, hasKept, from, to) };
}

/**
 * 1 for each location with a frame the plan keeps. (A function of its own, with nothing after its
 * loop: code V8 optimizes in the middle of a loop deoptimizes on reaching code it has not run yet.)
 */
function keptLocations(scan: SampleScan, plan: EdgePlan): Uint8Array {
  const { frameOffsets, frameNodes } = scan;
  const hasKept = new Uint8Array(frameOffsets.length - 1);
  for (let loc = 0; loc < hasKept.length; loc++) {
    for (let f = frameOffsets[loc]!; f < frameOffsets[loc + 1]!; f++) if (plan.slot[frameNodes[f]!]! >= 0) hasKept[loc] = 1;
  }
  return hasKept;
}

/**
 * sumEdges into dense arrays. No call in its loops: V8 then keeps the
 * arrays in registers, where a call (a Map's) made it reload them at every
 * step over millions of stack entries (3× slower).
 */
function sumEdgesDense(scan: SampleScan, plan: EdgePlan, hasKept: Uint8Array, from: number, to: number): EdgeSums {
  const { slot, childColumn, children } = plan;
  const weight = new Float64Array(plan.K * children);
  const state = new Uint8Array(plan.K * children);
  const lastSample = new Int32Array(plan.K * children).fill(-1);
  // Made before the loop, so that nothing but a return follows it (see keptLocations).
  const sums: EdgeSums = { weight, state, sparse: null };
  const { stackOffsets, stackLocations, values, keep, frameOffsets, frameNodes, inlined, nTypes, valueIndex, sign } = scan;
  for (let s = from; s < to; s++) {
    if (keep !== null && keep[s] === 0) continue;
    const v = values[s * nTypes + valueIndex]! * sign;
    if (v === 0) continue;
    const first = stackOffsets[s]!;
    let k = stackOffsets[s + 1]! - 1;
    let parent = -1;
    for (;;) {
      while (k >= first && hasKept[stackLocations[k]!] === 0) k--;
      if (k < first) break;
      const loc = stackLocations[k]!;
      k--;
      for (let f = frameOffsets[loc + 1]! - 1; f >= frameOffsets[loc]!; f--) {
        const node = frameNodes[f]!;
        const child = slot[node]!;
        if (child < 0) continue;
        const column = childColumn[node]!;
        if (column >= 0 && parent >= 0 && parent !== child) {
          const key = parent * children + column;
          if (lastSample[key] !== s) {
            lastSample[key] = s;
            weight[key]! += v;
            const st = inlined[f] === 1 ? 1 : 2;
            if (state[key]! < st) state[key] = st;
          }
        }
        parent = child;
      }
    }
  }
  return sums;
}

/** sumEdges into a Map, for many kept nodes. */
function sumEdgesSparse(scan: SampleScan, plan: EdgePlan, hasKept: Uint8Array, from: number, to: number): Map<number, { weight: number; state: number }> {
  const { slot, childColumn, children } = plan;
  const sparse = new Map<number, { weight: number; state: number; sample: number }>();
  const { stackOffsets, stackLocations, values, keep, frameOffsets, frameNodes, inlined, nTypes, valueIndex, sign } = scan;
  for (let s = from; s < to; s++) {
    if (keep !== null && keep[s] === 0) continue;
    const v = values[s * nTypes + valueIndex]! * sign;
    if (v === 0) continue;
    let parent = -1;
    for (let k = stackOffsets[s + 1]! - 1; k >= stackOffsets[s]!; k--) {
      const loc = stackLocations[k]!;
      if (hasKept[loc] === 0) continue;
      for (let f = frameOffsets[loc + 1]! - 1; f >= frameOffsets[loc]!; f--) {
        const node = frameNodes[f]!;
        const child = slot[node]!;
        if (child < 0) continue;
        const column = childColumn[node]!;
        if (column >= 0 && parent >= 0 && parent !== child) {
          const key = parent * children + column;
          const st = inlined[f] === 1 ? 1 : 2;
          const e = sparse.get(key);
          if (e === undefined) sparse.set(key, { weight: v, state: st, sample: s });
          else if (e.sample !== s) {
            e.sample = s;
            e.weight += v;
            if (e.state < st) e.state = st;
          }
        }
        parent = child;
      }
    }
  }
  return sparse;
}

/** Labels from edge sums (partial results add up): edges lighter than the cutoff are ignored, as pprof trims them. */
export function labelsFromEdges(plan: EdgePlan, parts: readonly EdgeSums[], edgeCutoff: number): InlineLabel[] {
  const hasInline = new Uint8Array(plan.K);
  const hasCall = new Uint8Array(plan.K);
  const mark = (key: number, weight: number, state: number): void => {
    if (Math.abs(weight) < edgeCutoff) return;
    const child = plan.childSlot[key % plan.children]!;
    if (state === 1) hasInline[child] = 1;
    else hasCall[child] = 1;
  };
  // The parts of one plan are all dense or all sparse: sumEdges picks the form from the plan's size.
  if (parts.every((p) => p.state !== null)) {
    // Added up in arrays. A Map of every edge took ~2 µs an edge (35 ms for the 18,000 edges
    // of a 291-row top of test/fixtures/synthetic/deep-inline.pb.gz).
    const { weight, state } = addDenseEdges(plan.K * plan.children, parts);
    for (let key = 0; key < state.length; key++) if (state[key] !== 0) mark(key, weight[key]!, state[key]!);
  } else {
    const merged = new Map<number, { weight: number; state: number }>();
    for (const p of parts) {
      for (const [key, { weight, state }] of p.sparse!) {
        const e = merged.get(key);
        if (e === undefined) merged.set(key, { weight, state });
        else {
          e.weight += weight;
          if (state > e.state) e.state = state;
        }
      }
    }
    for (const [key, e] of merged) mark(key, e.weight, e.state);
  }
  return Array.from({ length: plan.K }, (_, i) => (hasInline[i] ? (hasCall[i] ? 'partial-inline' : 'inline') : ''));
}

/** Dense edge sums added up: weights summed, each edge's state the highest any part saw. */
function addDenseEdges(n: number, parts: readonly EdgeSums[]): { weight: Float64Array; state: Uint8Array } {
  const weight = new Float64Array(n);
  const state = new Uint8Array(n);
  const sums = { weight, state };
  for (const p of parts) {
    const w = p.weight!;
    const st = p.state!;
    for (let key = 0; key < n; key++) {
      if (st[key] === 0) continue;
      weight[key]! += w[key]!;
      if (st[key]! > state[key]!) state[key] = st[key]!;
    }
  }
  return sums;
}

/** The inline label of each kept node, computed as pprof's text report does (see sumEdges), on this thread. */
export function inlineLabels(prepared: PreparedInputs, kept: readonly number[], edgeCutoff: number): InlineLabel[] {
  const plan = planEdges(prepared, kept);
  if (plan.children === 0) return kept.map(() => '');
  return labelsFromEdges(
    plan,
    prepared.scans.map((scan) => sumEdges(scan, plan, 0, scan.count)),
    edgeCutoff,
  );
}
