#!/usr/bin/env node
// Decoder fuzzing, bench-style: `npm run fuzz` (also run by `npm run bench`).
// `node bench/fuzz.mjs [--cases 100000] [--seed 1]`
//
// Seeded mutations of real fixture profiles plus hand-made hostile inputs, each
// decoded (and, when it decodes, queried with top) in this process. Passes when
// every case either decodes or throws the typed DecodeError/QueryError — never
// another exception, never a case slower than 2 s, and peak RSS stays bounded.
// Families: truncation at every byte of a small profile, bit flips, byte
// edits/splices, random field numbers and wire types, lengths past the end and
// huge declared lengths, deep nesting, out-of-range string/location/function
// ids, zero and negative values.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { decodeProfile } = await import(join(root, 'dist/pprof/decode.js'));
const { DecodeError, QueryError } = await import(join(root, 'dist/pprof/errors.js'));
const { topOf } = await import(join(root, 'dist/pprof/top.js'));

const args = process.argv.slice(2);
const flag = (name, dflt) => (args.includes(`--${name}`) ? Number(args[args.indexOf(`--${name}`) + 1]) : dflt);
const target = flag('cases', 100_000);
let seed = flag('seed', 1) >>> 0;
// xorshift32: the same cases for the same seed.
const rand = () => ((seed ^= seed << 13), (seed ^= seed >>> 17), (seed ^= seed << 5), (seed >>> 0) / 2 ** 32);
const int = (n) => Math.floor(rand() * n);

const runDir = join(root, 'test/fixtures/runs/spike/operator-sim');
const SMALL = gunzipSync(readFileSync(join(runDir, 'heap-000003.pb.gz')));
const corpus = readdirSync(runDir)
  .filter((f) => f.endsWith('.pb.gz'))
  .filter((_, i) => i % 10 === 0)
  .map((f) => gunzipSync(readFileSync(join(runDir, f))));

// A minimal protobuf writer for hand-made inputs.
const varint = (v) => {
  let x = BigInt.asUintN(64, BigInt(v));
  const out = [];
  do {
    const b = Number(x & 0x7fn);
    x >>= 7n;
    out.push(x ? b | 0x80 : b);
  } while (x);
  return out;
};
const tag = (field, wire) => varint((field << 3) | wire);
const fVarint = (field, v) => [...tag(field, 0), ...varint(v)];
const fBytes = (field, bytes) => [...tag(field, 2), ...varint(bytes.length), ...bytes];
const str = (s) => [...Buffer.from(s)];
const strings = (list) => list.flatMap((s) => fBytes(6, str(s)));
/** A small valid profile: one sample type, one function, one location, `n` samples. */
const profile = ({ values = [1, 2], locs = [1], fnName = 1, strIdx = 2, locFn = 1, extra = [] } = {}) =>
  Uint8Array.from([
    ...fBytes(1, [...fVarint(1, strIdx), ...fVarint(2, 3)]),
    ...fBytes(2, [...fBytes(1, locs.flatMap(varint)), ...fBytes(2, values.flatMap(varint))]),
    ...fBytes(4, [...fVarint(1, 1), ...fBytes(4, [...fVarint(1, locFn), ...fVarint(2, 7)])]),
    ...fBytes(5, [...fVarint(1, 1), ...fVarint(2, fnName), ...fVarint(3, fnName)]),
    ...strings(['', 'main.f', 'inuse_space', 'bytes']),
    ...extra,
  ]);

const counts = new Map();
const failures = [];
let slowest = { ms: 0, family: '' };
let peakRss = process.memoryUsage().rss;
let cases = 0;

