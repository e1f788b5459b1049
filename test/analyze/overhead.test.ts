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
      // Each part is the runtime's own figure, read from the scraped metrics (not derived from the others).
      const m = (name: string): number => memstats.get(name)!;
      const part = (prefix: string): number => o.parts.find((p) => p.name.startsWith(prefix))!.bytes;
      expect(part('heap in use beyond')).toBe(m('go_memstats_heap_inuse_bytes') - peak.heapInuseBytes);
      expect(part('heap idle')).toBe(m('go_memstats_heap_idle_bytes') - m('go_memstats_heap_released_bytes'));
      expect(part('goroutine and thread stacks')).toBe(m('go_memstats_stack_sys_bytes'));
      expect(part('runtime metadata')).toBe(
        m('go_memstats_mspan_inuse_bytes') + m('go_memstats_mcache_inuse_bytes') + m('go_memstats_gc_sys_bytes') + m('go_memstats_buck_hash_sys_bytes') + m('go_memstats_other_sys_bytes'),
      );
      // The remainder closes the account: RSS − heap in all.
      expect(o.bytes).toBe(peak.rssBytes! - peak.heapInuseBytes);
      expect(part('non-Go remainder')).toBe(o.bytes - part('heap in use beyond') - part('heap idle') - part('goroutine and thread stacks') - part('runtime metadata'));
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
