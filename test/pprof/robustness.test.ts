import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createProfileDecoder, decodeProfile } from '../../src/pprof/decode.js';
import { DecodeError } from '../../src/pprof/errors.js';
import { decodeTables } from '../../src/pprof/decode-tables.js';
import { topOf } from '../../src/pprof/top.js';
import { fixtureProfiles, rawProfile } from '../helpers/fixtures.js';
import { encode, P, type Field } from '../helpers/proto-writer.js';

const SMALL = rawProfile('test/fixtures/runs/spike/operator-sim/heap-000003.pb.gz');
// Thousands of locations: ids of one, two and three bytes.
const DEEP = rawProfile('test/fixtures/synthetic/deep-inline.pb.gz');

interface Edit {
  at: number;
  kind: 'flip' | 'set' | 'delete' | 'insert';
  v: number;
}

/** A copy of `bytes` with the edits applied in order (positions wrap around). */
function mutate(bytes: Uint8Array, edits: readonly Edit[]): Uint8Array {
  const out = Array.from(bytes);
  for (const e of edits) {
    const at = e.at % Math.max(1, out.length);
    if (e.kind === 'flip') out[at] = out[at]! ^ (1 << (e.v % 8));
    else if (e.kind === 'set') out[at] = e.v;
    else if (e.kind === 'delete') out.splice(at, 1);
    else out.splice(at, 0, e.v);
  }
  return Uint8Array.from(out);
}

/** Edits that cross varint boundaries (0, 0x7f, 0x80, 0xff) half of the time. */
const boundaryEdits = (maxLength: number): fc.Arbitrary<Edit[]> =>
  fc.array(fc.record({ at: fc.nat(1 << 20), kind: fc.constantFrom<Edit['kind']>('flip', 'set', 'delete', 'insert'), v: fc.oneof(fc.nat(255), fc.constantFrom(0, 1, 0x7f, 0x80, 0x81, 0xff)) }), { minLength: 1, maxLength });

function decodesOrRefuses(bytes: Uint8Array): void {
  try {
    const p = decodeProfile(bytes);
    // What decodes must also be queryable.
    if (p.sampleTypes.length > 0) topOf(p, { nodeFraction: 0 });
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
  }
}

describe('streaming decoder', () => {
  it('gives the same profile whatever the chunk sizes', () => {
    for (const path of fixtureProfiles().filter((_, i) => i % 9 === 0)) {
      const raw = rawProfile(path);
      const whole = decodeProfile(raw);
      for (const size of [1, 7, 64, 4096]) {
        const d = createProfileDecoder();
        for (let i = 0; i < raw.length; i += size) d.push(raw.subarray(i, i + size));
        const chunked = d.finish();
        expect(chunked.samples.count).toBe(whole.samples.count);
        expect(Array.from(chunked.samples.values)).toEqual(Array.from(whole.samples.values));
        expect(Array.from(chunked.samples.stackLocations)).toEqual(Array.from(whole.samples.stackLocations));
        expect(chunked.strings).toEqual(whole.strings);
      }
    }
  });

  it('names the offset of a field cut off by the end of input', () => {
    const d = createProfileDecoder();
    d.push(SMALL.subarray(0, 1000));
    expect(() => d.finish()).toThrow(/at byte \d+/);
  });
});

