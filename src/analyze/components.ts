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

/**
 * Attributes every in-use byte of a profile to exactly one component: the
 * first rule (in order) that matches the sample's stack takes it; bytes no
 * rule takes are Other. Components therefore add up to the profile's total.
 */
export function attributeComponents(profile: Profile, valueIndex: number, rules: readonly ComponentRule[]): Map<string, number> {
  const { functions, strings, locations, samples } = profile;
  // Which rules each function name matches, computed once per function.
  const fnRules = Array.from({ length: functions.count }, (_, f) => {
    const name = strings[functions.nameStr[f]!]!;
    return rules.map((r) => r.match.test(name));
  });
  const out = new Map<string, number>();
  const nTypes = profile.sampleTypes.length;
  for (let s = 0; s < samples.count; s++) {
    const v = samples.values[s * nTypes + valueIndex]!;
    if (v === 0) continue;
    let winner = OTHER;
    for (let r = 0; r < rules.length && winner === OTHER; r++) {
      const leafOnly = rules[r]!.frames === 'leaf';
      scan: for (let k = samples.stackOffsets[s]!; k < samples.stackOffsets[s + 1]!; k++) {
        const loc = samples.stackLocations[k]!;
        for (let li = locations.lineOffsets[loc]!; li < locations.lineOffsets[loc + 1]!; li++) {
          const fn = locations.lineFunction[li]!;
          if (fn >= 0 && fnRules[fn]![r]) {
            winner = rules[r]!.name;
            break scan;
          }
          if (leafOnly) break scan;
        }
      }
    }
    out.set(winner, (out.get(winner) ?? 0) + v);
  }
  return out;
}
