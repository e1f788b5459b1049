import { describe, expect, it } from 'vitest';
import { gzipSync, gunzipSync } from 'node:zlib';
import { createProfileDecoder, decodeProfile } from '../../src/pprof/decode.js';
import { decodeProfileBytes } from '../../src/pprof/bytes.js';
import { DecodeError } from '../../src/pprof/errors.js';
import { locationAddress } from '../../src/model/profile.js';
import { encode, P, type Field } from '../helpers/proto-writer.js';

// String table shared by the hand-built profiles below.
const STRINGS = ['', 'alloc_space', 'bytes', 'inuse_space', 'main.leaf', 'main.go', 'main.caller', 'bytes', 'space', 'req', '/api', 'main.inlined', '/bin/app', 'build-1'];

function minimalProfile(extra: Field[] = [], packed = true): Uint8Array {
  return encode([
    P.valueType(1, 1, 2),
    P.valueType(1, 3, 2),
    P.sample([1, 2], [300, 200], packed),
    P.sample([2], [50, 0], packed),
    { f: 3, msg: [{ f: 1, varint: 1 }, { f: 2, varint: 0x400000 }, { f: 3, varint: 0x800000 }, { f: 5, varint: 12 }, { f: 6, varint: 13 }, { f: 7, varint: 1 }] },
    P.loc(1, [[3, 7], [1, 12]], [{ f: 2, varint: 1 }, { f: 3, varint: 0x401000 }]),
    P.loc(2, [[2, 30]]),
    P.fn(1, 4, 5),
    P.fn(2, 6, 5),
    P.fn(3, 11, 5),
    ...extra,
    ...P.strings(STRINGS),
  ]);
}

