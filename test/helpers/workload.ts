import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const BINARY = join(tmpdir(), `heaplens-operator-sim-${process.pid}`, 'operator-sim');

/** Builds examples/operator-sim with Go (once per test process). */
export function buildWorkload(): string {
  if (!existsSync(BINARY)) {
    mkdirSync(join(BINARY, '..'), { recursive: true });
    execFileSync('go', ['build', '-o', BINARY, '.'], { cwd: resolve('examples/operator-sim'), stdio: 'inherit' });
  }
  return BINARY;
}

export interface Workload {
  readonly url: string;
  readonly child: ChildProcess;
  stop(): void;
}

/** Starts the example workload on 127.0.0.1 (a free port) and waits until it serves. */
export function startWorkload(mode: string, extra: string[] = []): Promise<Workload> {
  const child = spawn(buildWorkload(), ['--mode', mode, '--listen', '127.0.0.1:0', '--sync-delay', '500ms', ...extra], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolvePromise, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolvePromise({ url: m[1]!, child, stop: () => child.kill('SIGKILL') });
    });
    child.on('exit', (code) => reject(new Error(`operator-sim exited (${code}) before serving`)));
  });
}
