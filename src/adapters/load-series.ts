import { join } from 'node:path';
import type { RunSource } from '../model/run.js';
import { buildSeries, type SeriesPoint } from '../analyze/series.js';
import { summarizeGoroutines, summarizeHeap, type GoroutineSummary, type HeapSummary } from '../analyze/snapshot-summary.js';
import type { ComponentRule } from '../analyze/components.js';
import { readProfileFile } from './profile-file.js';

export interface TargetSeries {
  readonly target: string;
  readonly series: SeriesPoint[];
  readonly summaries: HeapSummary[];
  /** Goroutine profiles, when collected: time and counts per stack. */
  readonly goroutines: { readonly index: number; readonly t: number; readonly summary: GoroutineSummary }[];
}

/**
 * Streams a run's heap snapshots: each profile is read, summarised and
 * dropped before the next, so memory grows with the number of snapshots'
 * summaries, not their profiles.
 */
export async function loadHeapSeries(dir: string, run: RunSource, rules: readonly ComponentRule[] = []): Promise<TargetSeries[]> {
  const out: TargetSeries[] = [];
  for (const target of run.targets) {
    const heaps = target.snapshots.filter((s) => s.kind === 'heap');
    const summaries: HeapSummary[] = [];
    for (const s of heaps) summaries.push(summarizeHeap(await readProfileFile(join(dir, s.file), { labels: false }), rules));
    const series = buildSeries(
      heaps.map((s, i) => ({ index: s.index, t: s.t, summary: summaries[i]! })),
      target.metrics,
      run.intervalMs,
    );
    const goroutines = [];
    for (const g of target.snapshots.filter((x) => x.kind === 'goroutine')) {
      goroutines.push({ index: g.index, t: g.t, summary: summarizeGoroutines(await readProfileFile(join(dir, g.file), { labels: false })) });
    }
    out.push({ target: target.name, series, summaries, goroutines });
  }
  return out;
}
