import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRunInput } from '../../src/adapters/analyze-dir.js';
import { analyzeRun } from '../../src/analyze/analyze-run.js';
import { encode, P } from '../helpers/proto-writer.js';

/** A goroutine profile: `leaked` goroutines parked in main.handleWatch, 3 in main.serve. */
function goroutineProfile(leaked: number): Uint8Array {
  const strings = ['', 'goroutine', 'count', 'runtime.gopark', 'main.handleWatch', 'main.startWatch', 'main.serve'];
  return encode([
    P.valueType(1, 1, 2),
    P.sample([1, 2, 3], [leaked]),
    P.sample([1, 4], [3]),
    P.loc(1, [[1, 1]]),
    P.loc(2, [[2, 1]]),
    P.loc(3, [[3, 1]]),
    P.loc(4, [[4, 1]]),
    P.fn(1, 3),
    P.fn(2, 4),
    P.fn(3, 5),
    P.fn(4, 6),
    ...P.strings(strings),
  ]);
}

describe('goroutines', () => {
  it('names the stack whose goroutines pile up, from goroutine profiles', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'heaplens-gr-'));
    mkdirSync(join(dir, 'svc'));
    const snapshots = [];
    for (let i = 0; i < 12; i++) {
      const t = 1.8e12 + i * 1000;
      const heap = `svc/heap-${String(i).padStart(6, '0')}.pb.gz`;
      copyFileSync(`test/fixtures/runs/plateau/operator-sim/heap-0000${String(40 + i)}.pb.gz`, join(dir, heap));
      const gr = `svc/goroutine-${String(i).padStart(6, '0')}.pb`;
      writeFileSync(join(dir, gr), goroutineProfile(5 + i * 4));
      snapshots.push({ target: 'svc', kind: 'heap', index: i, scheduledAt: t, t, durationMs: 1, status: 'ok', file: heap, bytes: 1, error: null });
      snapshots.push({ target: 'svc', kind: 'goroutine', index: i, scheduledAt: t, t: t + 1, durationMs: 1, status: 'ok', file: gr, bytes: 1, error: null });
    }
    writeFileSync(join(dir, 'run.json'), JSON.stringify({ schemaVersion: 1, name: 'gr', start: new Date(1.8e12).toISOString(), end: null, intervalMs: 1000, targets: [{ name: 'svc', url: 'x' }], snapshots, events: [] }));
    const g = analyzeRun(await loadRunInput(dir)).targets[0]!.goroutines!;
    expect(g.source).toBe('goroutine profiles');
    expect([g.first, g.last]).toEqual([8, 52]);
    expect(g.growing).toBe(true);
    expect(g.growingStacks).toHaveLength(1);
    expect(g.growingStacks[0]!.stack).toEqual(['runtime.gopark', 'main.handleWatch', 'main.startWatch']);
    expect([g.growingStacks[0]!.from, g.growingStacks[0]!.to]).toEqual([5, 49]);
  });

  it('the example workload keeps a steady goroutine count', async () => {
    const g = analyzeRun(await loadRunInput('test/fixtures/runs/leak')).targets[0]!.goroutines!;
    expect(g.source).toBe('goroutine profiles');
    expect(g.growing).toBe(false);
    expect(g.growingStacks).toEqual([]);
  });
});
