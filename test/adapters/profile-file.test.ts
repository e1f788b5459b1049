import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ProfileFileError, readProfileFile } from '../../src/adapters/profile-file.js';
import { decodeProfile } from '../../src/pprof/decode.js';
import { topOf } from '../../src/pprof/top.js';
import { rawProfile } from '../helpers/fixtures.js';
import { varint } from '../helpers/proto-writer.js';

const dir = mkdtempSync(join(tmpdir(), 'heaplens-profile-file-'));
const RAW = rawProfile('test/fixtures/synthetic/deep-inline.pb.gz');
// The same profile made larger than a MiB (files that size are inflated while the rest is still read):
// an unknown field of random bytes, which decoders skip and gzip cannot shrink.
const FILLER = randomBytes(3 << 19);
const BIG_RAW = Buffer.concat([RAW, Uint8Array.from([...varint(99 * 8 + 2), ...varint(FILLER.length)]), FILLER]);
const BIG_GZ = gzipSync(BIG_RAW);
const expected = topOf(decodeProfile(RAW), { nodeCount: 30 });

function file(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

describe('readProfileFile on files of a MiB and more', () => {
  it('the fixture is big enough to take the path that reads and inflates at once', () => {
    expect(BIG_GZ.length).toBeGreaterThan(1 << 20);
  });

  it.each([
    ['gzip', BIG_GZ, { labels: true, shared: false }],
    ['gzip, shared stacks without labels (top)', BIG_GZ, { labels: false, shared: true }],
    ['raw protobuf', BIG_RAW, { labels: true, shared: false }],
  ] as const)('%s: the same profile as decoding it in memory', async (name, bytes, options) => {
    const profile = await readProfileFile(file(`${name.replace(/\W+/g, '-')}.pb`, bytes), options);
    expect(topOf(profile, { nodeCount: 30 })).toEqual(expected);
    expect(profile.samples.count).toBe(decodeProfile(RAW).samples.count);
  });

  it.each([
    ['cut in the middle', BIG_GZ.subarray(0, BIG_GZ.length >> 1)],
    ['cut in its trailer', BIG_GZ.subarray(0, BIG_GZ.length - 3)],
  ])('a gzip file %s is refused with one line naming it', async (name, bytes) => {
    const path = file(`${name.replace(/\W+/g, '-')}.pb.gz`, bytes);
    const err = await readProfileFile(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProfileFileError);
    expect((err as Error).message).toMatch(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: not a valid pprof profile: gzip data is corrupt or truncated`));
  });

  it('reads a pipe (no size to go by) to its end, as from `<(gunzip -c …)`', async () => {
    const source = file('piped.pb.gz', BIG_GZ);
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    // Another process writes: this one blocks reading the pipe.
    const writer = spawn('sh', ['-c', 'cat "$1" > "$2"', 'sh', source, fifo], { stdio: 'ignore' });
    const exited = new Promise((resolve) => writer.on('exit', resolve));
    const profile = await readProfileFile(fifo);
    expect(topOf(profile, { nodeCount: 30 })).toEqual(expected);
    expect(await exited).toBe(0);
  });
});

describe('onInflated: the moment a core is free for other work (parallel passes start their worker then)', () => {
  const SMALL_GZ = gzipSync(RAW);

  it.each([
    ['a gzip file of a MiB or more (inflated while read)', 'big.pb.gz', BIG_GZ],
    ['a small gzip file (inflated in one call)', 'small.pb.gz', SMALL_GZ],
    ['a raw protobuf (nothing to inflate)', 'big-raw.pb', BIG_RAW],
  ])('%s: called once, before decoding has finished', async (_name, name, bytes) => {
    let calls = 0;
    let settledAtCall: boolean | null = null;
    let settled = false;
    const reading = readProfileFile(file(name, bytes), {
      onInflated: () => {
        calls++;
        settledAtCall = settled;
      },
    }).then((profile) => {
      settled = true;
      return profile;
    });
    expect(topOf(await reading, { nodeCount: 30 })).toEqual(expected);
    expect(calls).toBe(1);
    expect(settledAtCall).toBe(false);
  });

  it.each([
    ['cut in the middle', BIG_GZ.subarray(0, BIG_GZ.length >> 1)],
    ['small and cut', SMALL_GZ.subarray(0, SMALL_GZ.length - 5)],
  ])('a gzip file %s: not called, and the read fails', async (name, bytes) => {
    let calls = 0;
    const err = await readProfileFile(file(`${name.replace(/\W+/g, '-')}.pb.gz`, bytes), { onInflated: () => calls++ }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProfileFileError);
    expect(calls).toBe(0);
  });

  it('a missing file: not called', async () => {
    let calls = 0;
    await expect(readProfileFile(join(dir, 'missing.pb.gz'), { onInflated: () => calls++ })).rejects.toThrow(/no such file/);
    expect(calls).toBe(0);
  });
});
