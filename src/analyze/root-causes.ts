import { joinFrames, splitFrames } from './snapshot-summary.js';
import type { CallPath, GrowthContributor } from '../model/report.js';
import type { Profile } from '../model/profile.js';
import { classifySamples, type ComponentRule } from './components.js';

/** Frames shown per call path (leaf first), as the seed's "Call Stack" blocks. */
export const PATH_DEPTH = 6;
/** Frames kept next to the allocating one before an elision, when the component's own frame is further up. */
const NEAR_LEAF = 3;
/** Marks frames left out between the allocation and the component's frame. */
export const ELISION = '…';

/**
 * The heaviest call paths of each component in one profile (in-use bytes):
 * where, within a component, the memory is allocated and through which
 * callers. A path is the allocating frame and its nearest callers, then —
 * when the frame that put the bytes in the component (say the informer's
 * watch handler above a dozen JSON decoder frames) is further up — an
 * elision and that frame with its caller. A function repeated by recursion
 * (direct or mutual) is shown once.
 */
export function componentPaths(profile: Profile, valueIndex: number, rules: readonly ComponentRule[], perComponent = 3): Map<string, CallPath[]> {
  const classified = classifySamples(profile, rules);
  const { samples, locations, functions, strings } = profile;
  const nTypes = profile.sampleTypes.length;
  const byComponent = new Map<string, Map<string, number>>();
  const frames: string[] = [];
  const seen = new Set<string>();
  for (let s = 0; s < samples.count; s++) {
    const v = samples.values[s * nTypes + valueIndex]!;
    if (v === 0) continue;
    frames.length = 0;
    seen.clear();
    for (let k = samples.stackOffsets[s]!; k < samples.stackOffsets[s + 1]!; k++) {
      const loc = samples.stackLocations[k]!;
      for (let li = locations.lineOffsets[loc]!; li < locations.lineOffsets[loc + 1]!; li++) {
        const fn = locations.lineFunction[li]!;
        const name = fn >= 0 ? strings[functions.nameStr[fn]!]! : '<unknown>';
        if (!seen.has(name)) {
          seen.add(name);
          frames.push(name);
        }
      }
    }
    const rule = classified.rule[s]! >= 0 ? rules[classified.rule[s]!]! : null;
    const component = classified.name[s]!;
    const anchor = rule && rule.frames === 'any' ? frames.findIndex((f) => rule.match.test(f)) : -1;
    const path =
      anchor > NEAR_LEAF ? [...frames.slice(0, NEAR_LEAF), ELISION, ...frames.slice(anchor, anchor + 2)] : frames.slice(0, Math.max(PATH_DEPTH, anchor + 2));
    let paths = byComponent.get(component);
    if (!paths) byComponent.set(component, (paths = new Map()));
    const key = joinFrames(path);
    paths.set(key, (paths.get(key) ?? 0) + v);
  }
  const out = new Map<string, CallPath[]>();
  for (const [component, paths] of byComponent) {
    out.set(
      component,
      [...paths]
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
        .slice(0, perComponent)
        .map(([key, bytes]) => ({ stack: splitFrames(key), bytes })),
    );
  }
  return out;
}

/** Functions whose own (flat) in-use bytes grew most between two snapshots: `go tool pprof -top -diff_base`'s first rows. */
export function growthContributors(
  from: ReadonlyMap<string, { readonly flat: number }>,
  to: ReadonlyMap<string, { readonly flat: number }>,
  top = 8,
): GrowthContributor[] {
  const names = new Set([...from.keys(), ...to.keys()]);
  return [...names]
    .map((name) => {
      const a = from.get(name)?.flat ?? 0;
      const b = to.get(name)?.flat ?? 0;
      return { function: name, fromBytes: a, toBytes: b, deltaBytes: b - a };
    })
    .filter((c) => c.deltaBytes > 0)
    .sort((x, y) => y.deltaBytes - x.deltaBytes || (x.function < y.function ? -1 : 1))
    .slice(0, top);
}

export type { CallPath, GrowthContributor };
