import fc from 'fast-check';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadHeapSeries } from '../../src/adapters/load-series.js';
import { readRunDir } from '../../src/adapters/run-reader.js';
import { segmentPhases, type SeriesValue } from '../../src/analyze/phases.js';
import { decideVerdict } from '../../src/analyze/verdict.js';

async function analyse(dir: string) {
  const [target] = await loadHeapSeries(dir, await readRunDir(dir));
  const input = target!.series.map((p) => ({ t: p.t, bytes: p.heapInuseBytes, stale: p.stale }));
  const phases = segmentPhases(input);
  return { phases, verdict: decideVerdict(input, phases, { samplingPeriodBytes: target!.summaries[0]!.samplingPeriodBytes }) };
}

describe('verdict on the example workload, collected from the running program', () => {
  it('plateau (90 s): not a leak; growth that would matter is not ruled out yet, and the reason says how long would settle it', async () => {
    const { verdict } = await analyse('test/fixtures/runs/plateau');
    expect(verdict).toMatchObject({ kind: 'inconclusive', rule: 'unresolved' });
    expect(verdict.points).toBeGreaterThanOrEqual(6);
    expect(verdict.reason).toMatch(/cannot be ruled out, above the [\d.]+ MiB\/h that would matter \(100% of the [\d.]+ MiB heap per hour\); .*(collect for about \d+ more minutes|a longer run shows whether it continues)/);
  });

  it('leak → leak, with a positive slope interval and a small p-value', async () => {
    const { verdict, phases } = await analyse('test/fixtures/runs/leak');
    expect(verdict.kind).toBe('leak');
    expect(verdict.slopeLowBytesPerHour).toBeGreaterThan(0);
    expect(verdict.pValue).toBeLessThan(0.01);
    expect(phases.at(-1)!.kind).toBe('steady-growth');
    expect(verdict.reason).toMatch(/grows steadily/);
  });

  it('spike → not a leak, and the burst is a spike phase', async () => {
    const { verdict, phases } = await analyse('test/fixtures/runs/spike');
    expect(verdict.kind).not.toBe('leak');
    const spike = phases.find((p) => p.kind === 'spike');
    expect(spike).toBeDefined();
    // The burst (processBundleBurst) starts 20 s into the run and is held 5 s: the spike phase covers it,
    // and the heap is back near where it started when the spike ends.
    const t0 = phases[0]!.startT;
    expect((spike!.startT - t0) / 1000).toBeGreaterThanOrEqual(15);
    expect((spike!.startT - t0) / 1000).toBeLessThanOrEqual(22);
    expect((spike!.endT - t0) / 1000).toBeGreaterThanOrEqual(24);
    expect((spike!.endT - t0) / 1000).toBeLessThanOrEqual(35);
    const before = phases[phases.indexOf(spike!) - 1]!;
    expect(Math.abs(spike!.endBytes - before.endBytes)).toBeLessThan(0.25 * before.endBytes);
  });

  it('sawtooth (90 s, flushed every 4 s) → not a leak', async () => {
    expect((await analyse('test/fixtures/runs/sawtooth')).verdict.kind).not.toBe('leak');
  });

  it('a run of repeated identical profiles is stale, and inconclusive', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'heaplens-stale-'));
    mkdirSync(join(dir, 'svc'));
    const snapshots = [];
    for (let i = 0; i < 20; i++) {
      const file = `svc/heap-${String(i).padStart(6, '0')}.pb.gz`;
      copyFileSync('test/fixtures/runs/plateau/operator-sim/heap-000050.pb.gz', join(dir, file));
      snapshots.push({ target: 'svc', kind: 'heap', index: i, scheduledAt: 1e12 + i * 1000, t: 1e12 + i * 1000, durationMs: 5, status: 'ok', file, bytes: 1, error: null });
    }
    writeFileSync(join(dir, 'run.json'), JSON.stringify({ schemaVersion: 1, name: 'stale', start: new Date(1e12).toISOString(), end: null, intervalMs: 1000, targets: [{ name: 'svc', url: 'x' }], snapshots, events: [] }));
    const { verdict } = await analyse(dir);
    expect(verdict.kind).toBe('inconclusive');
    expect(verdict.reason).toMatch(/19 of 20 snapshots are stale/);
  });
});

describe('segmentation', () => {
  const series = (ys: number[], stale: boolean[] = []): SeriesValue[] => ys.map((bytes, i) => ({ t: 1e12 + i * 1000, bytes, stale: stale[i] ?? false }));
  // Deterministic pseudo-noise.
  const noise = (i: number, amp: number): number => Math.round(amp * Math.sin(i * 12.9898) * 43758.5453 % 1);

  it('finds a flat series flat, a line a line, and a burst a spike', () => {
    const flat = series(Array.from({ length: 40 }, (_, i) => 50e6 + noise(i, 2e5)));
    expect(segmentPhases(flat).map((p) => p.kind)).toEqual(['plateau']);
    const line = series(Array.from({ length: 40 }, (_, i) => 20e6 + i * 1e6 + noise(i, 2e5)));
    expect(segmentPhases(line).map((p) => p.kind)).toEqual(['steady-growth']);
    const burst = series(Array.from({ length: 60 }, (_, i) => (i >= 20 && i < 28 ? 90e6 : 30e6) + noise(i, 2e5)));
    expect(segmentPhases(burst).map((p) => p.kind)).toContain('spike');
    expect(decideVerdict(burst, segmentPhases(burst), { samplingPeriodBytes: 512 * 1024 }).kind).not.toBe('leak');
  });

  it('never counts stale points: a run of repeats is not a plateau of measurements', () => {
    // Measured once every 5 snapshots, each time 3 MB higher: one rise, whatever the repeats in between.
    const ys = Array.from({ length: 30 }, (_, i) => 10e6 + Math.floor(i / 5) * 3e6);
    const stale = ys.map((_, i) => i % 5 !== 0);
    expect(segmentPhases(series(ys, stale)).map((p) => [p.kind, p.start, p.end])).toEqual([['steady-growth', 0, 29]]);
    // Counted as measurements, the repeats would make plateaus between the steps.
    expect(segmentPhases(series(ys)).map((p) => p.kind)).toContain('plateau');
  });

  it('is unchanged when the series is scaled', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1_000_000, max: 100_000_000 }), { minLength: 3, maxLength: 60 }), fc.integer({ min: 2, max: 64 }), (ys, k) => {
        const a = segmentPhases(series(ys)).map((p) => [p.kind, p.start, p.end]);
        const b = segmentPhases(series(ys.map((y) => y * k))).map((p) => [p.kind, p.start, p.end]);
        expect(b).toEqual(a);
      }),
      { numRuns: 150, seed: 11 },
    );
  });
});
