import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunManifest } from '../../src/model/run.js';
import { startFaultServer, type FaultServer } from '../helpers/fault-server.js';
import { commandUntilHeaps, storedHeaps, until } from '../helpers/wait.js';
import { runBuiltCli } from '../helpers/run-cli.js';

const heaplens = (args: string[]) => runBuiltCli(args);



const newRunDir = (): string => join(mkdtempSync(join(tmpdir(), 'heaplens-daemon-')), 'run');
const manifestOf = (dir: string): RunManifest => JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunManifest;
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

let target: FaultServer;
beforeAll(async () => {
  target = await startFaultServer();
});
afterAll(async () => {
  await target.close();
});

describe('run -- CMD', () => {
  it('exits with the command\'s status when it failed', async () => {
    const r = await heaplens(['run', '--target', `sim=${target.url}`, '--out', newRunDir(), '--interval', '200ms', '--quiet', '--', 'sh', '-c', 'exit 3']);
    expect(r.code).toBe(3);
  });

  it('collects while the command runs and ends the run when it exits', async () => {
    const dir = newRunDir();
    const r = await heaplens(['run', '--target', `sim=${target.url}`, '--out', dir, '--interval', '200ms', '--quiet', '--', ...commandUntilHeaps(dir, 4)]);
    expect(r.code).toBe(0);
    const m = manifestOf(dir);
    expect(m).toMatchObject({ status: 'complete', endReason: 'command exited' });
    expect(m.snapshots.filter((s) => s.status === 'ok').length).toBeGreaterThanOrEqual(4);
    // Then analysed: the report is in the run directory.
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as { targets: { series: unknown[]; verdict: { kind: string; rule: string; reason: string } }[] };
    // The report analyses every heap snapshot the run took; a second of them can never rule out growth of the heap's size per hour.
    const heaps = m.snapshots.filter((s) => s.status === 'ok' && s.kind === 'heap').length;
    expect(report.targets[0]!.series).toHaveLength(heaps);
    expect(report.targets[0]!.verdict.kind).not.toBe('no-leak');
    if (report.targets[0]!.verdict.rule === 'too-few-points') expect(report.targets[0]!.verdict.reason).toMatch(/\(at least 6 are needed\)/);
    expect(readFileSync(join(dir, 'report.md'), 'utf8')).toMatch(/# Memory analysis/);
  });

  it('a command that cannot start: exit 127 and a message', async () => {
    const r = await heaplens(['run', '--target', `sim=${target.url}`, '--out', newRunDir(), '--quiet', '--', '/nonexistent/command']);
    expect(r.code).toBe(127);
    expect(r.stderr).toMatch(/cannot run \/nonexistent\/command/);
  });
});

describe('start / stop', () => {
  it('collects in the background, refuses a second start, and stop waits for a final manifest', async () => {
    const dir = newRunDir();
    const started = await heaplens(['start', '--target', `sim=${target.url}`, '--out', dir, '--interval', '200ms']);
    expect(started.code).toBe(0);
    expect(started.stdout).toMatch(/collecting in the background: pid \d+/);
    expect(existsSync(join(dir, 'collector.pid'))).toBe(true);
    const again = await heaplens(['start', '--target', `sim=${target.url}`, '--out', dir]);
    expect(again.code).toBe(3);
    expect(again.stderr).toMatch(/already holds a run/);
    await until('3 snapshots in the background', () => storedHeaps(dir) >= 3);
    const stopped = await heaplens(['stop', dir]);
    expect(stopped.code).toBe(0);
    const m = manifestOf(dir);
    expect(m).toMatchObject({ status: 'complete', endReason: 'stopped by heaplens stop' });
    expect(m.snapshots.filter((s) => s.status === 'ok').length).toBeGreaterThanOrEqual(3);
    expect(existsSync(join(dir, 'collector.pid'))).toBe(false);
    const twice = await heaplens(['stop', dir]);
    expect(twice.code).toBe(3);
    expect(twice.stderr).toMatch(/is not running; the run already ended/);
  });

  it('stop on a collector that was killed says so and repairs the manifest', async () => {
    const dir = newRunDir();
    await heaplens(['start', '--target', `sim=${target.url}`, '--out', dir, '--interval', '200ms']);
    await until('a first snapshot', () => storedHeaps(dir) >= 1);
    const pid = Number(readFileSync(join(dir, 'collector.pid'), 'utf8'));
    process.kill(pid, 'SIGKILL');
    await until('the collector to die', () => !alive(pid));
    const r = await heaplens(['stop', dir]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/is not running; marked the run interrupted at its last snapshot/);
    const m = manifestOf(dir);
    expect(m.status).toBe('interrupted');
    const last = Math.max(...m.snapshots.map((s) => s.t + s.durationMs));
    expect(Date.parse(m.end!)).toBe(last);
  });

  it('start with a bad flag fails in the foreground', async () => {
    const r = await heaplens(['start', '--target', 'bad', '--out', newRunDir()]);
    expect(r.code).toBe(2);
  });
});
