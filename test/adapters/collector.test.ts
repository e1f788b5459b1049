import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collect, type CollectConfig, type CollectEvent } from '../../src/adapters/collector.js';
import { createHttpGet } from '../../src/adapters/http-get.js';
import { RunDirError, RunDirWriter } from '../../src/adapters/run-dir.js';
import { execFileSync, spawn } from 'node:child_process';
import { runBuiltCli } from '../helpers/run-cli.js';
import type { RunManifest } from '../../src/model/run.js';
import { METRICS, startFaultServer, type FaultServer } from '../helpers/fault-server.js';
import { readRunDir } from '../../src/adapters/run-reader.js';

/** Virtual time: sleeping advances the clock at once, so schedules are exact and tests fast. */
function virtualClock(startMs = 1_700_000_000_000) {
  let now = startMs;
  return {
    now: () => now,
    advance: (ms: number) => (now += ms),
    sleep: async (ms: number) => {
      now += ms;
      await new Promise((r) => setImmediate(r));
    },
  };
}

let server: FaultServer;
let dir: string;
beforeEach(async () => {
  server = await startFaultServer();
  dir = join(mkdtempSync(join(tmpdir(), 'heaplens-collect-')), 'run');
});
afterEach(async () => {
  await server.close();
});

function config(overrides: Partial<CollectConfig> = {}): CollectConfig {
  return {
    name: 'test',
    commandLine: ['collect'],
    targets: [{ name: 'sim', url: server.url }],
    intervalMs: 1000,
    durationMs: 5000,
    profiles: ['heap'],
    gc: false,
    cpuSeconds: 1,
    maxFailures: 3,
    metricPatterns: [],
    timeoutMs: 1000,
    maxProfileBytes: 1 << 20,
    prometheus: null,
    ...overrides,
  };
}

async function run(cfg: CollectConfig, clock = virtualClock(), signal = new AbortController().signal) {
  const events: CollectEvent[] = [];
  const manifest = await collect(cfg, { now: clock.now, sleep: clock.sleep, get: createHttpGet(), writer: RunDirWriter.create(dir), event: (e) => events.push(e) }, signal);
  return { manifest, events };
}

function onDisk(): RunManifest {
  return JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunManifest;
}

