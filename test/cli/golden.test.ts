import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runCliCaptured } from '../helpers/run-cli.js';
import { hasTool } from '../helpers/tools.js';

// Goldens are `go tool pprof` output (scripts/make-goldens.sh); each file's first line is the command that made it.
const GOLDEN_DIR = 'test/fixtures/golden';
const goldens = readdirSync(GOLDEN_DIR)
  .filter((f) => f.endsWith('.txt'))
  .sort()
  .map((file) => {
    const text = readFileSync(join(GOLDEN_DIR, file), 'utf8');
    const newline = text.indexOf('\n');
    const pprofArgs = text.slice('# go tool pprof '.length, newline).split(' ');
    return { file, pprofArgs, expected: text.slice(newline + 1) };
  });

/** The heaplens command line equivalent to a `go tool pprof -top ...` one. */
function heaplensArgs(pprofArgs: string[]): string[] {
  const flags: string[] = [];
  let base: string | undefined;
  let file = '';
  for (const a of pprofArgs) {
    const [flag, value] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    if (flag === '-top') continue;
    else if (flag === '-nodecount') flags.push('--nodecount', value!);
    else if (flag === '-unit') flags.push('--unit', value!);
    else if (flag === '-sample_index') flags.push('--sample-index', value!);
    else if (flag === '-lines') flags.push('--lines');
    else if (flag === '-focus') flags.push('--focus', value!.replace(/^'|'$/g, ''));
    else if (flag === '-ignore') flags.push('--ignore', value!.replace(/^'|'$/g, ''));
    else if (flag === '-diff_base') base = value;
    else if (flag.startsWith('-')) throw new Error(`golden uses a flag this test does not map: ${a}`);
    else file = a;
  }
  return base !== undefined ? ['diff', base, file, ...flags] : ['top', file, ...flags];
}

/** Rows of a pprof table printed in exact units (-unit=B / ns): name, flat, cum as integers. */
function exactRows(text: string): { name: string; flat: number; cum: number }[] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => /^\s+flat\s+flat%/.test(l));
  return lines
    .slice(start + 1)
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const m = /^\s*(-?[\d.]+)(?:B|ns)?\s+\S+\s+\S+\s+(-?[\d.]+)(?:B|ns)?\s+\S+\s\s(.*?)(?: \((?:partial-)?inline\))?$/.exec(l);
      if (!m) throw new Error(`unparsed row: ${l}`);
      return { name: m[3]!, flat: Number(m[1]), cum: Number(m[2]) };
    });
}

describe('heaplens top/diff agree with go tool pprof on every fixture', () => {
  it('has goldens for every fixture profile', () => {
    // scripts/make-goldens.sh: a top-20 golden for every heap profile of every fixture run, and for test/fixtures/profiles.
    const profiles = [
      ...readdirSync('test/fixtures/runs').flatMap((run) =>
        readdirSync(join('test/fixtures/runs', run))
          .filter((d) => !d.includes('.'))
          .flatMap((target) => readdirSync(join('test/fixtures/runs', run, target)).filter((f) => /^heap-\d+\.pb\.gz$/.test(f)).map((f) => `${run}-${f.replace('.pb.gz', '')}`)),
      ),
      ...readdirSync('test/fixtures/profiles').filter((f) => f.endsWith('.pb.gz')).map((f) => `profiles-${f.replace('.pb.gz', '')}`),
    ];
    expect(profiles.length).toBeGreaterThanOrEqual(4 * 90);
    const names = new Set(goldens.map((g) => g.file));
    expect(profiles.filter((id) => !names.has(`${id}.top20.txt`))).toEqual([]);
  });

  for (const g of goldens) {
    it(g.file, async () => {
      const run = await runCliCaptured(heaplensArgs(g.pprofArgs));
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toBe(g.expected);
      if (/-unit=(B|ns)/.test(g.pprofArgs.join(' '))) {
        // The JSON form carries the same rows as exact integers.
        const json = await runCliCaptured([...heaplensArgs(g.pprofArgs), '--json']);
        const parsed = JSON.parse(json.stdout) as { rows: { name: string; flat: number; cum: number }[] };
        expect(parsed.rows.map(({ name, flat, cum }) => ({ name, flat, cum }))).toEqual(exactRows(g.expected));
      }
    });
  }
});

const haveGo = hasTool('go');
const run = promisify(execFile);

describe.runIf(haveGo)('live: go tool pprof today still prints the goldens', () => {
  it('re-runs every golden command', async () => {
    const env = { ...process.env, TZ: 'UTC', PPROF_BINARY_PATH: '/nonexistent' };
    const mismatches: string[] = [];
    const queue = [...goldens];
    const worker = async (): Promise<void> => {
      for (let g = queue.shift(); g; g = queue.shift()) {
        const args = ['tool', 'pprof', '-symbolize=none', ...g.pprofArgs.map((a) => a.replace(/='(.*)'$/, '=$1'))];
        const { stdout } = await run('go', args, { env, maxBuffer: 1 << 24 });
        if (stdout !== g.expected) mismatches.push(g.file);
      }
    };
    await Promise.all([worker(), worker(), worker()]);
    expect(mismatches).toEqual([]);
  }, 600_000);
});
