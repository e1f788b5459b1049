// The example workload for the capture scripts (make-fixtures.mjs,
// make-verdict-runs.mjs): built once with Go into a temporary directory,
// started on 127.0.0.1 at a port of its choosing, and its URL read from the
// line it prints when it listens.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Builds examples/operator-sim; returns { binary, remove }. */
export function buildOperatorSim(root) {
  const build = mkdtempSync(join(tmpdir(), 'operator-sim-'));
  const binary = join(build, 'operator-sim');
  execFileSync('go', ['build', '-o', binary, '.'], { cwd: join(root, 'examples/operator-sim'), stdio: 'inherit' });
  return { binary, remove: () => rmSync(build, { recursive: true, force: true }) };
}

/** Starts the workload in `mode`; resolves { child, base } once it listens, rejects if it exits first. */
export function startOperatorSim(binary, mode, extraArgs = [], env = {}) {
  const child = spawn(binary, ['--mode', mode, '--seed', '1', '--listen', '127.0.0.1:0', ...extraArgs], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  return new Promise((resolvePromise, reject) => {
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(buf);
      if (m) resolvePromise({ child, base: m[1] });
    });
    child.on('exit', (code) => reject(new Error(`operator-sim --mode ${mode} exited with ${code}`)));
  });
}