describe('decoder on mutated real profiles (seeded)', () => {
  it('never throws anything but DecodeError: bit flips, byte edits, splices', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.nat(SMALL.length - 1), kind: fc.constantFrom<Edit['kind']>('flip', 'set', 'delete', 'insert'), v: fc.nat(255) }), { minLength: 1, maxLength: 8 }),
        (edits) => {
          decodesOrRefuses(mutate(SMALL, edits));
        },
      ),
      { numRuns: 1500, seed: 20261126 },
    );
  });

  // Whole input: runs of samples take the one-call fast path (SampleCollector.addRun); one byte at a time: no
  // sample is ever whole in a chunk, so every one takes the general path. Both must agree on every input.
  it('the fast path for runs of samples and the general path agree on mutated profiles, errors included', () => {
    const outcome = (bytes: Uint8Array, chunk: number): string => {
      try {
        const d = createProfileDecoder({ labels: false });
        for (let i = 0; i < bytes.length; i += chunk) d.push(bytes.subarray(i, i + chunk));
        const p = d.finish();
        const s = p.samples;
        return JSON.stringify([s.count, Array.from(s.values), Array.from(s.stackOffsets), Array.from(s.stackLocations)]);
      } catch (e) {
        if (!(e instanceof DecodeError)) throw e;
        return `error: ${e.message}`;
      }
    };
    let errors = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(SMALL, DEEP),
        boundaryEdits(4),
        (profile, edits) => {
          const input = mutate(profile, edits);
          const whole = outcome(input, input.length);
          if (whole.startsWith('error')) errors++;
          expect(outcome(input, 1)).toBe(whole);
        },
      ),
      { numRuns: 300, seed: 20261127 },
    );
    // The mutations must reach the error paths too, or the agreement says little.
    expect(errors).toBeGreaterThan(40);
  });

  it('the table fast paths and the general path agree on mutated tables, errors included', () => {
    // A profile's fields other than samples, as the decoder sets them aside.
    const tablesOf = (raw: Uint8Array): Uint8Array => {
      const out: number[] = [];
      let pos = 0;
      const varint = (): number => {
        let x = 0;
        let shift = 0;
        let b: number;
        do {
          b = raw[pos++]!;
          x += (b & 0x7f) * 2 ** shift;
          shift += 7;
        } while (b >= 0x80);
        return x;
      };
      while (pos < raw.length) {
        const at = pos;
        const key = varint();
        if ((key & 7) === 2) pos += varint();
        else varint();
        if (key >>> 3 !== 2) out.push(...raw.subarray(at, pos));
      }
      return Uint8Array.from(out);
    };
    const outcome = (bytes: Uint8Array, fastPaths: boolean): string => {
      try {
        const t = decodeTables(bytes, { fastPaths });
        const l = t.locations;
        const f = t.functions;
        return JSON.stringify([
          t.strings,
          [...f.id, ...f.nameStr, ...f.systemNameStr, ...f.filenameStr, ...f.startLine],
          [...l.id, ...l.mapping, ...l.addressLo, ...l.addressHi, ...l.isFolded, ...l.lineOffsets, ...l.lineFunction, ...l.lineNumber, ...l.lineColumn],
        ]);
      } catch (e) {
        if (!(e instanceof DecodeError)) throw e;
        return `error: ${e.message}`;
      }
    };
    const tables = [tablesOf(SMALL), tablesOf(DEEP)];
    for (const t of tables) expect(outcome(t, true)).toBe(outcome(t, false));
    let errors = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...tables),
        boundaryEdits(3),
        (table, edits) => {
          const input = mutate(table, edits);
          const fast = outcome(input, true);
          if (fast.startsWith('error')) errors++;
          expect(fast).toBe(outcome(input, false));
        },
      ),
      { numRuns: 300, seed: 20261128 },
    );
    expect(errors).toBeGreaterThan(30);
  });

  it('never throws anything but DecodeError on random field soup', () => {
    const field: fc.Arbitrary<Field> = fc.oneof(
      fc.record({ f: fc.integer({ min: 1, max: 20 }), varint: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }) }),
      fc.record({ f: fc.integer({ min: 1, max: 20 }), bytes: fc.uint8Array({ maxLength: 40 }) }),
      fc.record({ f: fc.integer({ min: 1, max: 20 }), fixed32: fc.nat() }),
      fc.record({ f: fc.integer({ min: 1, max: 20 }), fixed64: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }) }),
    );
    fc.assert(
      fc.property(fc.array(field, { maxLength: 30 }), (fields) => {
        decodesOrRefuses(encode([...fields, ...P.strings(['', 'x'])]));
        decodesOrRefuses(encode(fields));
      }),
      { numRuns: 2000, seed: 7 },
    );
  });
});

describe('aggregation invariants on generated profiles', () => {
  // Small random profiles: a handful of functions, locations with 1-3 lines, stacks with recursion.
  const profileArb = fc
    .record({
      nFunctions: fc.integer({ min: 1, max: 6 }),
      locations: fc.array(fc.array(fc.nat(5), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 8 }),
      samples: fc.array(fc.record({ stack: fc.array(fc.nat(7), { minLength: 1, maxLength: 12 }), value: fc.integer({ min: 1, max: 1_000_000 }) }), {
        minLength: 1,
        maxLength: 40,
      }),
    })
    .map(({ nFunctions, locations, samples }) => (scale: number) => {
      const strings = ['', 'inuse_space', 'bytes', ...Array.from({ length: nFunctions }, (_, i) => `pkg.f${i}`)];
      const fields: Field[] = [P.valueType(1, 1, 2)];
      for (let f = 0; f < nFunctions; f++) fields.push(P.fn(f + 1, f + 3));
      locations.forEach((lines, i) => fields.push(P.loc(i + 1, lines.map((fn): [number, number] => [(fn % nFunctions) + 1, 10 + fn]))));
      for (const s of samples) fields.push(P.sample(s.stack.map((l) => (l % locations.length) + 1), [s.value * scale], s.stack.length > 2));
      fields.push(...P.strings(strings));
      return { bytes: encode(fields), total: samples.reduce((a, s) => a + s.value * scale, 0) };
    });

  it('flat sums to the total, cum lies between flat and the total, and scaling values scales rows', () => {
    fc.assert(
      fc.property(profileArb, fc.integer({ min: 2, max: 1000 }), (build, k) => {
        const { bytes, total } = build(1);
        const result = topOf(decodeProfile(bytes), { nodeFraction: 0 });
        const scaled = topOf(decodeProfile(build(k).bytes), { nodeFraction: 0 });
        expect(scaled.rows).toEqual(result.rows.map((r) => ({ ...r, flat: r.flat * k, cum: r.cum * k })));
        expect(result.total).toBe(total);
        expect(result.rows.reduce((a, r) => a + r.flat, 0)).toBe(total);
        for (const r of result.rows) {
          expect(r.cum).toBeGreaterThanOrEqual(r.flat);
          expect(r.cum).toBeLessThanOrEqual(total);
        }
      }),
      { numRuns: 300, seed: 3 },
    );
  });
});