describe('decodeProfile', () => {
  it('decodes every table of a profile whose string table comes last (as Go writes it)', () => {
    const p = decodeProfile(minimalProfile());
    expect(p.sampleTypes).toEqual([
      { type: 'alloc_space', unit: 'bytes' },
      { type: 'inuse_space', unit: 'bytes' },
    ]);
    expect(p.samples.count).toBe(2);
    expect(Array.from(p.samples.values)).toEqual([300, 200, 50, 0]);
    // Locations resolved to positions, leaf first.
    expect(Array.from(p.samples.stackOffsets)).toEqual([0, 2, 3]);
    expect(Array.from(p.samples.stackLocations)).toEqual([0, 1, 1]);
    expect(p.locations.count).toBe(2);
    expect(Array.from(p.locations.lineOffsets)).toEqual([0, 2, 3]);
    // Location 1 has the inlined function first, then the function it was inlined into.
    expect(Array.from(p.locations.lineFunction)).toEqual([2, 0, 1]);
    expect(Array.from(p.locations.lineNumber)).toEqual([7, 12, 30]);
    expect(p.locations.mapping[0]).toBe(0);
    expect(p.locations.mapping[1]).toBe(-1);
    expect(locationAddress(p.locations, 0)).toBe(0x401000n);
    expect(p.functions.count).toBe(3);
    expect(Array.from(p.functions.nameStr).map((i) => p.strings[i])).toEqual(['main.leaf', 'main.caller', 'main.inlined']);
    expect(p.mappings[0]).toMatchObject({ id: 1, memoryStart: 0x400000n, memoryLimit: 0x800000n, filename: '/bin/app', buildId: 'build-1', hasFunctions: true, hasFilenames: false });
  });

  it('reads packed and non-packed repeated fields identically (Go writes lists of ≤ 2 unpacked)', () => {
    const packed = decodeProfile(minimalProfile([], true));
    const unpacked = decodeProfile(minimalProfile([], false));
    expect(Array.from(unpacked.samples.values)).toEqual(Array.from(packed.samples.values));
    expect(Array.from(unpacked.samples.stackLocations)).toEqual(Array.from(packed.samples.stackLocations));
  });

  // Field-by-field cases: a field of the Profile message, the value written, and what the decoded profile shows.
  const scalarCases: { name: string; fields: Field[]; check: (p: ReturnType<typeof decodeProfile>) => unknown; expected: unknown }[] = [
    { name: 'time_nanos beyond 2^53 stays exact', fields: [{ f: 9, varint: 1764149662123456789n }], check: (p) => p.timeNanos, expected: 1764149662123456789n },
    { name: 'duration_nanos', fields: [{ f: 10, varint: 10_000_000_000n }], check: (p) => p.durationNanos, expected: 10_000_000_000n },
    { name: 'period', fields: [{ f: 12, varint: 524288 }], check: (p) => p.period, expected: 524288 },
    { name: 'period_type', fields: [P.valueType(11, 8, 7)], check: (p) => p.periodType, expected: { type: 'space', unit: 'bytes' } },
    { name: 'default_sample_type', fields: [{ f: 14, varint: 1 }], check: (p) => p.defaultSampleType, expected: 'alloc_space' },
    { name: 'drop_frames and keep_frames', fields: [{ f: 7, varint: 4 }, { f: 8, varint: 6 }], check: (p) => [p.dropFrames, p.keepFrames], expected: ['main.leaf', 'main.caller'] },
    { name: 'comment, unpacked', fields: [{ f: 13, varint: 9 }, { f: 13, varint: 10 }], check: (p) => p.comments, expected: ['req', '/api'] },
    { name: 'comment, packed', fields: [{ f: 13, packed: [9, 10] }], check: (p) => p.comments, expected: ['req', '/api'] },
    {
      name: 'unknown fields of every wire type are skipped',
      fields: [{ f: 99, varint: 5 }, { f: 98, str: 'x' }, { f: 97, fixed64: 1n }, { f: 96, fixed32: 7 }],
      check: (p) => p.samples.count,
      expected: 2,
    },
  ];
  for (const c of scalarCases) {
    it(`field: ${c.name}`, () => {
      expect(c.check(decodeProfile(minimalProfile(c.fields)))).toEqual(c.expected);
    });
  }

  it('decodes string and numeric labels with units', () => {
    const bytes = encode([
      P.valueType(1, 3, 2),
      P.sample([1], [10], true, [
        [{ f: 1, varint: 7 }, { f: 3, varint: 4096 }, { f: 4, varint: 2 }],
        [{ f: 1, varint: 9 }, { f: 2, varint: 10 }],
      ]),
      P.loc(1, [[1, 1]]),
      P.fn(1, 4),
      ...P.strings(STRINGS),
    ]);
    const p = decodeProfile(bytes);
    const s = p.samples;
    expect(Array.from(s.labelOffsets)).toEqual([0, 2]);
    expect(Array.from(s.labelKeyStr).map((i) => p.strings[i])).toEqual(['bytes', 'req']);
    expect(Array.from(s.labelNum)).toEqual([4096, 0]);
    expect(p.strings[s.labelNumUnitStr[0]!]).toBe('bytes');
    expect(p.strings[s.labelValueStr[1]!]).toBe('/api');
    // Labels can be skipped when the caller does not need them.
    expect(decodeProfile(bytes, { labels: false }).samples.labelKeyStr.length).toBe(0);
  });

  it('decodes negative int64 values (10-byte varints, as diff profiles hold)', () => {
    const bytes = encode([P.valueType(1, 3, 2), P.sample([1], [-123456789]), P.loc(1, [[1, 1]]), P.fn(1, 4), ...P.strings(STRINGS)]);
    expect(decodeProfile(bytes).samples.values[0]).toBe(-123456789);
  });

  it('keeps addresses above 2^53 exact (vsyscall mappings)', () => {
    const bytes = encode([
      P.valueType(1, 3, 2),
      { f: 3, msg: [{ f: 1, varint: 1 }, { f: 2, varint: 0xffffffffff600000n }, { f: 3, varint: 0xffffffffff601000n }] },
      P.loc(1, [[1, 1]], [{ f: 2, varint: 1 }, { f: 3, varint: 0xffffffffff600400n }]),
      P.sample([1], [1]),
      P.fn(1, 4),
      ...P.strings(STRINGS),
    ]);
    const p = decodeProfile(bytes);
    expect(p.mappings[0]!.memoryStart).toBe(0xffffffffff600000n);
    expect(locationAddress(p.locations, 0)).toBe(0xffffffffff600400n);
  });

  it('reads addresses of every varint length exactly (one to ten bytes: fast path and general path)', () => {
    const addresses = [0x5n, 0x1234n, 0x401000n, 0xfffffffn, 0x10000000n, 0x7_ffff_ffffn, 0x8_0000_0000n, 0xc000_1234_5678n, 0xffffffffff600400n];
    const bytes = encode([
      P.valueType(1, 3, 2),
      { f: 3, msg: [{ f: 1, varint: 1 }, { f: 2, varint: 0 }, { f: 3, varint: 0xffffffffffffffffn }] },
      ...addresses.map((a, i) => P.loc(i + 1, [[1, 1]], [{ f: 2, varint: 1 }, { f: 3, varint: a }])),
      P.fn(1, 4),
      ...P.strings(STRINGS),
    ]);
    const p = decodeProfile(bytes);
    expect(addresses.map((_, i) => locationAddress(p.locations, i))).toEqual(addresses);
  });

  it('refuses a sample value beyond 2^53 instead of rounding it', () => {
    const bytes = encode([P.valueType(1, 3, 2), P.sample([1], [2n ** 53n + 1n]), P.loc(1, [[1, 1]]), P.fn(1, 4), ...P.strings(STRINGS)]);
    expect(() => decodeProfile(bytes)).toThrow(/beyond ±2\^53/);
  });

  it('decodes gzip input through the passed-in inflater and reports offsets in the decompressed data', () => {
    const raw = minimalProfile();
    const p = decodeProfileBytes(gzipSync(raw), (b) => gunzipSync(b));
    expect(p.samples.count).toBe(2);
    const broken = raw.slice(0, raw.length - 3);
    try {
      decodeProfileBytes(gzipSync(broken), (b) => gunzipSync(b));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DecodeError);
      expect((e as DecodeError).message).toMatch(/of the decompressed data/);
    }
  });

  const badInputs: { name: string; bytes: () => Uint8Array; error: RegExp }[] = [
    { name: 'empty', bytes: () => new Uint8Array(0), error: /empty input/ },
    { name: 'no string table (another message)', bytes: () => encode([{ f: 1, varint: 5 }]), error: /wire type 0, expected 2|no string table/ },
    // '{' is 0x7b: field 15, wire type 3 (a start-group tag, which profile.proto never uses).
    { name: 'JSON text', bytes: () => new TextEncoder().encode('{"schemaVersion": 1}'), error: /^unsupported wire type 3 at byte 0$/ },
    {
      name: 'string_table[0] not empty',
      bytes: () => encode([...P.strings(['x'])]),
      error: /string_table\[0\]/,
    },
    {
      name: 'string index out of range',
      bytes: () => encode([P.valueType(1, 3, 99), ...P.strings(STRINGS)]),
      error: /string index 99 out of range/,
    },
    {
      name: 'unknown location id',
      bytes: () => encode([P.valueType(1, 3, 2), P.sample([7], [1]), P.loc(1, [[1, 1]]), P.fn(1, 4), ...P.strings(STRINGS)]),
      error: /unknown location id 7/,
    },
    {
      name: 'location id 0 (one byte, in a run of samples)',
      bytes: () => encode([P.valueType(1, 3, 2), P.sample([1], [1]), P.sample([1, 0], [1]), P.loc(1, [[1, 1]]), P.fn(1, 4), ...P.strings(STRINGS)]),
      error: /unknown location id 0/,
    },
    {
      name: 'location id 0 (two bytes, non-canonical)',
      bytes: () => {
        const bytes = encode([P.valueType(1, 3, 2), P.sample([1, 200], [1]), P.loc(1, [[1, 1]]), P.fn(1, 4), ...P.strings(STRINGS)]);
        // 200 is 0xc8 0x01 on the wire; 0x80 0x00 also reads as 0
        const at = bytes.findIndex((b, i) => b === 0xc8 && bytes[i + 1] === 0x01);
        bytes[at] = 0x80;
        bytes[at + 1] = 0x00;
        return bytes;
      },
      error: /unknown location id 0/,
    },
    {
      name: 'function name index just past the string table',
      bytes: () => encode([P.valueType(1, 3, 2), P.fn(1, STRINGS.length), ...P.strings(STRINGS)]),
      error: new RegExp(`string index ${STRINGS.length} out of range`),
    },
    {
      name: 'unknown function id',
      bytes: () => encode([P.valueType(1, 3, 2), P.loc(1, [[5, 1]]), ...P.strings(STRINGS)]),
      error: /unknown function id 5/,
    },
    {
      name: 'value count differs from sample types',
      bytes: () => encode([P.valueType(1, 3, 2), P.sample([1], [1, 2]), P.loc(1, [[1, 1]]), P.fn(1, 4), ...P.strings(STRINGS)]),
      error: /sample has 2 values, profile has 1 sample types/,
    },
    {
      name: 'length pointing past the end',
      bytes: () => Uint8Array.from([0x32, 0x05, 0x61]),
      error: /length 5 runs past the end/,
    },
    {
      name: 'huge declared length',
      bytes: () => Uint8Array.from([0x12, 0xff, 0xff, 0xff, 0xff, 0x0f]),
      error: /runs past the end/,
    },
    {
      name: 'varint longer than 10 bytes',
      bytes: () => Uint8Array.from([0x48, ...new Array(11).fill(0xff), 0x01]),
      error: /varint/,
    },
    {
      name: 'wire type of a known field wrong',
      bytes: () => Uint8Array.from([0x30, 0x01]),
      error: /field string_table has wire type 0, expected 2/,
    },
    { name: 'group wire type', bytes: () => Uint8Array.from([0x7b]), error: /unsupported wire type 3/ },
    { name: 'duplicate location id', bytes: () => encode([P.loc(1, []), P.loc(1, []), ...P.strings(STRINGS)]), error: /location id 1 is not unique/ },
  ];
  for (const c of badInputs) {
    it(`refuses ${c.name} with a DecodeError naming the offset`, () => {
      try {
        decodeProfileBytes(c.bytes(), (b) => gunzipSync(b));
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(DecodeError);
        expect((e as DecodeError).message).toMatch(c.error);
        expect((e as DecodeError).message).toMatch(/at byte \d+/);
      }
      // Without labels, runs of samples take another path (SampleCollector.addRun): the same error.
      let bare = '';
      try {
        decodeProfile(c.bytes(), { labels: false });
      } catch (e) {
        bare = (e as Error).message;
      }
      let full = '';
      try {
        decodeProfile(c.bytes());
      } catch (e) {
        full = (e as Error).message;
      }
      expect(bare).toBe(full);
    });
  }

  it('throws only DecodeError for every truncation of a valid profile', () => {
    const bytes = minimalProfile();
    let refused = 0;
    for (let n = 0; n < bytes.length; n++) {
      try {
        decodeProfile(bytes.subarray(0, n));
      } catch (e) {
        expect(e).toBeInstanceOf(DecodeError);
        refused++;
      }
    }
    // A prefix that ends on a field boundary can still be valid; most are not.
    expect(refused).toBeGreaterThan(bytes.length / 2);
  });
});

