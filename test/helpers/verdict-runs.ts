import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { unpackRuns } from '../../bench/verdict-runs.mjs';

let unpacked: Promise<string> | null = null;

/**
 * The labelled verdict benchmark's captured runs (test/fixtures/verdicts/*.tar.br),
 * unpacked once per test file into a temporary directory removed after it: the
 * directory holding `<case>/` run directories.
 */
export function verdictRuns(): Promise<string> {
  if (!unpacked) {
    const dir = mkdtempSync(join(tmpdir(), 'heaplens-verdict-runs-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    unpacked = unpackRuns('test/fixtures/verdicts', dir).then(() => dir);
  }
  return unpacked;
}
