import type { Profile } from '../model/profile.js';
import { QueryError } from './errors.js';

export interface FrameFilter {
  /** Keep only samples with a frame matching this. */
  readonly focus?: RegExp;
  /** Drop samples with a frame matching this. */
  readonly ignore?: RegExp;
}

/** Compiles a user's --focus / --ignore pattern, naming the flag when it does not compile. */
export function compileFrameRegex(pattern: string, flag: string): RegExp {
  try {
    return new RegExp(pattern);
  } catch (e) {
    throw new QueryError(`${flag}: invalid regular expression "${pattern}" (${(e as Error).message})`);
  }
}

/**
 * Which samples pass the filter, or null when nothing is filtered. A location
 * matches when any of its lines' function name or file name, or its mapping's
 * file, matches — pprof's -focus / -ignore rule.
 */
export function selectSamples(profile: Profile, filter: FrameFilter): Uint8Array | null {
  if (!filter.focus && !filter.ignore) return null;
  const focused = filter.focus ? matchLocations(profile, filter.focus) : null;
  const ignored = filter.ignore ? matchLocations(profile, filter.ignore) : null;
  const { samples } = profile;
  const keep = new Uint8Array(samples.count);
  for (let s = 0; s < samples.count; s++) {
    let hasFocus = focused === null;
    let hasIgnore = false;
    for (let k = samples.stackOffsets[s]!; k < samples.stackOffsets[s + 1]!; k++) {
      const loc = samples.stackLocations[k]!;
      if (focused && focused[loc]) hasFocus = true;
      if (ignored && ignored[loc]) hasIgnore = true;
    }
    keep[s] = hasFocus && !hasIgnore ? 1 : 0;
  }
  return keep;
}

function matchLocations(profile: Profile, re: RegExp): Uint8Array {
  const { locations, functions, strings, mappings } = profile;
  const fnMatch = new Uint8Array(functions.count);
  for (let f = 0; f < functions.count; f++) {
    fnMatch[f] = re.test(strings[functions.nameStr[f]!]!) || re.test(strings[functions.filenameStr[f]!]!) ? 1 : 0;
  }
  const mapMatch = mappings.map((m) => re.test(m.filename));
  const out = new Uint8Array(locations.count);
  for (let loc = 0; loc < locations.count; loc++) {
    let hit = false;
    for (let li = locations.lineOffsets[loc]!; li < locations.lineOffsets[loc + 1]! && !hit; li++) {
      const fn = locations.lineFunction[li]!;
      if (fn >= 0 && fnMatch[fn]) hit = true;
    }
    const m = locations.mapping[loc]!;
    if (!hit && m >= 0 && mapMatch[m]) hit = true;
    out[loc] = hit ? 1 : 0;
  }
  return out;
}
