// In-process timing of heaplens' phases on one profile, one thread, one after the other: read, gunzip, decode, top.
// Usage: node bench/phases.mjs PROFILE RUNS  → prints JSON of median milliseconds.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { decodeProfile } from '../dist/pprof/decode.js';
import { topOf } from '../dist/pprof/top.js';

const [file, runsArg] = process.argv.slice(2);
const runs = Number(runsArg ?? 3);
const phases = { read: [], gunzip: [], decode: [], top: [] };
for (let i = 0; i < runs; i++) {
  let t = performance.now();
  const gz = readFileSync(file);
  phases.read.push(performance.now() - t);
  t = performance.now();
  const raw = gunzipSync(gz);
  phases.gunzip.push(performance.now() - t);
  t = performance.now();
  const profile = decodeProfile(raw, { labels: false });
  phases.decode.push(performance.now() - t);
  t = performance.now();
  topOf(profile, { nodeCount: 20 });
  phases.top.push(performance.now() - t);
}
const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(JSON.stringify(Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, median(v)]))));
