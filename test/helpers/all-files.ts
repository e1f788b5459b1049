import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every byte written under a directory, as text: for checking that a secret appears nowhere. */
export function everything(dir: string): string {
  let out = '';
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    out += statSync(p).isDirectory() ? everything(p) : readFileSync(p).toString('latin1');
  }
  return out;
}
