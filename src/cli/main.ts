#!/usr/bin/env node
// The `heaplens` executable. `top` and `diff` load only what they need
// (top-cli.ts): start-up is a good part of a one-shot command's time.
import { setFlagsFromString } from 'node:v8';

const argv = process.argv.slice(2);
if (argv[0] === 'top' || argv[0] === 'diff') {
  const { runTopCli } = await import('./top-cli.js');
  process.exitCode = await runTopCli(argv);
} else {
  const { runCli } = await import('./cli.js');
  // A small young generation: analysis makes short-lived garbage in bursts, and V8's default lets the
  // semi-spaces grow to 16 MiB each, which showed as ~30 MiB of peak RSS on a 1000-snapshot run for no
  // gain in speed (BENCHMARKS.md). Set here rather than on the command line (`node --max-semi-space-size`),
  // where it made every start-up ~50 ms slower (more scavenges while the code loads).
  setFlagsFromString('--max-semi-space-size=4');
  process.exitCode = await runCli(argv);
}
