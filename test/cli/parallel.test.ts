import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

// The built CLI with the sample passes split across two threads (forced on
// small profiles) must print exactly what go tool pprof printed (the goldens).
const goldens = readdirSync('test/fixtures/golden')
  .filter((f) => /^(leak-heap-0000[0-3][05]|synthetic-deep-inline)\.(top20|lines20|top)\.txt$/.test(f))
  .map((file) => {
    const text = readFileSync(`test/fixtures/golden/${file}`, 'utf8');
    const newline = text.indexOf('\n');
    return { file, pprofArgs: text.slice('# go tool pprof '.length, newline).split(' '), expected: text.slice(newline + 1) };
  });

describe('top on two threads (HEAPLENS_PARALLEL=always) equals go tool pprof', () => {
  it('covers some goldens', () => {
    expect(goldens.length).toBeGreaterThanOrEqual(10);
  });
  for (const g of goldens) {
    it(g.file, async () => {
      const file = g.pprofArgs[g.pprofArgs.length - 1]!;
      const args = ['dist/cli/main.js', 'top', file];
      if (g.pprofArgs.includes('-nodecount=20')) args.push('--nodecount', '20');
      if (g.pprofArgs.includes('-lines')) args.push('--lines');
      const { stdout } = await run('node', args, { env: { ...process.env, HEAPLENS_PARALLEL: 'always' } });
      expect(stdout).toBe(g.expected);
    });
  }
});
