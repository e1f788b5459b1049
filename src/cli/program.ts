import { Command, CommanderError } from 'commander';
import { EXIT_USAGE } from './exit-codes.js';
import type { CliIo } from './io.js';
import { VERSION } from '../version.js';

/** Maps an error a command threw to its exit code and one-line message. */
export type DescribeError = (err: unknown) => { code: number; message: string };

/**
 * Builds the `heaplens` program with the commands `register` adds, runs it
 * on `argv` (without node and script) and resolves to the exit code.
 */
export async function runProgram(argv: readonly string[], io: CliIo, register: (program: Command, exit: (code: number) => void) => void, describeError: DescribeError): Promise<number> {
  const program = new Command('heaplens')
    .description('Memory analysis for Go services: pprof series to verdict, report and alert rules')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showSuggestionAfterError();
  let exitCode = 0;
  register(program, (code) => (exitCode = code));
  for (const cmd of program.commands) cmd.exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander printed its one-line message already; help and version are not errors.
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      return EXIT_USAGE;
    }
    const { code, message } = describeError(err);
    io.stderr(`heaplens: ${message}\n`);
    if (process.env.HEAPLENS_DEBUG === '1' && err instanceof Error && err.stack) io.stderr(err.stack + '\n');
    return code;
  }
}
