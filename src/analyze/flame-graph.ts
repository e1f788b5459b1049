import type { FlameGraph } from '../model/flame.js';
import type { Profile } from '../model/profile.js';
import { buildFrameTable, intern, newNodeKeys, type FrameTable, type NodeKeys } from '../pprof/frames.js';

/** Enough nodes to see every frame wider than ~0.05% of the root; small enough that report.html stays far below 2 MB. */
export const DEFAULT_MAX_FLAME_NODES = 4000;

export interface FlameSide {
  readonly profile: Profile;
  /** Sample type position in the profile (inuse_space for heap profiles). */
  readonly sampleIndex: number;
  readonly snapshot: number;
}

/** A call tree being built: children found by (parent, frame) key, values per side. */
interface Trie {
  readonly keys: NodeKeys;
  readonly byEdge: Map<number, number>;
  readonly name: number[];
  readonly parent: number[];
  readonly values: [number[], number[]];
}

const ROOT_NAME = 'all';

/**
 * The flame graph of `peak` (with `base`: the diff base→peak, both sides'
 * values on one merged tree, as `go tool pprof -diff_base` merges call
 * stacks). Frames are functions, inlined ones as their own frames, as
 * pprof's flame graph shows them. At most `maxNodes` nodes: the largest by
 * either side are kept, which keeps every kept node's ancestors.
 */
export function buildFlameGraph(peak: FlameSide, base: FlameSide | null = null, maxNodes = DEFAULT_MAX_FLAME_NODES): FlameGraph {
  const keys = newNodeKeys('functions');
  const trie: Trie = { keys, byEdge: new Map(), name: [intern(keys, ROOT_NAME, ROOT_NAME)], parent: [-1], values: [[0], [0]] };
  addProfile(trie, peak, 0);
  if (base) addProfile(trie, base, 1);
  const kept = keepLargest(trie, Math.max(1, maxNodes));
  const order = preOrder(trie, kept);
  const position = new Map<number, number>(order.map((n, i) => [n, i]));
  const names: string[] = [];
  const nameIndex = new Map<number, number>();
  const nameOf = (key: number): number => {
    let i = nameIndex.get(key);
    if (i === undefined) {
      i = names.length;
      nameIndex.set(key, i);
      names.push(keys.names[key]!);
    }
    return i;
  };
  const type = peak.profile.sampleTypes[peak.sampleIndex]!;
  return {
    schemaVersion: 1,
    sampleType: type.type,
    unit: type.unit,
    names,
    name: order.map((n) => nameOf(trie.name[n]!)),
    parent: order.map((n) => (trie.parent[n]! < 0 ? -1 : position.get(trie.parent[n]!)!)),
    value: order.map((n) => trie.values[0][n]!),
    base: base ? order.map((n) => trie.values[1][n]!) : null,
    baseSnapshot: base ? base.snapshot : -1,
    snapshot: peak.snapshot,
    prunedNodes: trie.name.length - order.length,
  };
}

/** Adds every sample's value on its stack, root first, to side `side` of the trie. */
function addProfile(trie: Trie, side: FlameSide, which: 0 | 1): void {
  const { profile, sampleIndex } = side;
  const frames: FrameTable = buildFrameTable(profile, trie.keys);
  const { samples } = profile;
  const nTypes = profile.sampleTypes.length;
  const values = trie.values[which];
  const other = trie.values[which === 0 ? 1 : 0];
  const stack: number[] = [];
  for (let s = 0; s < samples.count; s++) {
    const v = samples.values[s * nTypes + sampleIndex]!;
    if (v === 0) continue;
    // Leaf-first locations, each innermost-first frames: the whole stack leaf first.
    stack.length = 0;
    for (let k = samples.stackOffsets[s]!; k < samples.stackOffsets[s + 1]!; k++) {
      const loc = samples.stackLocations[k]!;
      for (let f = frames.offsets[loc]!; f < frames.offsets[loc + 1]!; f++) stack.push(frames.nodes[f]!);
    }
    let node = 0;
    values[0]! += v;
    for (let i = stack.length - 1; i >= 0; i--) {
      const name = stack[i]!;
      // Names number fewer than 2^26 (decoder table limits), nodes fewer than 2^26 too: the key is exact.
      const edge = node * 67_108_864 + name;
      let child = trie.byEdge.get(edge);
      if (child === undefined) {
        child = trie.name.length;
        trie.byEdge.set(edge, child);
        trie.name.push(name);
        trie.parent.push(node);
        values.push(0);
        other.push(0);
      }
      values[child]! += v;
      node = child;
    }
  }
}

/** Node ids to keep: the `max` largest by either side; a parent is never smaller than its child, so ties go to the shallower (earlier-created parent) node. */
function keepLargest(trie: Trie, max: number): Uint8Array {
  const n = trie.name.length;
  const keep = new Uint8Array(n);
  const size = (i: number): number => Math.max(Math.abs(trie.values[0][i]!), Math.abs(trie.values[1][i]!));
  if (n <= max) return keep.fill(1);
  // Parents are created before their children, so on equal size the lower id is the ancestor.
  const ids = Array.from({ length: n }, (_, i) => i).sort((a, b) => size(b) - size(a) || a - b);
  for (let k = 0; k < max; k++) keep[ids[k]!] = 1;
  return keep;
}

/** Kept nodes in pre-order, siblings by descending peak value (then base value, then name). */
function preOrder(trie: Trie, keep: Uint8Array): number[] {
  const children = new Map<number, number[]>();
  for (let i = 1; i < trie.name.length; i++) {
    if (keep[i] === 0) continue;
    const p = trie.parent[i]!;
    let list = children.get(p);
    if (!list) children.set(p, (list = []));
    list.push(i);
  }
  const [peak, base] = trie.values;
  const names = trie.keys.names;
  for (const list of children.values()) {
    list.sort((a, b) => peak[b]! - peak[a]! || base[b]! - base[a]! || (names[trie.name[a]!]! < names[trie.name[b]!]! ? -1 : 1));
  }
  const out: number[] = [];
  const todo = [0];
  while (todo.length > 0) {
    const node = todo.pop()!;
    out.push(node);
    const list = children.get(node);
    if (list) for (let i = list.length - 1; i >= 0; i--) todo.push(list[i]!);
  }
  return out;
}
