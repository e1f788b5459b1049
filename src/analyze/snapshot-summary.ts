import type { Profile } from '../model/profile.js';
import { aggregateNodes, prepareInputs } from '../pprof/aggregate.js';
import { attributeComponents, type ComponentRule } from './components.js';

/**
 * What analysis keeps of one heap snapshot once its profile is dropped:
 * totals, a content fingerprint, and bytes per function. Small enough to
 * hold for a thousand snapshots.
 */
export interface HeapSummary {
  /** Unix ms from the profile's time_nanos (0 when absent). */
  readonly profileTimeMs: number;
  readonly inuseBytes: number;
  readonly inuseObjects: number;
  /** Cumulative since the process started (alloc_space / alloc_objects). */
  readonly allocBytes: number;
  readonly allocObjects: number;
  /** Mean bytes between allocation samples (the profile's period; 512 KiB in Go by default). */
  readonly samplingPeriodBytes: number;
  /**
   * Hash of every sample's stack and values, independent of sample order:
   * equal for consecutive profiles when no GC ran between them (a Go heap
   * profile is the heap as of the last completed GC).
   */
  readonly fingerprint: string;
  /** inuse_space per function: flat (allocated there) and cum (allocated there or below); allocFlat: alloc_space allocated there since start. */
  readonly functions: ReadonlyMap<string, { readonly flat: number; readonly cum: number; readonly allocFlat: number }>;
  /** inuse_space per call site: the allocating stack's first SITE_DEPTH distinct frames (see callSiteKey). */
  readonly sites: ReadonlyMap<string, number>;
  /**
   * The sampling variance (bytes²) of inuseBytes, and of each site's bytes
   * (see samplingVariance): how far the profile's estimate may be from the
   * true in-use size, from the profile's own object sizes.
   */
  readonly inuseVariance: number;
  readonly siteVariances: ReadonlyMap<string, number>;
  /** inuse_space per component (first matching rule per sample; adds up to inuseBytes). */
  readonly components: ReadonlyMap<string, number>;
}

/**
 * One copy of each function name and call-site key across all snapshots: a
 * thousand summaries of the same program share their strings instead of
 * holding a thousand copies (a memo, not state that changes any result).
 */
const interned = new Map<string, string>();
function intern(s: string): string {
  const seen = interned.get(s);
  if (seen !== undefined) return seen;
  interned.set(s, s);
  return s;
}

/** Frames that name a call site: the allocating function and its nearest distinct callers. */
export const SITE_DEPTH = 4;

/**
 * Frames as one string key, reversibly: names are untrusted and may hold the
 * separator, so backslashes and newlines inside a name are escaped first.
 */
export function joinFrames(frames: readonly string[]): string {
  return frames.map((f) => (/[\\\n]/.test(f) ? f.replace(/\\/g, '\\\\').replace(/\n/g, '\\n') : f)).join('\n');
}

/** The frames of a joinFrames key. */
export function splitFrames(key: string): string[] {
  return key.split('\n').map((f) => (f.includes('\\') ? f.replace(/\\(\\|n)/g, (_, c: string) => (c === 'n' ? '\n' : '\\')) : f));
}

/**
 * A call site's key: frame names leaf first, recursion collapsed (a function
 * calling itself counts once), the first SITE_DEPTH kept (see joinFrames).
 */
export function callSiteKey(framesLeafFirst: readonly string[]): string {
  const out: string[] = [];
  for (const f of framesLeafFirst) {
    if (out[out.length - 1] === f) continue;
    out.push(f);
    if (out.length === SITE_DEPTH) break;
  }
  return joinFrames(out);
}

/** Summarises a Go heap profile (sample types alloc_objects, alloc_space, inuse_objects, inuse_space). */
export function summarizeHeap(profile: Profile, rules: readonly ComponentRule[] = []): HeapSummary {
  const index = (name: string): number => profile.sampleTypes.findIndex((t) => t.type === name);
  const inuseSpace = index('inuse_space');
  const totals = [index('inuse_space'), index('inuse_objects'), index('alloc_space'), index('alloc_objects')].map((i) => (i < 0 ? 0 : sumOf(profile, i)));
  const functions = new Map<string, { flat: number; cum: number; allocFlat: number }>();
  if (inuseSpace >= 0) {
    const allocSpace = index('alloc_space');
    // One frame table, two sample values: in-use and allocated.
    const prepared = prepareInputs([{ profile, valueIndex: inuseSpace, sign: 1 }], 'functions');
    const nodes = aggregateNodes(prepared);
    const alloc = allocSpace >= 0 ? aggregateNodes({ ...prepared, scans: prepared.scans.map((scan) => ({ ...scan, valueIndex: allocSpace })) }) : null;
    nodes.names.forEach((name, i) => {
      const allocFlat = alloc ? alloc.flat[i]! : 0;
      if (nodes.flat[i] !== 0 || nodes.cum[i] !== 0 || allocFlat !== 0) functions.set(intern(name), { flat: nodes.flat[i]!, cum: nodes.cum[i]!, allocFlat });
    });
  }
  const period = profile.periodType?.unit === 'bytes' && profile.period > 0 ? profile.period : 512 * 1024;
  const bySite = inuseBySite(profile, inuseSpace, index('inuse_objects'), period);
  let inuseVariance = 0;
  for (const v of bySite.variances.values()) inuseVariance += v;
  return {
    sites: bySite.bytes,
    siteVariances: bySite.variances,
    inuseVariance,
    components: inuseSpace >= 0 ? attributeComponents(profile, inuseSpace, rules) : new Map(),
    profileTimeMs: Number(profile.timeNanos / 1_000_000n),
    inuseBytes: totals[0]!,
    inuseObjects: totals[1]!,
    allocBytes: totals[2]!,
    allocObjects: totals[3]!,
    samplingPeriodBytes: period,
    fingerprint: fingerprint(profile),
    functions,
  };
}

