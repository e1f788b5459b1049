import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip, gzipSync, gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { encode } from '../helpers/proto-writer.js';
import { runBuiltCli } from '../helpers/run-cli.js';

const heaplens = (...args: string[]) => runBuiltCli(args);

const HEAP = 'test/fixtures/runs/plateau/operator-sim/heap-000010.pb.gz';
const CPU = 'test/fixtures/profiles/cpu.pb.gz';


let dir: string;
const file = (name: string, bytes: Uint8Array | string): string => {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'heaplens-bad-'));
});

describe('bad input: one line on stderr naming the file and the problem, exit 3, no stack trace', () => {
  const raw = (): Uint8Array => gunzipSync(readFileSync(HEAP));
  const cases: { name: string; make: () => string; problem: RegExp }[] = [
    { name: 'empty file', make: () => file('empty.pb.gz', new Uint8Array(0)), problem: /empty input/ },
    { name: 'truncated gzip', make: () => file('trunc.pb.gz', readFileSync(HEAP).subarray(0, 200)), problem: /gzip data is corrupt or truncated/ },
    { name: 'random bytes', make: () => file('random.bin', Uint8Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24)), problem: /not a valid pprof profile/ },
    { name: 'gzip of text', make: () => file('text.gz', gzipSync('hello, this is not a protobuf\n')), problem: /decompressed data/ },
    { name: 'protobuf of another message', make: () => file('other.pb', encode([{ f: 1, str: 'name' }, { f: 2, varint: 7 }, { f: 15, str: 'x' }])), problem: /not a valid pprof profile/ },
    {
      name: 'length field pointing past the end',
      // A real profile followed by a sample field declaring 64 bytes with only 1 present.
      make: () => file('cut.pb', Uint8Array.from([...raw(), 0x12, 0x40, 0x01])),
      problem: /length 64 runs past the end of its message \(1 bytes left\) at byte \d+/,
    },
    { name: 'JSON file', make: () => file('run.json', '{"schemaVersion":1}'), problem: /not a valid pprof profile/ },
    { name: 'path that does not exist', make: () => join(dir, 'missing.pb.gz'), problem: /no such file/ },
    { name: 'a directory', make: () => dir, problem: /is a directory/ },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const path = c.make();
      const r = await heaplens('top', path);
      expect(r.code).toBe(3);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(path);
      expect(lines[0]).toMatch(c.problem);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
  }

  it('a gzip bomb beyond --max-profile-bytes is refused', async () => {
    // 64 MiB of valid-looking fields (empty string-table entries) compress to about 64 KiB.
    const bomb = file('bomb.pb.gz', gzipSync(Buffer.alloc(64 << 20).fill(Buffer.from([0x32, 0x00]))));
    const r = await heaplens('top', bomb, '--max-profile-bytes', '1MiB');
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toBe(`heaplens: ${bomb}: gzip data decompresses to more than 1048576 bytes (raise --max-profile-bytes to allow it)`);
    const small = await heaplens('top', HEAP, '--max-profile-bytes', '4KiB');
    expect(small.code).toBe(3);
  });

  it('a CPU profile asked for inuse_space lists the sample types it has', async () => {
    const r = await heaplens('top', CPU, '--sample-index', 'inuse_space');
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toBe('heaplens: sample type "inuse_space" not found; this profile has: samples (count), cpu (nanoseconds)');
  });

  it('diff names the bad side', async () => {
    const bad = file('bad-base.pb.gz', 'garbage');
    const r = await heaplens('diff', bad, HEAP);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(bad);
  });
});

describe('bad usage: exit 2 with the flag named', () => {
  it.each([
    [['top', HEAP, '--nodecount', 'ten'], /--nodecount: expected a non-negative integer, got "ten"/],
    [['top', HEAP, '--nodefraction', '2'], /--nodefraction: expected a fraction between 0 and 1/],
    [['top', HEAP, '--focus', '('], /--focus: invalid regular expression/],
    [['top', HEAP, '--max-profile-bytes', 'lots'], /--max-profile-bytes: expected a size/],
    [['top', HEAP, '--no-such-flag'], /unknown option '--no-such-flag'/],
    [['top'], /missing required argument 'profile'/],
    [['frobnicate'], /unknown command 'frobnicate'/],
  ])('%j', async (args, message) => {
    const r = await heaplens(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('the main job works from the command line', () => {
  it('top prints the table and --json exact integers', async () => {
    const r = await heaplens('top', HEAP, '--json', '--nodecount', '5');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as { sampleType: string; unit: string; total: number; rows: { name: string; flat: number; cum: number }[] };
    expect(json.sampleType).toBe('inuse_space');
    expect(json.unit).toBe('bytes');
    expect(json.rows).toHaveLength(5);
    for (const row of json.rows) {
      expect(Number.isInteger(row.flat) && Number.isInteger(row.cum)).toBe(true);
      expect(row.cum).toBeGreaterThanOrEqual(row.flat);
    }
  });
});

describe('gzip bombs: refused fast, with heaplens\' own memory bounded', () => {
  /** A gzip file of `mib` MiB made of one repeated field, written as a stream. */
  async function bomb(name: string, field: number[], mib: number): Promise<string> {
    const path = join(mkdtempSync(join(tmpdir(), 'heaplens-bomb-')), name);
    const chunk = Buffer.alloc(1 << 20);
    for (let i = 0; i < chunk.length; i += field.length) Buffer.from(field).copy(chunk, i);
    const gz = createGzip({ level: 9 });
    const done = pipeline(gz, createWriteStream(path));
    for (let i = 0; i < mib; i++) if (!gz.write(chunk)) await new Promise((r) => gz.once('drain', r));
    gz.end();
    await done;
    return path;
  }

  /** Runs `heaplens top FILE` in a child that reports its own peak RSS. */
  function topWithPeak(file: string): { code: number; stderr: string; maxRssMiB: number } {
    const script = `import('./dist/cli/top-cli.js').then((m) => m.runTopCli(['top', ${JSON.stringify(file)}])).then((code) => { process.stderr.write('MAXRSS ' + process.resourceUsage().maxRSS + '\\n'); process.exit(code); })`;
    const r = spawnSync('node', ['--max-semi-space-size=4', '--input-type=module', '-e', script], { encoding: 'utf8' });
    const m = /MAXRSS (\d+)/.exec(r.stderr);
    return { code: r.status ?? -1, stderr: r.stderr.replace(/MAXRSS \d+\n/, ''), maxRssMiB: m ? Number(m[1]) / 1024 : Infinity };
  }

  it.each([
    ['empty string-table entries', [0x32, 0x00], /more than 8388608 table entries/],
    ['empty samples', [0x12, 0x00], /more than 8388608 samples/],
    ['one-frame samples', [0x12, 0x06, 0x0a, 0x01, 0x01, 0x12, 0x01, 0x01], /more than 8388608 samples/],
  ])('%s (512 MiB from a few hundred KiB): one line, exit 3, peak RSS under 600 MiB', async (name, field, message) => {
    const file = await bomb(`${name.replace(/ /g, '-')}.pb.gz`, field as number[], 512);
    expect(statSync(file).size).toBeLessThan(1 << 20);
    const r = topWithPeak(file);
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    expect(r.maxRssMiB).toBeLessThan(600);
  }, 60_000);
});
