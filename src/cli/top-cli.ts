// `heaplens top` and `heaplens diff` on their own: the entry (main.ts) loads
// this instead of the whole CLI for them, so a one-shot look at a profile
// does not pay for loading the analysis, the renderers and the YAML parser.
import { registerTop } from './commands/top.js';
import { processIo, type CliIo } from './io.js';
import { describeProfileError } from './profile-errors.js';
import { runProgram } from './program.js';

/** Runs `heaplens top|diff ...` (argv without node and script); resolves to the exit code. */
export function runTopCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  return runProgram(argv, io, (program) => registerTop(program, io), describeProfileError);
}