function sumOf(profile: Profile, valueIndex: number): number {
  const n = profile.sampleTypes.length;
  let total = 0;
  for (let s = 0; s < profile.samples.count; s++) total += profile.samples.values[s * n + valueIndex]!;
  return total;
}

/** FNV-1a over 32-bit words. */
function fnv(h: number, word: number): number {
  for (let k = 0; k < 4; k++) {
    h ^= (word >>> (k * 8)) & 0xff;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function fingerprint(profile: Profile): string {
  const { locations, functions, strings, samples } = profile;
  // A location is named by address and its lines' function names and numbers, which
  // survive the profile builder renumbering ids from one profile to the next.
  const locHash = new Uint32Array(locations.count);
  const stringHash = (s: string): number => {
    let h = 0x811c9dc5;
    for (let i = 0; i < s.length; i++) h = fnv(h, s.charCodeAt(i));
    return h;
  };
  const fnHash = new Map<number, number>();
  for (let l = 0; l < locations.count; l++) {
    let h = fnv(fnv(0x811c9dc5, locations.addressLo[l]!), locations.addressHi[l]!);
    for (let li = locations.lineOffsets[l]!; li < locations.lineOffsets[l + 1]!; li++) {
      const fn = locations.lineFunction[li]!;
      if (fn >= 0 && !fnHash.has(fn)) fnHash.set(fn, stringHash(strings[functions.nameStr[fn]!]!));
      h = fnv(fnv(h, fn >= 0 ? fnHash.get(fn)! : 0), locations.lineNumber[li]!);
    }
    locHash[l] = h;
  }
  const nTypes = profile.sampleTypes.length;
  // Order-independent combination: a sum and an xor of per-sample hashes, and the count.
  let sum = 0;
  let xor = 0;
  for (let s = 0; s < samples.count; s++) {
    // Stacks first sampled since the last GC appear with all-zero values until the next one: not heap content.
    let empty = true;
    for (let j = 0; j < nTypes && empty; j++) if (samples.values[s * nTypes + j] !== 0) empty = false;
    if (empty) continue;
    let h = 0x811c9dc5;
    for (let k = samples.stackOffsets[s]!; k < samples.stackOffsets[s + 1]!; k++) h = fnv(h, locHash[samples.stackLocations[k]!]!);
    for (let j = 0; j < nTypes; j++) {
      const v = samples.values[s * nTypes + j]!;
      h = fnv(fnv(h, v >>> 0), Math.floor(v / 4294967296));
    }
    sum = (sum + h) >>> 0;
    xor = (xor ^ h) >>> 0;
  }
  return `${sum.toString(16)}:${xor.toString(16)}`;
}

/**
 * The sampling variance of a heap profile's estimate of `bytes` in-use bytes
 * held by `objects` objects of one stack (Go's runtime/pprof: an allocation
 * of s bytes is sampled with probability p = 1 − e^(−s/R) and counted as
 * s/p bytes, R the sampling period). With s = bytes/objects, the estimate
 * of n such objects has variance n·s²·(1 − p)/p = bytes·s/(e^(s/R) − 1):
 * about bytes × R for small objects, and none for objects of many periods,
 * which are always sampled.
 */
export function samplingVariance(bytes: number, objects: number, period: number): number {
  if (bytes <= 0 || objects <= 0 || period <= 0) return 0;
  const size = bytes / objects;
  const x = size / period;
  return x < 1e-9 ? bytes * period : (bytes * size) / Math.expm1(x);
}

function inuseBySite(profile: Profile, valueIndex: number, objectsIndex = -1, period = 0): { bytes: Map<string, number>; variances: Map<string, number> } {
  const sites = new Map<string, number>();
  const variances = new Map<string, number>();
  if (valueIndex < 0) return { bytes: sites, variances };
  const { samples, locations, functions, strings } = profile;
  const nTypes = profile.sampleTypes.length;
  const frames: string[] = [];
  for (let s = 0; s < samples.count; s++) {
    const v = samples.values[s * nTypes + valueIndex]!;
    if (v === 0) continue;
    frames.length = 0;
    for (let k = samples.stackOffsets[s]!; k < samples.stackOffsets[s + 1]! && frames.length < 4 * SITE_DEPTH; k++) {
      const loc = samples.stackLocations[k]!;
      for (let li = locations.lineOffsets[loc]!; li < locations.lineOffsets[loc + 1]!; li++) {
        const fn = locations.lineFunction[li]!;
        frames.push(fn >= 0 ? strings[functions.nameStr[fn]!]! : '<unknown>');
      }
    }
    const key = intern(callSiteKey(frames));
    sites.set(key, (sites.get(key) ?? 0) + v);
    if (objectsIndex >= 0) {
      const variance = samplingVariance(v, samples.values[s * nTypes + objectsIndex]!, period);
      variances.set(key, (variances.get(key) ?? 0) + variance);
    }
  }
  return { bytes: sites, variances };
}

/** A goroutine profile reduced to counts: in all, and per stack (call-site key, as for heap sites). */
export interface GoroutineSummary {
  readonly count: number;
  readonly stacks: ReadonlyMap<string, number>;
}

/** Summarises a goroutine profile (sample type goroutine/count): how many goroutines wait where. */
export function summarizeGoroutines(profile: Profile): GoroutineSummary {
  const valueIndex = Math.max(0, profile.sampleTypes.findIndex((t) => t.type === 'goroutine'));
  const stacks = inuseBySite(profile, valueIndex).bytes;
  let count = 0;
  for (const v of stacks.values()) count += v;
  return { count, stacks };
}
