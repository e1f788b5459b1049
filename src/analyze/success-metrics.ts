import type { SuccessMetrics, TargetReport } from '../model/report.js';
import { median } from './stats.js';

/**
 * The run's baseline and the targets a later run is held to (default: 25%
 * less peak heap and peak RSS), for `compare` to check. A leaking run's
 * first target is to stop leaking.
 */
export function successMetrics(
  t: Pick<TargetReport, 'peak' | 'series' | 'verdict' | 'overhead'>,
  windowPositions: readonly number[],
  reduction: number,
): SuccessMetrics {
  const steady = windowPositions.map((i) => t.series[i]!).filter((p) => !p.stale).map((p) => p.heapInuseBytes);
  const baseline = {
    peakHeapBytes: t.peak.heapInuseBytes,
    peakRssBytes: t.peak.rssBytes,
    steadyHeapBytes: steady.length > 0 ? median(steady) : null,
    steadySlopeBytesPerHour: t.verdict.slopeBytesPerHour,
    overheadBytes: t.overhead?.bytes ?? null,
    verdict: t.verdict.kind,
  };
  const target = (metric: 'peakHeapBytes' | 'peakRssBytes', value: number | null): SuccessMetrics['targets'] =>
    value === null || value <= 0 ? [] : [{ metric, baseline: value, target: Math.round(value * (1 - reduction)), reduction }];
  return {
    baseline,
    targets: [...target('peakHeapBytes', baseline.peakHeapBytes), ...target('peakRssBytes', baseline.peakRssBytes)],
    leakFree: t.verdict.kind === 'leak',
  };
}