function check(family, bytes) {
  cases++;
  counts.set(family, (counts.get(family) ?? 0) + 1);
  const t0 = performance.now();
  try {
    const p = decodeProfile(bytes);
    if (p.sampleTypes.length > 0) topOf(p, { nodeFraction: 0 });
  } catch (e) {
    if (!(e instanceof DecodeError) && !(e instanceof QueryError)) failures.push({ family, error: `${e?.name}: ${e?.message}`, bytes: Buffer.from(bytes).toString('base64').slice(0, 200) });
  }
  const ms = performance.now() - t0;
  if (ms > slowest.ms) slowest = { ms, family };
  if ((cases & 1023) === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
}

const t0 = performance.now();
// 1. Truncation at every byte.
for (let n = 0; n < SMALL.length; n++) check('truncation at every byte', SMALL.subarray(0, n));
// 2..4 need a share of what is left.
const rest = Math.max(0, target - cases);
const mutate = (family, count, edit) => {
  for (let i = 0; i < count; i++) {
    const base = corpus[int(corpus.length)];
    check(family, edit(Uint8Array.from(base)));
  }
};
mutate('bit flips (1-8 per case)', Math.floor(rest * 0.3), (b) => {
  for (let k = 1 + int(8); k > 0; k--) b[int(b.length)] ^= 1 << int(8);
  return b;
});
mutate('byte edits, deletions, insertions', Math.floor(rest * 0.2), (b) => {
  const bytes = Array.from(b);
  for (let k = 1 + int(6); k > 0; k--) {
    const at = int(bytes.length);
    const kind = int(3);
    if (kind === 0) bytes[at] = int(256);
    else if (kind === 1) bytes.splice(at, 1 + int(16));
    else bytes.splice(at, 0, ...Array.from({ length: 1 + int(8) }, () => int(256)));
  }
  return Uint8Array.from(bytes);
});
mutate('random field numbers and wire types', Math.floor(rest * 0.15), (b) => {
  const bytes = Array.from(b);
  const at = int(bytes.length);
  const field = 1 + int(int(2) ? 20 : 536870911);
  bytes.splice(at, 0, ...tag(field, int(8)), ...varint(int(2) ? int(300) : 2 ** 40));
  return Uint8Array.from(bytes);
});
mutate('lengths past the end, huge declared lengths', Math.floor(rest * 0.1), (b) => {
  const huge = [2 ** 31, 2 ** 32 + 5, 2 ** 53, -1, b.length + 1 + int(100)][int(5)];
  const field = [1, 2, 3, 4, 5, 6, 7, 8, 11, 99][int(10)];
  return Uint8Array.from([...b.subarray(0, int(b.length)), ...tag(field, 2), ...varint(huge), ...Array.from({ length: int(20) }, () => int(256))]);
});
for (let i = 0; i < Math.floor(rest * 0.02); i++) {
  // Nested length-delimited messages, up to 5000 deep, inside a known and an unknown field.
  let inner = [...fVarint(1, 1)];
  for (let d = 1 + int(5000); d > 0; d--) inner = fBytes(int(2) ? 2 : 15, inner);
  check('deep nesting', Uint8Array.from([...fBytes(int(2) ? 2 : 99, inner), ...strings([''])]));
}
for (let i = 0; i < Math.floor(rest * 0.13); i++) {
  const big = [2 ** 31, 2 ** 32, 2 ** 53 - 1, 2 ** 63, 0, 99][int(6)];
  const which = int(5);
  check(
    'ids out of range (string, location, function)',
    profile({
      locs: which === 0 ? [big] : [1],
      fnName: which === 1 ? big : 1,
      strIdx: which === 2 ? big : 2,
      locFn: which === 3 ? big : 1,
      extra: which === 4 ? fBytes(2, [...fBytes(1, varint(1 + int(1000))), ...fBytes(2, varint(1))]) : [],
    }),
  );
}
for (let i = 0; cases < target; i++) {
  const v = [0, -1, -(2 ** 53), 2 ** 53 + 1, -(2 ** 63), 2 ** 62][int(6)];
  check('zero and negative values', profile({ values: [v, int(2) ? 0 : -int(1000)] }));
}
const seconds = (performance.now() - t0) / 1000;
peakRss = Math.max(peakRss, process.memoryUsage().rss);

console.log(`decoder fuzzing: ${cases} cases in ${seconds.toFixed(1)} s (seed ${flag('seed', 1)})`);
for (const [family, n] of counts) console.log(`  ${String(n).padStart(7)}  ${family}`);
console.log(`slowest case: ${slowest.ms.toFixed(1)} ms (${slowest.family}); peak RSS ${(peakRss / 2 ** 20).toFixed(1)} MiB`);
const ok = failures.length === 0 && slowest.ms < 2000 && peakRss < 512 * 2 ** 20;
console.log(`result: ${failures.length} cases threw something other than DecodeError/QueryError${ok ? ' — pass' : ' — FAIL'}`);
for (const f of failures.slice(0, 5)) console.log(`  ${f.family}: ${f.error} (input base64 ${f.bytes}...)`);
process.exit(ok ? 0 : 1);
