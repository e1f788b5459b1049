import type { Command } from 'commander';
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunDirError } from '../../adapters/run-dir.js';
import type { RunManifest } from '../../model/run.js';
import { EXIT_INPUT, UsageError } from '../errors.js';
import type { CliIo } from '../io.js';
import { addCollectFlags, collectConfig } from './collect.js';
import { connectK8s, k8sSpecs } from '../k8s-collect.js';
import { LOCK_FILE, PID_FILE } from './daemon-files.js';
import { packageFile } from '../../adapters/package-root.js';

const DAEMON_LOG = '.daemon.log';
const CLI = packageFile('dist/cli/main.js');

const sleepMs = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Whether `pid` is a live heaplens process (not a recycled pid of something else). */
function isCollector(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('collect');
  } catch {
    return true; // no /proc: trust the signal check
  }
}

function readManifest(dir: string): RunManifest | null {
  try {
    return JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunManifest;
  } catch {
    return null;
  }
}

/** Marks a run whose collector died as interrupted, ending at its last snapshot (atomically, like the collector would). */
export function repairManifest(dir: string, manifest: RunManifest, why: string): RunManifest {
  const last = manifest.snapshots.reduce((t, s) => Math.max(t, s.t + s.durationMs), Date.parse(manifest.start));
  const repaired: RunManifest = { ...manifest, status: 'interrupted', end: new Date(last).toISOString(), endReason: why };
  const tmp = join(dir, `.run.json.tmp-${process.pid}`);
  writeFileSync(tmp, JSON.stringify(repaired, null, 1) + '\n');
  renameSync(tmp, join(dir, 'run.json')); // atomic replace; the collector is gone, nothing else writes here
  return repaired;
}

export function registerDaemon(program: Command, io: CliIo, exit: (code: number) => void): void {
  addCollectFlags(program.command('start').description('collect in the background (pid file and lock in the run directory); end with heaplens stop RUN')).action(
    async (flags: { out: string } & Parameters<typeof collectConfig>[0]) => {
      // Flag, target and kubeconfig errors now, not in the background.
      const specs = k8sSpecs(flags, process.env);
      collectConfig(flags, [], specs.map((x) => x.name));
      if (specs.length > 0) await connectK8s(specs, flags, process.env);
      const dir = flags.out;
      if (existsSync(join(dir, 'run.json'))) throw new RunDirError(`${dir} already holds a run (run.json exists); choose a new --out`);
      mkdirSync(dir, { recursive: true });
      if (readdirSync(dir).some((f) => !f.startsWith('.'))) throw new RunDirError(`${dir} is not empty; choose a new --out`);
      let lock: number;
      try {
        lock = openSync(join(dir, LOCK_FILE), 'wx');
      } catch {
        throw new RunDirError(`${dir} is locked: another heaplens start is using it`);
      }
      closeSync(lock);
      const args = process.argv.slice(2);
      args[args.indexOf('start')] = 'collect';
      const log = openSync(join(dir, DAEMON_LOG), 'a');
      const child = spawn(process.execPath, ['--max-semi-space-size=4', CLI, ...args, '--quiet'], {
        detached: true,
        stdio: ['ignore', log, log],
        env: { ...process.env, HEAPLENS_DAEMON: '1' },
      });
      closeSync(log);
      child.unref();
      // Wait until the collector has written its manifest, or died trying.
      let exited: number | null = null;
      child.on('exit', (code) => (exited = code ?? 1));
      for (let waited = 0; waited < 10_000 && exited === null && !existsSync(join(dir, PID_FILE)); waited += 50) await sleepMs(50);
      if (exited !== null || !existsSync(join(dir, PID_FILE))) {
        rmSync(join(dir, LOCK_FILE), { force: true });
        const why = readFileSync(join(dir, DAEMON_LOG), 'utf8').trim().split('\n').pop() ?? 'it exited';
        io.stderr(`heaplens: the background collector did not start: ${why}\n`);
        exit(EXIT_INPUT);
        return;
      }
      io.stdout(`collecting in the background: pid ${child.pid}, run ${dir}; end it with: heaplens stop ${dir}\n`);
    },
  );

  program
    .command('stop')
    .description('end a background collection and wait for its manifest to be final')
    .argument('<run>', 'run directory given to heaplens start')
    .option('--timeout <seconds>', 'how long to wait for the collector to finish', '30')
    .action(async (dir: string, flags: { timeout: string }) => {
      const manifest = readManifest(dir);
      if (!manifest) throw new UsageError(`${dir}: no run here (run.json missing or unreadable)`);
      const pidText = existsSync(join(dir, PID_FILE)) ? readFileSync(join(dir, PID_FILE), 'utf8').trim() : '';
      const pid = Number(pidText);
      if (!pidText || !isCollector(pid)) {
        if (manifest.status === 'running') {
          repairManifest(dir, manifest, 'collector died; manifest repaired by heaplens stop');
          io.stderr(`heaplens: the collector of ${dir}${pidText ? ` (pid ${pidText})` : ''} is not running; marked the run interrupted at its last snapshot\n`);
        } else io.stderr(`heaplens: the collector of ${dir} is not running; the run already ended (${manifest.endReason ?? manifest.status})\n`);
        rmSync(join(dir, PID_FILE), { force: true });
        rmSync(join(dir, LOCK_FILE), { force: true });
        exit(EXIT_INPUT);
        return;
      }
      process.kill(pid, 'SIGTERM');
      const deadline = Date.now() + Number(flags.timeout) * 1000;
      while (isCollector(pid) && Date.now() < deadline) await sleepMs(50);
      if (isCollector(pid)) {
        io.stderr(`heaplens: the collector (pid ${pid}) did not stop within ${flags.timeout}s\n`);
        exit(EXIT_INPUT);
        return;
      }
      const final = readManifest(dir);
      const stored = final?.snapshots.filter((s) => s.status === 'ok').length ?? 0;
      io.stdout(`stopped: ${dir} (${final?.status ?? 'unknown'}, ${stored} snapshots)\n`);
    });
}

