import type { Profile } from '../model/profile.js';
import { selectSamples, type FrameFilter } from './filter.js';
import { buildFrameTable, newNodeKeys, type FrameTable, type Granularity } from './frames.js';

/** One profile's contribution to an aggregation; a diff adds the base with sign -1 (pprof's -diff_base). */
export interface AggregateInput {
  readonly profile: Profile;
  readonly valueIndex: number;
  readonly sign: 1 | -1;
}

/** Inputs resolved against one node key space, ready for passes over their samples. */
export interface PreparedInputs {
  readonly names: readonly string[];
  readonly parts: readonly PreparedPart[];
}

interface PreparedPart extends AggregateInput {
  readonly frames: FrameTable;
  readonly keep: Uint8Array | null;
}

export function prepareInputs(inputs: readonly AggregateInput[], granularity: Granularity, filter: FrameFilter = {}): PreparedInputs {
  const keys = newNodeKeys(granularity);
  const parts = inputs.map((input) => ({
    ...input,
    frames: buildFrameTable(input.profile, keys),
    keep: selectSamples(input.profile, filter),
  }));
  return { names: keys.names, parts };
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

/**
 * Sums each node's flat (value of samples whose innermost frame it is) and
 * cum (value of samples with the node anywhere in the stack, once per
 * sample even under recursion, as pprof counts it).
 */
export function aggregateNodes(prepared: PreparedInputs): NodeTotals {
  const nNodes = prepared.names.length;
  // One spare slot (index nNodes) absorbs the padding frames of paddedFrames.
  const flat = new Float64Array(nNodes + 1);
  const cum = new Float64Array(nNodes + 1);
  const seen = new Int32Array(nNodes + 1).fill(-1);
  let stamp = 0;
  let total = 0;
  let baseTotal = 0;
  let hasBase = false;
  for (const part of prepared.parts) {
    const { samples } = part.profile;
    const nTypes = part.profile.sampleTypes.length;
    const { offsets: frameOffsets, nodes: frameNodes } = part.frames;
    const padded = paddedFrames(part.frames, nNodes);
    const { stackOffsets, stackLocations, values } = samples;
    const keep = part.keep;
    for (let s = 0; s < samples.count; s++) {
      const v = values[s * nTypes + part.valueIndex]! * part.sign;
      if (v === 0) continue;
      // The report total ignores --focus/--ignore, as pprof's does: shares stay shares of the whole profile.
      const abs = v < 0 ? -v : v;
      total += abs;
      if (part.sign < 0) {
        baseTotal += abs;
        hasBase = true;
      }
      if (keep !== null && keep[s] === 0) continue;
      const first = stackOffsets[s]!;
      const last = stackOffsets[s + 1]!;
      if (first === last) continue;
      stamp++;
      for (let k = first; k < last; k++) {
        const loc = stackLocations[k]!;
        const b = loc << 2;
        const n0 = padded[b]!;
        if (seen[n0] !== stamp) {
          seen[n0] = stamp;
          cum[n0]! += v;
        }
        const n1 = padded[b + 1]!;
        if (n1 === nNodes) continue;
        if (seen[n1] !== stamp) {
          seen[n1] = stamp;
          cum[n1]! += v;
        }
        const n2 = padded[b + 2]!;
        if (n2 === nNodes) continue;
        if (seen[n2] !== stamp) {
          seen[n2] = stamp;
          cum[n2]! += v;
        }
        // Rare: more than three frames in one location (deep inlining).
        for (let f = frameOffsets[loc]! + 3; f < frameOffsets[loc + 1]!; f++) {
          const node = frameNodes[f]!;
          if (seen[node] !== stamp) {
            seen[node] = stamp;
            cum[node]! += v;
          }
        }
      }
      flat[padded[stackLocations[first]! << 2]!]! += v;
    }
  }
  let flatSum = 0;
  for (let i = 0; i < nNodes; i++) flatSum += flat[i]!;
  return { names: prepared.names, flat: flat.subarray(0, nNodes), cum: cum.subarray(0, nNodes), total: hasBase ? baseTotal : total, flatSum };
}

/**
 * The first three frames of each location at a fixed stride of four (the
 * fourth slot unused), `spare` where a location has fewer: the aggregation
 * loop then reads frames without a per-location offset lookup or loop.
 */
function paddedFrames(frames: FrameTable, spare: number): Int32Array {
  const nLocations = frames.offsets.length - 1;
  const out = new Int32Array(nLocations * 4).fill(spare);
  for (let loc = 0; loc < nLocations; loc++) {
    const start = frames.offsets[loc]!;
    const n = Math.min(3, frames.offsets[loc + 1]! - start);
    for (let j = 0; j < n; j++) out[loc * 4 + j] = frames.nodes[start + j]!;
  }
  return out;
}

/** pprof's marker for a node reached by inlining: all incoming calls inlined, or some. */
export type InlineLabel = '' | 'inline' | 'partial-inline';

/**
 * The inline label of each kept node, computed as pprof's text report does:
 * over call edges between kept nodes only (skipping dropped frames), each
 * edge counted once per sample, inlined only if every occurrence was, and
 * edges lighter than `edgeCutoff` ignored.
 */
export function inlineLabels(prepared: PreparedInputs, kept: readonly number[], edgeCutoff: number): InlineLabel[] {
  const K = kept.length;
  const slot = new Int32Array(prepared.names.length).fill(-1);
  kept.forEach((node, i) => (slot[node] = i));
  // Only a node seen as an inlined frame can be labelled: without one, skip the pass.
  let anyInlinedKept = false;
  for (const part of prepared.parts) {
    const { nodes, inlined } = part.frames;
    for (let f = 0; f < nodes.length && !anyInlinedKept; f++) if (inlined[f] === 1 && slot[nodes[f]!]! >= 0) anyInlinedKept = true;
  }
  if (!anyInlinedKept) return kept.map(() => '');
  const edges = newEdgeStore(K);
  let stamp = 0;
  for (const part of prepared.parts) {
    const { samples } = part.profile;
    const nTypes = part.profile.sampleTypes.length;
    const { offsets: frameOffsets, nodes: frameNodes, inlined } = part.frames;
    // Locations holding no kept frame are stepped over with one byte read.
    const hasKept = new Uint8Array(part.profile.locations.count);
    for (let loc = 0; loc < hasKept.length; loc++) {
      for (let f = frameOffsets[loc]!; f < frameOffsets[loc + 1]!; f++) if (slot[frameNodes[f]!]! >= 0) hasKept[loc] = 1;
    }
    const keep = part.keep;
    for (let s = 0; s < samples.count; s++) {
      if (keep !== null && keep[s] === 0) continue;
      const v = samples.values[s * nTypes + part.valueIndex]! * part.sign;
      if (v === 0) continue;
      stamp++;
      let parent = -1;
      // Root to leaf, as pprof walks a sample when it builds edges.
      for (let k = samples.stackOffsets[s + 1]! - 1; k >= samples.stackOffsets[s]!; k--) {
        const loc = samples.stackLocations[k]!;
        if (hasKept[loc] === 0) continue;
        for (let f = frameOffsets[loc + 1]! - 1; f >= frameOffsets[loc]!; f--) {
          const child = slot[frameNodes[f]!]!;
          if (child < 0) continue;
          if (parent >= 0 && parent !== child) edges.add(parent * K + child, v, inlined[f] === 1, stamp);
          parent = child;
        }
      }
    }
  }
  const hasInline = new Uint8Array(K);
  const hasCall = new Uint8Array(K);
  edges.forEach((key, weight, inline) => {
    if (Math.abs(weight) < edgeCutoff) return;
    const child = key % K;
    if (inline) hasInline[child] = 1;
    else hasCall[child] = 1;
  });
  return kept.map((_, i) => (hasInline[i] ? (hasCall[i] ? 'partial-inline' : 'inline') : ''));
}

interface EdgeStore {
  add(key: number, weight: number, inline: boolean, stamp: number): void;
  forEach(each: (key: number, weight: number, inline: boolean) => void): void;
}

/** Dense K×K arrays while they stay small (the common case: tens of kept nodes), a Map beyond. */
function newEdgeStore(K: number): EdgeStore {
  if (K <= 1024) {
    const weight = new Float64Array(K * K);
    const state = new Uint8Array(K * K); // 0 absent, 1 inline, 2 a real call seen
    const lastStamp = new Int32Array(K * K);
    return {
      add(key, w, inline, stamp) {
        if (lastStamp[key] === stamp) return;
        lastStamp[key] = stamp;
        weight[key]! += w;
        if (state[key] === 0) state[key] = inline ? 1 : 2;
        else if (!inline) state[key] = 2;
      },
      forEach(each) {
        for (let key = 0; key < K * K; key++) if (state[key] !== 0) each(key, weight[key]!, state[key] === 1);
      },
    };
  }
  const map = new Map<number, { weight: number; inline: boolean; stamp: number }>();
  return {
    add(key, w, inline, stamp) {
      const e = map.get(key);
      if (e === undefined) map.set(key, { weight: w, inline, stamp });
      else if (e.stamp !== stamp) {
        e.stamp = stamp;
        e.weight += w;
        if (!inline) e.inline = false;
      }
    },
    forEach(each) {
      for (const [key, e] of map) each(key, e.weight, e.inline);
    },
  };
}
