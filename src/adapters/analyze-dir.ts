import type { RunInput } from '../analyze/analyze-run.js';
import type { RunSource } from '../model/run.js';
import { VERSION } from '../version.js';
import { loadHeapSeries } from './load-series.js';
import { readRunDir } from './run-reader.js';
import { loadComponentRules } from './rule-packs.js';
import { readProfileFile } from './profile-file.js';
import { componentPaths, type CallPath } from '../analyze/root-causes.js';
import { join } from 'node:path';
import { loadAlertRules } from './alert-rules-file.js';
import { loadCatalog } from './recommendation-catalog.js';

export interface RunInputOptions {
  /** An alert rule file; null or absent: the built-in pair. */
  readonly alertsFile?: string | null;
  /** Recommendation catalogs tried before the built-in one. */
  readonly catalogFiles?: readonly string[];
}

/** Reads a run directory into analysis input, streaming its profiles (see loadHeapSeries). */
export async function loadRunInput(dir: string, componentFiles: readonly string[] = [], options: RunInputOptions = {}): Promise<RunInput> {
  return (await loadRun(dir, componentFiles, options)).input;
}

/** loadRunInput, and the run as read (which snapshot is which file), for what reads profiles again (report.html's flame graphs). */
export async function loadRun(dir: string, componentFiles: readonly string[] = [], options: RunInputOptions = {}): Promise<{ input: RunInput; source: RunSource }> {
  const rules = loadComponentRules(componentFiles);
  // Rule files first: a typo there should not wait for the profiles to be read.
  const alertRules = loadAlertRules(options.alertsFile ?? null);
  const catalog = loadCatalog(options.catalogFiles ?? []);
  const run = await readRunDir(dir);
  const series = await loadHeapSeries(dir, run, rules);
  // One more read per target: the peak profile, for its components' call paths.
  const peakPaths = await Promise.all(
    series.map(async (s, i) => {
      if (s.series.length === 0) return new Map<string, CallPath[]>();
      const peak = s.series.reduce((best, p, j) => (p.heapInuseBytes > s.series[best]!.heapInuseBytes ? j : best), 0);
      const heaps = run.targets[i]!.snapshots.filter((x) => x.kind === 'heap');
      const profile = await readProfileFile(join(dir, heaps[peak]!.file), { labels: false });
      const inuse = profile.sampleTypes.findIndex((t) => t.type === 'inuse_space');
      return inuse >= 0 ? componentPaths(profile, inuse, rules) : new Map<string, CallPath[]>();
    }),
  );
  const input: RunInput = {
    name: run.name,
    start: run.start !== null ? new Date(run.start).toISOString() : null,
    end: run.end !== null ? new Date(run.end).toISOString() : null,
    layout: run.layout,
    toolVersion: VERSION,
    rules: rules.map((r) => ({ name: r.name, optimizable: r.optimizable, note: r.note })),
    alertRules,
    catalog,
    targets: series.map((s, i) => ({
      name: s.target,
      series: s.series,
      sites: s.summaries.map((x) => x.sites),
      siteVariances: s.summaries.map((x) => x.siteVariances),
      components: s.summaries.map((x) => x.components),
      functions: s.summaries.map((x) => x.functions),
      peakPaths: peakPaths[i]!,
      goroutineProfiles: s.goroutines.map((g) => ({ index: g.index, t: g.t, count: g.summary.count, stacks: g.summary.stacks })),
      metrics: run.targets[i]!.metrics,
      samplingPeriodBytes: s.summaries[0]?.samplingPeriodBytes ?? 512 * 1024,
      intervalMs: run.intervalMs,
      events: run.targets[i]!.events ?? [],
    })),
  };
  return { input, source: run };
}
