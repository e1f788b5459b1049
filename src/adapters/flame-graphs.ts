import { join } from 'node:path';
import { buildFlameGraph, type FlameSide } from '../analyze/flame-graph.js';
import type { TargetFlameGraphs } from '../model/flame.js';
import type { Report } from '../model/report.js';
import type { RunSource } from '../model/run.js';
import { resolveSampleType } from '../pprof/sample-type.js';
import { readProfileFile } from './profile-file.js';

/**
 * Reads the two profiles each target's flame graphs need (the peak heap
 * snapshot, and the growth base: the first snapshot after init, else the
 * first) from the run directory the report was made from, as analysis read
 * it (`run`: a manifest-less run is only timed by decoding every profile).
 */
export async function loadFlameGraphs(dir: string, report: Report, run: RunSource): Promise<TargetFlameGraphs[]> {
  return Promise.all(
    report.targets.map(async (t): Promise<TargetFlameGraphs> => {
      const heaps = run.targets.find((x) => x.name === t.name)?.snapshots.filter((s) => s.kind === 'heap') ?? [];
      const side = async (index: number): Promise<FlameSide | null> => {
        const snapshot = heaps.find((s) => s.index === index);
        if (!snapshot) return null;
        const profile = await readProfileFile(join(dir, snapshot.file), { labels: false });
        const byName = profile.sampleTypes.findIndex((x) => x.type === 'inuse_space');
        return { profile, sampleIndex: byName >= 0 ? byName : resolveSampleType(profile), snapshot: index };
      };
      const peak = await side(t.peak.heapSnapshot);
      if (!peak) return { target: t.name, peak: null, diff: null };
      const baseIndex = t.growth?.fromIndex ?? t.series[0]?.index ?? -1;
      const base = baseIndex === t.peak.heapSnapshot ? peak : await side(baseIndex);
      return { target: t.name, peak: buildFlameGraph(peak), diff: base ? buildFlameGraph(peak, base) : null };
    }),
  );
}
