import type { Profile } from '../model/profile.js';

/** One component rule (rules/components.yaml, or a user pack). */
export interface ComponentRule {
  readonly name: string;
  readonly match: RegExp;
  /** Match any frame of the stack, or only the allocating (leaf) frame. */
  readonly frames: 'any' | 'leaf';
  /** Split the component by the matching frame's Go module ("name: github.com/org/repo"), or not. */
  readonly by: 'module' | null;
  readonly optimizable: 'yes' | 'limited' | 'no' | 'done';
  readonly note: string | null;
  /** Where the rule came from (file), for messages. */
  readonly source: string;
}

export const OTHER = 'Other';

/** Rule matches per function name, per rule list (a pure memo: same rules, same name, same answer). */
const matchCache = new WeakMap<readonly ComponentRule[], Map<string, boolean[]>>();

/** How each sample's bytes are classified: the rule (position in `rules`, -1 for Other) and the component's name. */
export interface SampleComponents {
  readonly rule: Int32Array;
  readonly name: readonly string[];
}

/**
 * The rule each sample's bytes go to: the first rule in order that matches
 * the sample's stack (any frame, or the allocating frame for `leaf` rules),
 * and the component name (a `by: module` rule adds the matching frame's module).
 */
export function classifySamples(profile: Profile, rules: readonly ComponentRule[], options: { readonly reference?: boolean } = {}): SampleComponents {
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
  const rule = new Int32Array(samples.count).fill(-1);
  const name = new Array<string>(samples.count).fill(OTHER);
  /** The component name of sample s under rule r: a `by: module` rule adds the first matching frame's module. */
  const componentName = (s: number, r: number): string => {
    const base = rules[r]!.name;
    if (rules[r]!.by !== 'module') return base;
    for (let k = samples.stackOffsets[s]!; k < samples.stackOffsets[s + 1]!; k++) {
      const loc = samples.stackLocations[k]!;
      for (let li = locations.lineOffsets[loc]!; li < locations.lineOffsets[loc + 1]!; li++) {
        const fn = locations.lineFunction[li]!;
        if (fn >= 0 && fnRules[fn]![r]) return `${base}: ${moduleOf(strings[functions.nameStr[fn]!]!)}`;
        if (rules[r]!.frames === 'leaf') return base;
      }
    }
    return base;
  };
  if (rules.length <= 30 && !options.reference) {
    // Bit r set: rule r matches. Per location, the rules any of its frames match ('any' rules) and
    // its innermost frame matches ('leaf' rules); a sample ORs its locations' masks, and the lowest
    // set bit is the first rule in order that matches: one pass over the stack instead of one per rule.
    let anyRules = 0;
    rules.forEach((r, i) => {
      if (r.frames === 'any') anyRules |= 1 << i;
    });
    const fnMask = Int32Array.from(fnRules, (hits) => hits.reduce((m, hit, i) => (hit ? m | (1 << i) : m), 0));
    const locAny = new Int32Array(locations.count);
    const locLeaf = new Int32Array(locations.count);
    for (let loc = 0; loc < locations.count; loc++) {
      let m = 0;
      const first = locations.lineOffsets[loc]!;
      for (let li = first; li < locations.lineOffsets[loc + 1]!; li++) {
        const fn = locations.lineFunction[li]!;
        if (fn >= 0) m |= fnMask[fn]!;
      }
      locAny[loc] = m & anyRules;
      const leafFn = first < locations.lineOffsets[loc + 1]! ? locations.lineFunction[first]! : -1;
      locLeaf[loc] = leafFn >= 0 ? fnMask[leafFn]! & ~anyRules : 0;
    }
    for (let s = 0; s < samples.count; s++) {
      const start = samples.stackOffsets[s]!;
      const end = samples.stackOffsets[s + 1]!;
      if (start === end) continue;
      // The allocating frame: the first line of the first location that has lines.
      let leafAt = start;
      while (leafAt < end && locations.lineOffsets[samples.stackLocations[leafAt]! + 1]! === locations.lineOffsets[samples.stackLocations[leafAt]!]!) leafAt++;
      let m = leafAt < end ? locLeaf[samples.stackLocations[leafAt]!]! : 0;
      for (let k = start; k < end; k++) m |= locAny[samples.stackLocations[k]!]!;
      if (m === 0) continue;
      const r = 31 - Math.clz32(m & -m);
      rule[s] = r;
      name[s] = componentName(s, r);
    }
    return { rule, name };
  }
  for (let s = 0; s < samples.count; s++) {
    for (let r = 0; r < rules.length && rule[s] === -1; r++) {
      const leafOnly = rules[r]!.frames === 'leaf';
      scan: for (let k = samples.stackOffsets[s]!; k < samples.stackOffsets[s + 1]!; k++) {
        const loc = samples.stackLocations[k]!;
        for (let li = locations.lineOffsets[loc]!; li < locations.lineOffsets[loc + 1]!; li++) {
          const fn = locations.lineFunction[li]!;
          if (fn >= 0 && fnRules[fn]![r]) {
            rule[s] = r;
            const base = rules[r]!.name;
            name[s] = rules[r]!.by === 'module' ? `${base}: ${moduleOf(strings[functions.nameStr[fn]!]!)}` : base;
            break scan;
          }
          if (leafOnly) break scan;
        }
      }
    }
  }
  return { rule, name };
}

/** Hosts whose module paths have an owner element (host/owner/repo); others are host/name (k8s.io/client-go). */
const OWNER_HOSTS = new Set(['github.com', 'gitlab.com', 'bitbucket.org', 'golang.org']);

/**
 * The Go module a function belongs to, guessed from its name: github.com/org/repo,
 * golang.org/x/net, k8s.io/client-go, sigs.k8s.io/controller-runtime; `main` for
 * the program's own package; a standard-library package's first element.
 */
export function moduleOf(functionName: string): string {
  const lastSlash = functionName.lastIndexOf('/');
  const pkgEnd = functionName.indexOf('.', lastSlash + 1);
  const pkg = pkgEnd >= 0 ? functionName.slice(0, pkgEnd) : functionName;
  const parts = pkg.split('/');
  if (!parts[0]!.includes('.')) return parts[0]!;
  return parts.slice(0, OWNER_HOSTS.has(parts[0]!) ? 3 : 2).join('/');
}

/**
 * Attributes every in-use byte of a profile to exactly one component (see
 * classifySamples); bytes no rule takes are Other. Components therefore add
 * up to the profile's total.
 */
export function attributeComponents(profile: Profile, valueIndex: number, rules: readonly ComponentRule[]): Map<string, number> {
  const { name: names } = classifySamples(profile, rules);
  const nTypes = profile.sampleTypes.length;
  const out = new Map<string, number>();
  for (let s = 0; s < profile.samples.count; s++) {
    const v = profile.samples.values[s * nTypes + valueIndex]!;
    if (v === 0) continue;
    out.set(names[s]!, (out.get(names[s]!) ?? 0) + v);
  }
  return out;
}
