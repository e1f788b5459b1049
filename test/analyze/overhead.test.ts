import { describe, expect, it } from 'vitest';
import { loadHeapSeries } from '../../src/adapters/load-series.js';
import { readRunDir } from '../../src/adapters/run-reader.js';
import { OVERHEAD_METRICS, decomposeOverhead } from '../../src/analyze/overhead.js';
import { metricsAt } from '../../src/analyze/series.js';

describe('overhead decomposition on the example workload', () => {
  for (const mode of ['plateau', 'leak', 'spike', 'sawtooth']) {
    it(`${mode}: parts add up to RSS − heap at peak RSS, from the runtime's own figures`, async () => {
      const dir = `test/fixtures/runs/${mode}`;
      const run = await readRunDir(dir);
      const [target] = await loadHeapSeries(dir, run);
      const peak = target!.series.reduce((a, b) => ((b.rssBytes ?? 0) > (a.rssBytes ?? 0) ? b : a));
      const memstats = metricsAt(run.targets[0]!.metrics, OVERHEAD_METRICS, peak.t, 500);
      const o = decomposeOverhead(peak.rssBytes!, peak.heapInuseBytes, memstats)!;
      expect(o.bytes).toBe(peak.rssBytes! - peak.heapInuseBytes);
      expect(o.parts.reduce((s, p) => s + p.bytes, 0)).toBe(o.bytes);
      expect(o.share).toBeGreaterThan(0);
      expect(o.share).toBeLessThan(1);
      // Stacks and runtime metadata are real, positive, and small next to the heap.
      const byName = new Map(o.parts.map((p) => [p.name.split(' ')[0] + ' ' + p.name.split(' ')[1], p.bytes]));
      expect(byName.get('goroutine and')).toBeGreaterThan(0);
      expect(byName.get('runtime metadata')).toBeGreaterThan(0);
      expect(byName.get('runtime metadata')!).toBeLessThan(peak.heapInuseBytes);
    });
  }

  it('is unknown (null) without the runtime metrics', () => {
    expect(decomposeOverhead(100e6, 50e6, new Map())).toBeNull();
  });
});
