import type { Command } from 'commander';
import { registerAnalyze } from './commands/analyze.js';
import { registerRules } from './commands/rules.js';
import { registerCheck, registerCompare } from './commands/compare.js';
import { registerCollect, registerRun } from './commands/collect.js';
import { registerDaemon } from './commands/daemon.js';
import { registerTop } from './commands/top.js';
import { describeError } from './errors.js';
import { processIo, type CliIo } from './io.js';
import { runProgram } from './program.js';

/** Registers a command; `exit` sets the exit code a command's action ends with. */
type Register = (program: Command, io: CliIo, exit: (code: number) => void) => void;

/** Every command, in the order `--help` lists them. */
const COMMANDS: readonly Register[] = [registerTop, registerCollect, registerDaemon, registerRun, registerAnalyze, registerRules, registerCompare, registerCheck];

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export function runCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  return runProgram(argv, io, (program, exit) => {
    for (const register of COMMANDS) register(program, io, exit);
  }, describeError);
}
