import type { Profile } from '../model/profile.js';
import { QueryError } from './errors.js';

/**
 * Picks the sample type to report. With a name (or a decimal index, as
 * `go tool pprof -sample_index` takes), that one; otherwise the profile's
 * default_sample_type, else the last type — pprof's rule, which yields
 * `inuse_space` for Go heap profiles and `cpu` (nanoseconds) for CPU ones.
 */
export function resolveSampleType(profile: Profile, requested?: string): number {
  const types = profile.sampleTypes;
  if (types.length === 0) throw new QueryError('profile has no sample types');
  if (requested !== undefined && requested !== '') {
    const byName = types.findIndex((t) => t.type === requested);
    if (byName >= 0) return byName;
    if (/^\d+$/.test(requested) && Number(requested) < types.length) return Number(requested);
    throw new QueryError(`sample type "${requested}" not found; this profile has: ${listSampleTypes(profile)}`);
  }
  if (profile.defaultSampleType !== '') {
    const d = types.findIndex((t) => t.type === profile.defaultSampleType);
    if (d >= 0) return d;
  }
  return types.length - 1;
}

export function listSampleTypes(profile: Profile): string {
  return profile.sampleTypes.map((t) => `${t.type} (${t.unit})`).join(', ');
}

/** Sum of each sample type's values over all samples, in the profile's units. */
export function sampleTotals(profile: Profile): number[] {
  const n = profile.sampleTypes.length;
  const totals = new Array<number>(n).fill(0);
  const values = profile.samples.values;
  for (let s = 0; s < profile.samples.count; s++) {
    for (let j = 0; j < n; j++) totals[j]! += values[s * n + j]!;
  }
  return totals;
}
