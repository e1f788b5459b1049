import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadHeapSeries } from '../../src/adapters/load-series.js';
import { RunReadError, readRunDir } from '../../src/adapters/run-reader.js';

const MODES = ['plateau', 'leak', 'spike', 'sawtooth'];

/** The exact total go tool pprof printed for a snapshot (its -unit=B golden). */
function pprofTotal(mode: string, index: number): number {
  const text = readFileSync(`test/fixtures/golden/${mode}-heap-${String(index).padStart(6, '0')}.top20-bytes.txt`, 'utf8');
  return Number(/of (\d+)B total/.exec(text)![1]);
}

describe('heap series from the example workload runs', () => {
  for (const mode of MODES) {
    it(`${mode}: totals per snapshot equal go tool pprof's, in time order, with RSS`, async () => {
      const dir = `test/fixtures/runs/${mode}`;
      const run = await readRunDir(dir);
      expect(run.layout).toBe('heaplens');
      const [target] = await loadHeapSeries(dir, run);
      expect(target!.target).toBe('operator-sim');
      const series = target!.series;
      expect(series.length).toBeGreaterThanOrEqual(85);
      for (const p of series) expect(p.heapInuseBytes).toBe(pprofTotal(mode, p.index));
      expect(series.every((p, i) => i === 0 || p.t > series[i - 1]!.t)).toBe(true);
      expect(series.every((p) => p.rssBytes !== null && p.rssBytes > p.heapInuseBytes)).toBe(true);
    });
  }

  it('marks a snapshot stale exactly when its profile repeats the previous one, and says the GC count agrees', async () => {
    const dir = 'test/fixtures/runs/leak';
    const [target] = await loadHeapSeries(dir, await readRunDir(dir));
    const series = target!.series;
    const stale = series.filter((p) => p.stale);
    expect(stale.length).toBeGreaterThan(10);
    for (const p of stale) {
      const prev = series[series.indexOf(p) - 1]!;
      expect(p.heapInuseBytes).toBe(prev.heapInuseBytes);
      expect(p.allocBytes).toBe(prev.allocBytes);
    }
    // Most stale marks are corroborated by an unchanged go_memstats_num_gc.
    expect(stale.filter((p) => p.staleEvidence === 'both').length).toBeGreaterThan(stale.length * 0.8);
    // A snapshot whose heap changed is never stale.
    for (const [i, p] of series.entries()) if (i > 0 && p.allocBytes !== series[i - 1]!.allocBytes) expect(p.stale).toBe(false);
  });
});

describe('run directory reader', () => {
  it("reads operator-controller's layout (<component>/heapN.pprof), ordered by N and timed by the profiles", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'heaplens-oc-'));
    mkdirSync(join(dir, 'operator-controller'));
    for (const n of [0, 1, 2, 10]) copyFileSync(`test/fixtures/runs/leak/operator-sim/heap-${String(n * 2).padStart(6, '0')}.pb.gz`, join(dir, 'operator-controller', `heap${n}.pprof`));
    copyFileSync('test/fixtures/profiles/cpu.pb.gz', join(dir, 'operator-controller', 'cpu0.pprof'));
    const run = await readRunDir(dir);
    expect(run.layout).toBe('operator-controller');
    const t = run.targets[0]!;
    expect(t.name).toBe('operator-controller');
    const heaps = t.snapshots.filter((s) => s.kind === 'heap');
    expect(heaps.map((s) => s.index)).toEqual([0, 1, 2, 10]);
    expect(heaps.every((s, i) => i === 0 || s.t > heaps[i - 1]!.t)).toBe(true);
    expect(t.snapshots.filter((s) => s.kind === 'cpu')).toHaveLength(1);
    const [series] = await loadHeapSeries(dir, run);
    expect(series!.series[3]!.heapInuseBytes).toBe(pprofTotal('leak', 20));
  });

  function runCopy(edit: (dir: string) => void): string {
    const dir = mkdtempSync(join(tmpdir(), 'heaplens-read-'));
    mkdirSync(join(dir, 'operator-sim'));
    copyFileSync('test/fixtures/runs/plateau/run.json', join(dir, 'run.json'));
    for (const f of ['heap-000000.pb.gz', 'heap-000001.pb.gz', 'metrics.jsonl']) copyFileSync(`test/fixtures/runs/plateau/operator-sim/${f}`, join(dir, 'operator-sim', f));
    edit(dir);
    return dir;
  }

  it('reads up to the last complete snapshot: files the manifest names but that are missing are skipped, a cut last metric line ignored', async () => {
    const dir = runCopy((d) => writeFileSync(join(d, 'operator-sim/metrics.jsonl'), readFileSync(join(d, 'operator-sim/metrics.jsonl'), 'utf8') + '{"t": 17000000'));
    const run = await readRunDir(dir);
    expect(run.targets[0]!.snapshots.filter((s) => s.kind === 'heap')).toHaveLength(2);
    expect(run.targets[0]!.metrics.length).toBeGreaterThan(0);
  });

  it('names the line of a malformed metric in the middle of metrics.jsonl', async () => {
    const dir = runCopy((d) => writeFileSync(join(d, 'operator-sim/metrics.jsonl'), '{"t":1,"name":"x","labels":{},"value":1}\nnot json\n{"t":2,"name":"x","labels":{},"value":2}\n'));
    await expect(readRunDir(dir)).rejects.toThrow(/metrics\.jsonl:2: malformed metric line \(not JSON\)/);
  });

  it('refuses a manifest whose snapshot path leads outside the run directory', async () => {
    const dir = runCopy((d) => {
      const m = JSON.parse(readFileSync(join(d, 'run.json'), 'utf8')) as { snapshots: { file: string }[] };
      m.snapshots[0]!.file = '../../etc/passwd';
      writeFileSync(join(d, 'run.json'), JSON.stringify(m));
    });
    await expect(readRunDir(dir)).rejects.toThrow(RunReadError);
    await expect(readRunDir(dir)).rejects.toThrow(/leads outside the run directory/);
  });

  it('says when a directory holds no run', async () => {
    await expect(readRunDir(mkdtempSync(join(tmpdir(), 'heaplens-empty-')))).rejects.toThrow(/no run here/);
  });
});
