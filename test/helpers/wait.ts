// Waiting on what the collector did rather than on guessed timings: tests that
// sleep a fixed time and then count snapshots fail on a loaded 2-core machine.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunManifest } from '../../src/model/run.js';

/** Waits until `cond` holds (checked every 100 ms); throws naming `what` after `timeoutMs`. */
export async function until(what: string, cond: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Successful heap snapshots recorded so far in a run directory (0 before run.json exists), for one target or all. */
export function storedHeaps(dir: string, target?: string): number {
  try {
    const m = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunManifest;
    return m.snapshots.filter((x) => (target === undefined || x.target === target) && x.kind === 'heap' && x.status === 'ok').length;
  } catch {
    return 0; // not written yet, or caught mid-rename: the next poll reads it
  }
}

/**
 * A command for `heaplens run -- CMD` that exits once the run directory holds `n`
 * successful heap snapshots (then with `exitCode`): the run lasts as long as the
 * test needs, however slow the machine.
 */
export function commandUntilHeaps(dir: string, n: number, exitCode = 0): string[] {
  const script =
    `const fs=require('fs');const f=${JSON.stringify(join(dir, 'run.json'))};` +
    `const ok=()=>{try{return JSON.parse(fs.readFileSync(f,'utf8')).snapshots.filter(s=>s.kind==='heap'&&s.status==='ok').length}catch{return 0}};` +
    `const t=setInterval(()=>{if(ok()>=${n}){clearInterval(t);process.exit(${exitCode})}},50);`;
  return [process.execPath, '-e', script];
}