describe('collect', () => {
  it('takes a snapshot at every due time and writes a consistent run directory', async () => {
    const { manifest } = await run(config({ profiles: ['heap', 'allocs'], gc: true }));
    const heaps = manifest.snapshots.filter((s) => s.kind === 'heap');
    expect(heaps.map((s) => s.scheduledAt - heaps[0]!.scheduledAt)).toEqual([0, 1000, 2000, 3000, 4000]);
    expect(manifest.snapshots.every((s) => s.status === 'ok')).toBe(true);
    expect(manifest).toEqual(onDisk());
    expect(manifest.status).toBe('complete');
    expect(manifest.endReason).toBe('duration reached');
    // Every stored snapshot is on disk with its size; nothing else is.
    const files = readdirSync(join(dir, 'sim')).filter((f) => f.endsWith('.pb.gz')).sort();
    expect(files).toEqual(manifest.snapshots.map((s) => s.file!.split('/')[1]).sort());
    for (const s of manifest.snapshots) expect(readFileSync(join(dir, s.file!)).length).toBe(s.bytes);
    expect(server.requests.filter((r) => r === '/debug/pprof/heap?gc=1')).toHaveLength(5);
    // Metrics: process_* and go_* kept, others dropped, one scrape per tick.
    const metrics = readFileSync(join(dir, 'sim/metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { name: string });
    expect(metrics.filter((m) => m.name === 'process_resident_memory_bytes')).toHaveLength(5);
    expect(metrics.some((m) => m.name === 'other_metric')).toBe(false);
  });

  it('records 500s, HTML pages, truncated bodies and non-profiles as failed scrapes, stores nothing for them', async () => {
    server.script('http-500', 'html', 'truncated', 'not-a-profile', 'ok');
    const { manifest } = await run(config({ maxFailures: 10, durationMs: 5000 }));
    const errors = manifest.snapshots.map((s) => s.error);
    expect(errors[0]).toBe('HTTP 500');
    expect(errors[1]).toMatch(/^not a profile \(an HTML page\)/);
    expect(errors[2]).toMatch(/cut off|closed|reset|terminated/);
    expect(errors[3]).toMatch(/^not a profile/);
    expect(errors[4]).toBeNull();
    expect(manifest.snapshots.filter((s) => s.file !== null)).toHaveLength(1);
    expect(readdirSync(join(dir, 'sim')).filter((f) => f.includes('heap'))).toEqual(['heap-000004.pb.gz']);
    expect(readFileSync(join(dir, 'collector.log'), 'utf8')).toMatch(/heap scrape failed: HTTP 500/);
  });

  it('stops a target after --max-failures consecutive failures and ends the run when all stopped', async () => {
    server.script('ok', 'reset', 'http-500', 'reset');
    const { manifest, events } = await run(config({ durationMs: null }));
    expect(manifest.snapshots.map((s) => s.status)).toEqual(['ok', 'failed', 'failed', 'failed']);
    expect(manifest.targets[0]!.stopReason).toBe('3 consecutive failed scrapes (--max-failures 3)');
    expect(manifest.endReason).toBe('all targets stopped');
    expect(events.some((e) => e.type === 'target-stopped')).toBe(true);
  });

  it('times out a target that does not answer, and keeps the schedule afterwards', async () => {
    server.script('slow', 'ok');
    const clock = virtualClock();
    const realNow = Date.now;
    // The scrape really waits the 300 ms timeout; let the virtual clock see it.
    const started = realNow();
    const { manifest } = await run(
      config({ timeoutMs: 300, durationMs: 3000 }),
      { ...clock, now: () => clock.now() + (realNow() - started) },
    );
    expect(manifest.snapshots[0]!.error).toBe('no complete response within 300 ms');
    expect(manifest.snapshots.slice(1).every((s) => s.status === 'ok')).toBe(true);
  });

  it('ends cleanly when interrupted, with a final manifest', async () => {
    const controller = new AbortController();
    const clock = virtualClock();
    const sleep = async (ms: number) => {
      await clock.sleep(ms);
      if (clock.now() > 1_700_000_002_500) controller.abort('SIGINT');
    };
    const { manifest } = await run(config({ durationMs: null }), { ...clock, sleep }, controller.signal);
    expect(manifest.status).toBe('interrupted');
    expect(manifest.endReason).toBe('interrupted (SIGINT)');
    expect(onDisk().status).toBe('interrupted');
    expect(existsSync(join(dir, 'sim/heap-000002.pb.gz'))).toBe(true);
  });

  it('refuses a directory that already holds a run', () => {
    RunDirWriter.create(dir).writeManifest({ snapshots: [] } as unknown as RunManifest);
    expect(() => RunDirWriter.create(dir)).toThrow(/already holds a run/);
  });
});

describe('collect --prometheus --live', () => {
  it('pulls each interval and at the end, never storing a point twice', async () => {
    const calls: URLSearchParams[] = [];
    const api = createServer((req, res) => {
      const q = new URL(req.url!, 'http://x').searchParams;
      calls.push(q);
      const values: [number, string][] = [];
      for (let t = Math.ceil(Number(q.get('start'))); t <= Number(q.get('end')); t++) values.push([t, String(t % 7)]);
      res.end(JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [{ metric: { __name__: 'x', pod: 'p' }, values }] } }));
    });
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
    const port = (api.address() as { port: number }).port;
    try {
      const prometheus = { url: `http://127.0.0.1:${port}`, queries: [{ target: 'sim', name: 'wss', query: 'container_memory_working_set_bytes' }], live: true };
      await run(config({ durationMs: 5000, prometheus }));
      expect(calls.length).toBeGreaterThanOrEqual(4);
      expect(calls[0]!.get('query')).toBe('container_memory_working_set_bytes');
      const lines = readFileSync(join(dir, 'sim/metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { name: string; t: number; labels: object });
      const wss = lines.filter((l) => l.name === 'wss');
      expect(wss.length).toBeGreaterThanOrEqual(5);
      expect(new Set(wss.map((l) => l.t)).size).toBe(wss.length);
      expect(wss[0]!.labels).toEqual({ pod: 'p' });
    } finally {
      api.close();
    }
  });
});

describe('collect: a trickling or resetting target', () => {
  it('gives up on a body trickling in (slowloris) at the timeout, and on a reset connection, then collects again', async () => {
    server.script('trickle', 'reset', 'ok');
    const { manifest } = await run(config({ durationMs: 4000, timeoutMs: 800 }), { ...virtualClock(), sleep: (ms: number) => new Promise((r) => setTimeout(r, Math.min(ms, 50))) } as ReturnType<typeof virtualClock>);
    const heap = manifest.snapshots.filter((s) => s.kind === 'heap');
    expect(heap[0]).toMatchObject({ status: 'failed', error: 'no complete response within 800 ms' });
    expect(heap[1]).toMatchObject({ status: 'failed' });
    expect(heap[1]!.error).toMatch(/connection reset|cut off|closed/);
    expect(heap.slice(2).every((s) => s.status === 'ok')).toBe(true);
    expect((await readRunDir(dir)).targets[0]!.snapshots.length).toBe(heap.length - 2);
  }, 20_000);
});

describe('collect: restarts and clock steps', () => {
  it('records a target restart (new process start time, then counters going back) and keeps collecting', async () => {
    server.setMetrics(`${METRICS}process_start_time_seconds 1.7e+09\ngo_memstats_num_gc 40\n`);
    const clock = virtualClock();
    const events: CollectEvent[] = [];
    const done = collect(
      config({ durationMs: 8000 }),
      {
        now: clock.now,
        sleep: async (ms) => {
          await clock.sleep(ms);
          const elapsed = clock.now() - 1_700_000_000_000;
          // Restarted at 3 s (a new start time), and again at 6 s with no start time exposed (GC count back to 1).
          if (elapsed >= 3000 && elapsed < 6000) server.setMetrics(`${METRICS}process_start_time_seconds 1.7e+09\ngo_memstats_num_gc 45\n`.replace('1.7e+09', '1.700000003e+09'));
          if (elapsed >= 6000) server.setMetrics(`${METRICS}go_memstats_num_gc 1\n`);
        },
        get: createHttpGet(),
        writer: RunDirWriter.create(dir),
        event: (e) => events.push(e),
      },
      new AbortController().signal,
    );
    const manifest = await done;
    const restarts = manifest.events.filter((e) => e.kind === 'target-restarted');
    expect(restarts.map((e) => e.message)).toEqual([
      'target restarted: process start time 2023-11-14T22:13:20.000Z → 2023-11-14T22:13:23.000Z',
      'target restarted: go_memstats_num_gc went back from 45 to 1',
    ]);
    expect(manifest.snapshots.filter((s) => s.status === 'ok')).toHaveLength(8);
    // Still a readable, analysable run.
    expect((await readRunDir(dir)).targets[0]!.snapshots).toHaveLength(8);
  });

  it('keeps its pace when the wall clock steps, and says so', async () => {
    const clock = virtualClock();
    let mono = 0;
    const manifest = await collect(
      config({ durationMs: 6000 }),
      {
        now: clock.now,
        monotonic: () => mono,
        sleep: async (ms) => {
          mono += ms;
          await clock.sleep(ms);
          // An NTP step back by an hour after the third tick.
          if (mono === 3000) clock.advance(-3_600_000);
        },
        get: createHttpGet(),
        writer: RunDirWriter.create(dir),
        event: () => {},
      },
      new AbortController().signal,
    );
    expect(manifest.snapshots.filter((s) => s.status === 'ok')).toHaveLength(6);
    expect(manifest.events.filter((e) => e.kind === 'clock-jump').map((e) => e.message)).toEqual(['wall clock stepped back by 3600 s; the schedule kept its pace']);
    // Due times stay on the schedule; the scrape times show the step.
    expect(manifest.snapshots.map((s) => s.scheduledAt - 1_700_000_000_000)).toEqual([0, 1000, 2000, 3000, 4000, 5000]);
    expect(manifest.snapshots[3]!.t - manifest.snapshots[2]!.t).toBeLessThan(-3_500_000);
  });
});

describe('collect: the disk fails', () => {
  it('stops on a write error with the reason, and leaves the last manifest valid (injected ENOSPC)', async () => {
    const real = RunDirWriter.create(dir);
    let writes = 0;
    const writer = {
      writeFileAtomic: (rel: string, data: Uint8Array | string) => {
        if (++writes > 3) throw new RunDirError(`cannot write ${join(dir, rel)}: no space left on device (ENOSPC)`);
        real.writeFileAtomic(rel, data);
      },
      appendLines: (rel: string, lines: readonly string[]) => real.appendLines(rel, lines),
      writeManifest: (m: RunManifest) => real.writeManifest(m),
    };
    const clock = virtualClock();
    await expect(collect(config({ durationMs: 10_000 }), { now: clock.now, sleep: clock.sleep, get: createHttpGet(), writer, event: () => {} }, new AbortController().signal)).rejects.toThrow(/no space left on device/);
    // The manifest could still be written here, so it says why the run failed.
    const manifest = onDisk();
    expect(manifest.status).toBe('failed');
    expect(manifest.endReason).toMatch(/no space left on device \(ENOSPC\)/);
    expect(manifest.snapshots.filter((s) => s.status === 'ok')).toHaveLength(3);
    expect((await readRunDir(dir)).targets[0]!.snapshots).toHaveLength(3);
  });

  const canMount = (() => {
    try {
      const probe = mkdtempSync(join(tmpdir(), 'heaplens-mount-'));
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'ignore' });
      execFileSync('umount', [probe], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

  // A real full disk needs a small filesystem: a tmpfs, where the machine lets the tests mount one.
  it.runIf(canMount)('on a really full disk (a 256 KiB tmpfs): one line naming the file and why, exit 3, the run readable', async () => {
    const mnt = mkdtempSync(join(tmpdir(), 'heaplens-full-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mnt]);
    try {
      const out = join(mnt, 'run');
      const r = await runBuiltCli(['collect', '--target', `sim=${server.url}`, '--out', out, '--interval', '100ms', '--duration', '20s', '--quiet']);
      expect(r.code).toBe(3);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^heaplens: cannot write .*: no space left on the device; the run up to the last complete snapshot is in /);
      const source = await readRunDir(out);
      expect(source.targets[0]!.snapshots.length).toBeGreaterThan(0);
      for (const s of source.targets[0]!.snapshots) expect(readFileSync(join(out, s.file)).length).toBeGreaterThan(0);
    } finally {
      execFileSync('umount', [mnt]);
    }
  }, 60_000);
});

describe('collect: the run directory stops being writable', () => {
  // Needs root (to drop to nobody) and a checkout nobody can read (not one under a private home).
  const asNobody = (() => {
    if (process.getuid?.() !== 0 || !existsSync('/usr/bin/setpriv')) return false;
    try {
      execFileSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'node', '-e', "require('fs').accessSync('dist/cli/main.js', require('fs').constants.R_OK)"], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  // Root ignores file modes, so the collector runs as nobody while the test, as root, takes its write access away.
  it.runIf(asNobody)('EACCES mid-run: one line naming the file and why, exit 3, the manifest says why and the run reads back', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'heaplens-eacces-'));
    chmodSync(parent, 0o777);
    const out = join(parent, 'run');
    const child = spawn('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'node', 'dist/cli/main.js', 'collect', '--target', `sim=${server.url}`, '--out', out, '--interval', '200ms', '--duration', '20s', '--quiet']);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise((r) => setTimeout(r, 1500));
    chmodSync(join(out, 'sim'), 0o555);
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(code).toBe(3);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^heaplens: cannot write .*\/sim\/.*: permission denied; the run up to the last complete snapshot is in /);
    const manifest = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as RunManifest;
    expect(manifest.status).toBe('failed');
    expect(manifest.endReason).toMatch(/permission denied/);
    const source = await readRunDir(out);
    expect(source.targets[0]!.snapshots.length).toBeGreaterThan(2);
  }, 30_000);
});
