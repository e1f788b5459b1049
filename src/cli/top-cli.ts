// `heaplens top` and `heaplens diff` on their own: the entry (main.ts) loads
// this instead of the whole CLI for them, so a one-shot look at a profile
// does not pay for loading the analysis, the renderers and the YAML parser.
import { ProfileFileError } from '../adapters/profile-file.js';
import { QueryError } from '../pprof/errors.js';
import { registerTop } from './commands/top.js';
import { EXIT_INPUT, EXIT_USAGE, UsageError, internalError } from './exit-codes.js';
import { processIo, type CliIo } from './io.js';
import { runProgram } from './program.js';

/** The errors top and diff can end with (a subset of errors.ts' describeError, which holds them all). */
export function describeTopError(err: unknown): { code: number; message: string } {
  if (err instanceof UsageError) return { code: EXIT_USAGE, message: err.message };
  if (err instanceof ProfileFileError || err instanceof QueryError) return { code: EXIT_INPUT, message: err.message };
  return internalError(err);
}

/** Runs `heaplens top|diff ...` (argv without node and script); resolves to the exit code. */
export function runTopCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  return runProgram(argv, io, (program) => registerTop(program, io), describeTopError);
}
