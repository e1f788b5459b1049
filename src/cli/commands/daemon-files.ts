import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Files `start` and its background collector keep in the run directory. */
export const PID_FILE = 'collector.pid';
export const LOCK_FILE = '.lock';

/** In the background collector: the pid file says who writes this run; removed when it ends. */
export function announceDaemon(dir: string): () => void {
  if (process.env.HEAPLENS_DAEMON !== '1') return () => {};
  writeFileSync(join(dir, PID_FILE), `${process.pid}\n`);
  return () => {
    rmSync(join(dir, PID_FILE), { force: true });
    rmSync(join(dir, LOCK_FILE), { force: true });
  };
}
