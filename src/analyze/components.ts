import type { Profile } from '../model/profile.js';

/** One component rule (rules/components.yaml, or a user pack). */
export interface ComponentRule {
  readonly name: string;
  readonly match: RegExp;
  /** Match any frame of the stack, or only the allocating (leaf) frame. */
  readonly frames: 'any' | 'leaf';
  readonly optimizable: 'yes' | 'limited' | 'no' | 'done';
  readonly note: string | null;
  /** Where the rule came from (file), for messages. */
  readonly source: string;
}

export const OTHER = 'Other';

/** Rule matches per function name, per rule list (a pure memo: same rules, same name, same answer). */
const matchCache = new WeakMap<readonly ComponentRule[], Map<string, boolean[]>>();

/**
 * The rule each sample's bytes go to (its position in `rules`), -1 for
 * Other: the first rule in order that matches the sample's stack (any frame,
 * or the allocating frame for `leaf` rules).
 */
export function classifySamples(profile: Profile, rules: readonly ComponentRule[]): Int32Array {
  const { functions, strings, locations, samples } = profile;
  // Which rules each function name matches: names repeat from snapshot to snapshot, so remember them per rule set.
  let cache = matchCache.get(rules);
  if (!cache) matchCache.set(rules, (cache = new Map()));
  const fnRules = Array.from({ length: functions.count }, (_, f) => {
    const name = strings[functions.nameStr[f]!]!;
    let hits = cache!.get(name);
    if (!hits) cache!.set(name, (hits = rules.map((r) => r.match.test(name))));
    return hits;
  });
  const out = new Int32Array(samples.count).fill(-1);
  for (let s = 0; s < samples.count; s++) {
    for (let r = 0; r < rules.length && out[s] === -1; r++) {
      const leafOnly = rules[r]!.frames === 'leaf';
      scan: for (let k = samples.stackOffsets[s]!; k < samples.stackOffsets[s + 1]!; k++) {
        const loc = samples.stackLocations[k]!;
        for (let li = locations.lineOffsets[loc]!; li < locations.lineOffsets[loc + 1]!; li++) {
          const fn = locations.lineFunction[li]!;
          if (fn >= 0 && fnRules[fn]![r]) {
            out[s] = r;
            break scan;
          }
          if (leafOnly) break scan;
        }
      }
    }
  }
  return out;
}

/**
 * Attributes every in-use byte of a profile to exactly one component (see
 * classifySamples); bytes no rule takes are Other. Components therefore add
 * up to the profile's total.
 */
export function attributeComponents(profile: Profile, valueIndex: number, rules: readonly ComponentRule[]): Map<string, number> {
  const winners = classifySamples(profile, rules);
  const nTypes = profile.sampleTypes.length;
  const out = new Map<string, number>();
  for (let s = 0; s < profile.samples.count; s++) {
    const v = profile.samples.values[s * nTypes + valueIndex]!;
    if (v === 0) continue;
    const name = winners[s]! >= 0 ? rules[winners[s]!]!.name : OTHER;
    out.set(name, (out.get(name) ?? 0) + v);
  }
  return out;
}
