import type { RunInput } from '../analyze/analyze-run.js';
import { VERSION } from '../version.js';
import { loadHeapSeries } from './load-series.js';
import { readRunDir } from './run-reader.js';
import { loadComponentRules } from './rule-packs.js';

/** Reads a run directory into analysis input, streaming its profiles (see loadHeapSeries). */
export async function loadRunInput(dir: string, componentFiles: readonly string[] = []): Promise<RunInput> {
  const rules = loadComponentRules(componentFiles);
  const run = await readRunDir(dir);
  const series = await loadHeapSeries(dir, run, rules);
  return {
    name: run.name,
    start: run.start !== null ? new Date(run.start).toISOString() : null,
    end: run.end !== null ? new Date(run.end).toISOString() : null,
    layout: run.layout,
    toolVersion: VERSION,
    rules: rules.map((r) => ({ name: r.name, optimizable: r.optimizable, note: r.note })),
    targets: series.map((s, i) => ({
      name: s.target,
      series: s.series,
      sites: s.summaries.map((x) => x.sites),
      components: s.summaries.map((x) => x.components),
      metrics: run.targets[i]!.metrics,
      samplingPeriodBytes: s.summaries[0]?.samplingPeriodBytes ?? 512 * 1024,
      intervalMs: run.intervalMs,
    })),
  };
}
