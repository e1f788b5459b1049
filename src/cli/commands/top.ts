import type { Command } from 'commander';
import { DEFAULT_MAX_PROFILE_BYTES, readProfileFile } from '../../adapters/profile-file.js';
import { compileFrameRegex, type FrameFilter } from '../../pprof/filter.js';
import { LOCAL_PASSES, diffTop, topOfWith, type TopOptions, type TopResult } from '../../pprof/top.js';
import { parallelPasses, type ParallelPasses } from '../../adapters/parallel-passes.js';
import { statSync } from 'node:fs';
import { profileHeader, renderTopText, type TopHeader } from '../../render/top-text.js';
import type { CliIo } from '../io.js';
import { byteSize, fraction, positiveInt } from '../options.js';
import { UsageError } from '../exit-codes.js';

interface TopFlags {
  sampleIndex?: string;
  nodecount?: number;
  nodefraction?: number;
  lines?: boolean;
  focus?: string;
  ignore?: string;
  json?: boolean;
  unit?: string;
  maxProfileBytes: number;
}

function addTopFlags(cmd: Command): Command {
  return cmd
    .option('--sample-index <name>', 'sample type to report, by name or index (default: inuse_space for heap, else the profile default)')
    .option('--nodecount <n>', 'show at most N rows (default: all above the node fraction)', positiveInt('--nodecount'))
    .option('--nodefraction <f>', 'drop rows whose cum is below this fraction of the total', fraction('--nodefraction'), 0.005)
    .option('--lines', 'one row per source line instead of per function')
    .option('--focus <regex>', 'only samples with a frame (function, file or binary) matching the regex')
    .option('--ignore <regex>', 'drop samples with a frame matching the regex')
    .option('--unit <unit>', 'print values in this unit (B, kB, MB, ns, ms, s...) instead of one chosen per table')
    .option('--json', 'print one JSON object with exact integer values')
    .option('--max-profile-bytes <size>', 'refuse profiles that decompress to more than this', byteSize('--max-profile-bytes'), DEFAULT_MAX_PROFILE_BYTES);
}

function topOptions(flags: TopFlags): TopOptions {
  const filter: FrameFilter = {
    ...(flags.focus !== undefined ? { focus: compileFrameRegexForCli(flags.focus, '--focus') } : {}),
    ...(flags.ignore !== undefined ? { ignore: compileFrameRegexForCli(flags.ignore, '--ignore') } : {}),
  };
  return {
    ...(flags.sampleIndex !== undefined ? { sampleType: flags.sampleIndex } : {}),
    ...(flags.nodecount !== undefined ? { nodeCount: flags.nodecount } : {}),
    ...(flags.nodefraction !== undefined ? { nodeFraction: flags.nodefraction } : {}),
    granularity: flags.lines ? 'lines' : 'functions',
    filter,
  };
}

function compileFrameRegexForCli(pattern: string, flag: string): RegExp {
  try {
    return compileFrameRegex(pattern, flag);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** The JSON form of a top table: exact integers, names as they are (JSON escapes them). */
export function topJson(result: TopResult): object {
  return {
    sampleType: result.sampleType.type,
    unit: result.sampleType.unit,
    total: result.total,
    nodesAboveCutoff: result.nodesAboveCutoff,
    droppedNodes: result.droppedNodes,
    rows: result.rows.map((r) => ({ name: r.name, flat: r.flat, cum: r.cum, ...(r.inline ? { inline: r.inline } : {}) })),
  };
}

/**
 * A second thread pays off on big profiles only (starting one costs tens of
 * milliseconds). HEAPLENS_PARALLEL=always|never overrides the size rule.
 */
const PARALLEL_MIN_FILE_BYTES = 4 << 20;
const PARALLEL_MIN_SAMPLES = 50_000;

function parallelPassesFor(path: string): ParallelPasses | null {
  const mode = process.env.HEAPLENS_PARALLEL ?? 'auto';
  if (mode === 'never') return null;
  if (mode === 'always') return parallelPasses(0);
  let size = 0;
  try {
    size = statSync(path).size;
  } catch {
    return null; // readProfileFile reports the problem
  }
  return size >= PARALLEL_MIN_FILE_BYTES ? parallelPasses(PARALLEL_MIN_SAMPLES) : null;
}

function activeFilters(flags: TopFlags): string[] {
  const out: string[] = [];
  if (flags.focus) out.push(`focus=${flags.focus}`);
  if (flags.ignore) out.push(`ignore=${flags.ignore}`);
  return out;
}

function print(io: CliIo, result: TopResult, header: TopHeader, flags: TopFlags): void {
  if (flags.json) io.stdout(JSON.stringify(topJson(result)) + '\n');
  else io.stdout(renderTopText(result, header, flags.unit));
}

export function registerTop(program: Command, io: CliIo): void {
  addTopFlags(
    program
      .command('top')
      .description('top functions of a profile by flat value, like go tool pprof -top')
      .argument('<profile>', 'pprof file (gzip or raw)'),
  ).action(async (path: string, flags: TopFlags) => {
    const options = topOptions(flags);
    const passes = parallelPassesFor(path);
    try {
      const onInflated = passes ? () => passes.start() : undefined;
      const profile = await readProfileFile(path, { maxBytes: flags.maxProfileBytes, labels: false, shared: passes !== null, onInflated });
      const result = await topOfWith(profile, options, passes ?? LOCAL_PASSES);
      print(io, result, profileHeader([profile], result.sampleType.type, activeFilters(flags)), flags);
    } finally {
      await passes?.close();
    }
  });

  addTopFlags(
    program
      .command('diff')
      .description('PROFILE minus BASE by function, like go tool pprof -top -diff_base BASE PROFILE')
      .argument('<base>', 'base pprof file')
      .argument('<profile>', 'pprof file to compare against the base'),
  ).action(async (basePath: string, path: string, flags: TopFlags) => {
    const options = topOptions(flags);
    const [base, profile] = await Promise.all([
      readProfileFile(basePath, { maxBytes: flags.maxProfileBytes, labels: false }),
      readProfileFile(path, { maxBytes: flags.maxProfileBytes, labels: false }),
    ]);
    const result = diffTop(base, profile, options);
    print(io, result, profileHeader([profile, base], result.sampleType.type, activeFilters(flags)), flags);
  });
}
