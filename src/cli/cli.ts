#!/usr/bin/env -S node --max-semi-space-size=4
// A small young generation: analysis makes short-lived garbage in bursts, and V8's default
// lets the semi-spaces grow to 16 MiB each, which showed as ~30 MiB of peak RSS on a
// 1000-snapshot run for no gain in speed (BENCHMARKS.md). `env -S` needs coreutils 8.30+ or macOS.
import { Command, CommanderError } from 'commander';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { registerAnalyze } from './commands/analyze.js';
import { registerRules } from './commands/rules.js';
import { registerCheck, registerCompare } from './commands/compare.js';
import { registerCollect, registerRun } from './commands/collect.js';
import { registerDaemon } from './commands/daemon.js';
import { registerTop } from './commands/top.js';
import { EXIT_USAGE, describeError } from './errors.js';
import { processIo, type CliIo } from './io.js';
import { VERSION } from '../version.js';

/** Registers a command; `exit` sets the exit code a command's action ends with. */
type Register = (program: Command, io: CliIo, exit: (code: number) => void) => void;

/** Every command, in the order `--help` lists them. */
const COMMANDS: readonly Register[] = [registerTop, registerCollect, registerDaemon, registerRun, registerAnalyze, registerRules, registerCompare, registerCheck];

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const program = new Command('heaplens')
    .description('Memory analysis for Go services: pprof series to verdict, report and alert rules')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showSuggestionAfterError();
  let exitCode = 0;
  for (const register of COMMANDS) register(program, io, (code) => (exitCode = code));
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

function isMain(): boolean {
  try {
    return realpathSync(process.argv[1] ?? '') === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
