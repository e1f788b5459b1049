import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | null = null;

/**
 * The installed package's directory (where package.json, rules/ and
 * dist/ are), found by walking up from this module: the same from src/
 * (tests), dist/ (tsc's output) and the bundled CLI (dist/cli/main.js).
 */
export function packageRoot(): string {
  if (root !== null) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'heaplens') return (root = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error(`heaplens' package.json not found above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

/** A file of the package, by its path from the package root. */
export function packageFile(...parts: string[]): string {
  return join(packageRoot(), ...parts);
}
