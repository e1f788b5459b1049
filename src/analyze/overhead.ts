/**
 * RSS − heap decomposed from the Go runtime's own accounting (go_memstats_*):
 * see Overhead in the report model.
 */
import type { OverheadPart, Overhead } from '../model/report.js';

/** go_memstats_* names this decomposition reads. */
export const OVERHEAD_METRICS = [
  'go_memstats_heap_inuse_bytes',
  'go_memstats_heap_idle_bytes',
  'go_memstats_heap_released_bytes',
  'go_memstats_stack_sys_bytes',
  'go_memstats_mspan_inuse_bytes',
  'go_memstats_mcache_inuse_bytes',
  'go_memstats_gc_sys_bytes',
  'go_memstats_buck_hash_sys_bytes',
  'go_memstats_other_sys_bytes',
] as const;

/**
 * Splits RSS − heap into: heap spans in use beyond what the profile counts
 * (objects allocated since the last GC, fragmentation, sampling error);
 * heap idle but not released to the OS (kept by the runtime for reuse);
 * stacks; runtime metadata (span and cache structures, GC metadata, profiling
 * buckets, other runtime allocations); and the non-Go remainder (the binary's
 * pages, C libraries, cgo). Null when the metrics were not scraped.
 */
export function decomposeOverhead(rssBytes: number, heapBytes: number, memstats: ReadonlyMap<string, number>): Overhead | null {
  const m = (name: (typeof OVERHEAD_METRICS)[number]): number | undefined => memstats.get(name);
  const values = OVERHEAD_METRICS.map((n) => m(n));
  if (values.some((v) => v === undefined)) return null;
  const heapInuse = m('go_memstats_heap_inuse_bytes')!;
  const idleKept = m('go_memstats_heap_idle_bytes')! - m('go_memstats_heap_released_bytes')!;
  const stacks = m('go_memstats_stack_sys_bytes')!;
  const metadata =
    m('go_memstats_mspan_inuse_bytes')! +
    m('go_memstats_mcache_inuse_bytes')! +
    m('go_memstats_gc_sys_bytes')! +
    m('go_memstats_buck_hash_sys_bytes')! +
    m('go_memstats_other_sys_bytes')!;
  const overhead = rssBytes - heapBytes;
  const parts: OverheadPart[] = [
    { name: 'heap in use beyond the profile (allocated since the last GC, fragmentation)', bytes: heapInuse - heapBytes },
    { name: 'heap idle, not released to the OS', bytes: idleKept },
    { name: 'goroutine and thread stacks', bytes: stacks },
    { name: 'runtime metadata (spans, caches, GC, profiling buckets, other)', bytes: metadata },
  ];
  const accounted = parts.reduce((sum, p) => sum + p.bytes, 0);
  parts.push({ name: 'non-Go remainder (binary, C libraries; negative: runtime memory reserved but not resident)', bytes: overhead - accounted });
  return { bytes: overhead, share: rssBytes > 0 ? overhead / rssBytes : 0, parts };
}

export type { OverheadPart, Overhead };
