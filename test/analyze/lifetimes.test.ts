import { describe, expect, it } from 'vitest';
import { judgeLifetimes, mergeRestarts, splitLifetimes } from '../../src/analyze/lifetimes.js';
import type { RunEvent } from '../../src/model/run.js';

const points = Array.from({ length: 10 }, (_, i) => ({ index: i, t: 1000 * i }));

describe('restarts and lifetimes', () => {
  it('one restart seen twice (metrics, then the cluster a poll later) is one restart, timed by the first and described by the cluster', () => {
    const events: RunEvent[] = [
      { t: 4100, target: 'a', kind: 'pod-restarted', message: 'container restarted: OOMKilled', pod: { name: 'p', previous: 'p', reason: 'OOMKilled', exitCode: 137, restartCount: 1 } },
      { t: 3600, target: 'a', kind: 'target-restarted', message: 'target restarted: process start time' },
      { t: 3700, target: 'a', kind: 'metrics-failed', message: 'x' },
    ];
    expect(mergeRestarts(events, points, 1500)).toEqual([
      { t: 3600, index: 4, kind: 'pod-restarted', pod: 'p', previousPod: 'p', reason: 'OOMKilled', exitCode: 137, message: 'container restarted: OOMKilled' },
    ]);
  });

  it('restarts further apart than the tolerance stay apart; one after the last snapshot has index -1', () => {
    const events: RunEvent[] = [
      { t: 2500, target: 'a', kind: 'target-restarted', message: 'r1' },
      { t: 6500, target: 'a', kind: 'pod-replaced', message: 'r2', pod: { name: 'q', previous: 'p', reason: null, exitCode: null, restartCount: 0 } },
      { t: 20_000, target: 'a', kind: 'target-restarted', message: 'r3' },
    ];
    const r = mergeRestarts(events, points, 1500);
    expect(r.map((x) => [x.t, x.index, x.kind, x.pod])).toEqual([
      [2500, 3, 'target-restarted', null],
      [6500, 7, 'pod-replaced', 'q'],
      [20_000, -1, 'target-restarted', null],
    ]);
    expect(splitLifetimes(points, r)).toEqual([
      { start: 0, end: 2 },
      { start: 3, end: 6 },
      { start: 7, end: 9 },
    ]);
  });

  it('no restart: one lifetime; a restart before the first snapshot cuts nothing', () => {
    expect(splitLifetimes(points, [])).toEqual([{ start: 0, end: 9 }]);
    expect(splitLifetimes(points, mergeRestarts([{ t: -5, target: 'a', kind: 'target-restarted', message: '' }], points, 10))).toEqual([{ start: 0, end: 9 }]);
    expect(splitLifetimes([], [])).toEqual([]);
  });

  it('each lifetime judged on its own: a leak killed and restarted is a leak; without restarts nothing changes', () => {
    let seed = 11;
    const noise = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5) * 2e5;
    // Lifetime 1: 60 snapshots rising 1 MB each (the leak, until the OOM kill). Lifetime 2: 20 snapshots flat at a lower level.
    const values = [
      ...Array.from({ length: 60 }, (_, i) => ({ t: i * 10_000, bytes: 3e7 + i * 1e6 + noise(), stale: false })),
      ...Array.from({ length: 20 }, (_, i) => ({ t: (60 + i) * 10_000, bytes: 2e7 + noise(), stale: false })),
    ];
    const whole = judgeLifetimes({ values: values, samplingPeriodBytes: 512 * 1024 }, [{ start: 0, end: 79 }]);
    const split = judgeLifetimes({ values: values, samplingPeriodBytes: 512 * 1024 }, [{ start: 0, end: 59 }, { start: 60, end: 79 }]);
    // The second lifetime is flat, but 20 snapshots cannot rule out growth of its size per hour: not a leak, not yet no-leak.
    expect(split.lifetimes.map((l) => l.verdict.kind)).toEqual(['leak', 'inconclusive']);
    expect(split.verdict.kind).toBe('leak');
    expect(split.verdict.endIndex).toBeLessThanOrEqual(59);
    expect(split.window.every((i) => i <= 59)).toBe(true);
    // No phase crosses the restart.
    for (const p of split.phases) expect(p.start < 60 === p.end < 60).toBe(true);
    // Judged as one series, the drop at the restart hides the leak: the reason lifetimes exist.
    expect(whole.verdict.kind).not.toBe('leak');
    // Without a restart the result is the plain pipeline's (one lifetime spanning everything).
    expect(judgeLifetimes({ values: values.slice(0, 60), samplingPeriodBytes: 512 * 1024 }, []).verdict).toEqual(judgeLifetimes({ values: values.slice(0, 60), samplingPeriodBytes: 512 * 1024 }, [{ start: 0, end: 59 }]).verdict);
  });
});
