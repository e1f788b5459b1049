#!/usr/bin/env -S node --max-semi-space-size=4
// The `heaplens` executable. `top` and `diff` load only what they need
// (top-cli.ts): start-up is a good part of a one-shot command's time.
//
// A small young generation: analysis makes short-lived garbage in bursts, and V8's default lets the
// semi-spaces grow to 16 MiB each, which showed as ~30 MiB of peak RSS on a 1000-snapshot run for no
// gain in speed (BENCHMARKS.md). It costs every start ~30 ms (more scavenges while the code loads), and
// only works on node's command line: set at run time (v8.setFlagsFromString) it left the RSS as it was.
// `env -S` needs coreutils 8.30+ or macOS.
import { setFlagsFromString } from 'node:v8';

// Hot loops are compiled on this thread as soon as they are found hot (on-stack replacement), rather
// than on a background thread while they keep running slowly: on a two-core machine busy with zlib
// and the worker, the background compile waited, and `top` on the bench profile took ~50 ms longer
// (BENCHMARKS.md). A V8 flag that a later V8 may drop: set at run time, an unknown flag is ignored.
setFlagsFromString('--no-concurrent-osr');

const argv = process.argv.slice(2);
if (argv[0] === 'top' || argv[0] === 'diff') {
  const { runTopCli } = await import('./top-cli.js');
  process.exitCode = await runTopCli(argv);
} else {
  const { runCli } = await import('./cli.js');
  process.exitCode = await runCli(argv);
}
