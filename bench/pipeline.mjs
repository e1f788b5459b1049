// One in-process measurement, in a fresh process: either heaplens' whole `top`
// pipeline (read, inflate while decoding, aggregate on two threads, select rows)
// or gunzip alone (read + zlib.gunzipSync), the floor for any Node reader.
// Usage: node bench/pipeline.mjs top|gunzip PROFILE  → prints milliseconds.
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { gunzipSync } from 'node:zlib';
import { readProfileFile } from '../dist/adapters/profile-file.js';
import { parallelPasses } from '../dist/adapters/parallel-passes.js';
import { topOfWith } from '../dist/pprof/top.js';

const [what, file] = process.argv.slice(2);
// As the heaplens executable runs (src/cli/main.ts; run.mjs starts this with its --max-semi-space-size).
if (what !== 'gunzip') setFlagsFromString('--no-concurrent-osr');
const t0 = performance.now();
if (what === 'gunzip') {
  gunzipSync(readFileSync(file));
} else {
  const passes = parallelPasses(50_000);
  const profile = await readProfileFile(file, { labels: false, shared: true, onInflated: () => passes.start() });
  await topOfWith(profile, { nodeCount: 20 }, passes);
  await passes.close();
}
console.log((performance.now() - t0).toFixed(1));