describe('location ids in 16 bits, and beyond', () => {
  /** A profile of `ids.length` one-line locations, position i having id ids[i], and samples naming location ids. */
  function profileWith(ids: number[], samples: number[][], packed = true): Uint8Array {
    return encode([
      P.valueType(1, 3, 2),
      ...samples.map((stack, i) => P.sample(stack, [i + 1], packed)),
      ...ids.map((id) => P.loc(id, [[1, 1]])),
      P.fn(1, 4, 5),
      ...P.strings(STRINGS),
    ]);
  }
  const sequential = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);
  const stacks = (p: ReturnType<typeof decodeProfile>): number[][] =>
    Array.from({ length: p.samples.count }, (_, i) => Array.from(p.samples.stackLocations.subarray(p.samples.stackOffsets[i], p.samples.stackOffsets[i + 1])));
  /** Every way in: labels (the general path) or not (runs of samples), packed or not, whole or in 1,000-byte chunks. */
  function everyWay(bytes: Uint8Array, check: (p: ReturnType<typeof decodeProfile>) => void): void {
    for (const labels of [true, false]) {
      check(decodeProfile(bytes, { labels }));
      const d = createProfileDecoder({ labels });
      for (let at = 0; at < bytes.length; at += 1000) d.push(bytes.subarray(at, at + 1000));
      check(d.finish());
    }
  }

  it('a profile of 65,535 locations keeps its stacks in 16 bits, the last id included', () => {
    const bytes = profileWith(sequential(0xffff), [[1, 2], [0xffff, 0x4000, 0x3fff], [0x80]]);
    everyWay(bytes, (p) => {
      expect(p.samples.stackLocations).toBeInstanceOf(Uint16Array);
      expect(stacks(p)).toEqual([[0, 1], [0xfffe, 0x3fff, 0x3ffe], [0x7f]]);
    });
  });

  for (const packed of [true, false]) {
    it(`ids past 65,535 after smaller ones widen the stacks to 32 bits, earlier entries intact (${packed ? 'packed' : 'one tag per id'})`, () => {
      const samples = [[1, 2], [3], [0xfffe, 0xffff, 0x10000, 70_000], [5, 0x10001]];
      const bytes = profileWith(sequential(70_000), samples, packed);
      everyWay(bytes, (p) => {
        expect(p.samples.stackLocations).toBeInstanceOf(Uint32Array);
        expect(stacks(p)).toEqual(samples.map((s) => s.map((id) => id - 1)));
      });
    });
  }

  it('small ids of a table past 65,535 rows out of order resolve to positions past 16 bits', () => {
    // Position i has id 70,000 - i: every sample id is small, but its position is not.
    const ids = Array.from({ length: 70_000 }, (_, i) => 70_000 - i);
    const bytes = profileWith(ids, [[1, 2], [0x3fff], [3, 1]]);
    everyWay(bytes, (p) => {
      expect(p.samples.stackLocations).toBeInstanceOf(Uint32Array);
      expect(stacks(p)).toEqual([[69_999, 69_998], [70_000 - 0x3fff], [69_997, 69_999]]);
    });
  });

  it('ids beyond 2^32 (a sparse table) resolve, in a stack that was 16-bit before them', () => {
    const ids = [7, 2 ** 40, 2 ** 33 + 5, 3];
    const bytes = profileWith(ids, [[7, 3], [2 ** 40, 7], [3, 2 ** 33 + 5, 2 ** 40]]);
    everyWay(bytes, (p) => {
      expect(Array.from(p.locations.id)).toEqual(ids);
      expect(stacks(p)).toEqual([[0, 3], [1, 0], [3, 2, 1]]);
    });
  });

  it('location id 0 before a widening is still named as the unknown id, the same on every path', () => {
    const bytes = profileWith(sequential(70_000), [[1, 0], [70_000]]);
    const messages = new Set<string>();
    for (const labels of [true, false]) {
      try {
        decodeProfile(bytes, { labels });
        messages.add('decoded');
      } catch (e) {
        messages.add((e as Error).message);
      }
    }
    expect([...messages]).toHaveLength(1);
    expect([...messages][0]).toMatch(/unknown location id 0 at byte \d+/);
  });
});
