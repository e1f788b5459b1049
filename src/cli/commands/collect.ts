import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { spawn } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import { basename, join } from 'node:path';
import { loadRun } from '../../adapters/analyze-dir.js';
import { loadAlertRules } from '../../adapters/alert-rules-file.js';
import { loadCatalog } from '../../adapters/recommendation-catalog.js';
import { loadComponentRules } from '../../adapters/rule-packs.js';
import { addAnalysisFlags, analysisOptions, type AnalysisFlags } from '../analysis-flags.js';
import { loadBudget } from '../../adapters/budget-file.js';
import { reportBudget } from './compare.js';
import { analyzeRun } from '../../analyze/analyze-run.js';
import { collect, redactUrl, type CollectConfig, type CollectTarget, type PrometheusSource } from '../../adapters/collector.js';
import { createHttpGet, type HttpClientOptions } from '../../adapters/http-get.js';
import { DEFAULT_MAX_PROFILE_BYTES } from '../../adapters/profile-file.js';
import { RunDirError, RunDirWriter, checkTargetName } from '../../adapters/run-dir.js';
import type { ProfileKind } from '../../model/run.js';
import { EXIT_INPUT, UsageError } from '../errors.js';
import type { CliIo } from '../io.js';
import { collectList, byteSize, duration, positiveInt } from '../options.js';
import { createProgress, type ProgressMode } from '../progress.js';
import { announceDaemon } from './daemon-files.js';
import { addGithubSummaryFlag, appendGithubSummary, githubSummaryPath, writeReport } from '../report-output.js';
import { addK8sFlags, connectK8s, k8sSpecs, startK8s, type K8sFlags, type RunningK8s } from '../k8s-collect.js';
import { sleep } from '../sleep.js';
import type { KubeApi } from '../../adapters/k8s/kube-api.js';
import type { K8sTargetSpec } from '../../model/k8s.js';

interface CollectFlags extends K8sFlags {
  target: string[];
  out: string;
  interval: number;
  duration?: number;
  profiles: string;
  cpuSeconds: number;
  gc?: boolean;
  maxFailures: number;
  metric: string[];
  timeout?: number;
  maxProfileBytes: number;
  name?: string;
  quiet?: boolean;
  json?: boolean;
  prometheus?: string;
  query: string[];
  live?: boolean;
  header: string[];
  bearerTokenFile?: string;
  caFile?: string;
  cert?: string;
  key?: string;
  insecureSkipVerify?: boolean;
}

const KINDS: readonly ProfileKind[] = ['heap', 'allocs', 'goroutine', 'cpu'];

/** Adds the collection flags (shared by collect, start and run). */
export function addCollectFlags(cmd: Command): Command {
  return addK8sFlags(cmd)
    .option('--target <name=url>', 'pprof HTTP target, e.g. api=http://127.0.0.1:6060 (repeatable; or --k8s)', collectList, [])
    .requiredOption('--out <dir>', 'run directory to create')
    .option('--interval <duration>', 'time between snapshots', duration('--interval'), 10_000)
    .option('--duration <duration>', 'stop after this long (default: until interrupted or all targets stopped)', duration('--duration'))
    .option('--profiles <list>', 'profiles to collect: heap,allocs,goroutine,cpu', 'heap')
    .option('--cpu-seconds <n>', 'length of each CPU profile', positiveInt('--cpu-seconds'), 10)
    .option('--gc', 'run a GC in the target before each heap profile (?gc=1), so no snapshot is stale')
    .option('--max-failures <n>', 'stop collecting a target after N consecutive failed scrapes', positiveInt('--max-failures'), 3)
    .option('--metric <regex>', 'also keep metrics whose name matches (process_* and go_* are always kept; repeatable)', collectList, [])
    .option('--timeout <duration>', 'per-scrape timeout (default: the interval, at most 30s)', duration('--timeout'))
    .option('--max-profile-bytes <size>', 'refuse profiles larger than this', byteSize('--max-profile-bytes'), DEFAULT_MAX_PROFILE_BYTES)
    .option('--prometheus <url>', 'Prometheus-compatible API (Prometheus, VictoriaMetrics, Thanos, Mimir) to pull --query series from')
    .option('--query <[target/]name=promql>', 'series to pull over the run, stored as NAME in the target\'s metrics.jsonl (repeatable)', collectList, [])
    .option('--live', 'pull --query series every interval too, not only at the end')
    .option('--header <"Name: value">', 'HTTP header sent to the targets, e.g. "Authorization: Bearer ..." (repeatable; never stored)', collectList, [])
    .option('--bearer-token-file <file>', 'send "Authorization: Bearer <file contents>" to the targets (read once; never stored)')
    .option('--ca-file <file>', 'PEM CA certificate(s) to verify HTTPS targets with')
    .option('--cert <file>', 'PEM client certificate for targets that require mutual TLS (with --key)')
    .option('--key <file>', 'PEM private key of --cert')
    .option('--insecure-skip-verify', 'do not verify HTTPS targets\' certificates (TLS verification is on by default)')
    .option('--name <name>', 'run name (default: the directory name)')
    .option('--quiet', 'print nothing while collecting')
    .option('--json', 'print one JSON event per snapshot on stdout');
}

function parseTargets(specs: readonly string[], k8sNames: readonly string[]): CollectTarget[] {
  if (specs.length === 0 && k8sNames.length === 0) throw new UsageError('--target: at least one target is required (or --k8s)');
  const seen = new Set<string>();
  return specs.map((spec) => {
    const eq = spec.indexOf('=');
    if (eq <= 0) throw new UsageError(`--target: expected NAME=URL, got "${spec}"`);
    const name = spec.slice(0, eq);
    const url = spec.slice(eq + 1).replace(/\/+$/, '');
    const bad = checkTargetName(name);
    if (bad) throw new UsageError(`--target: ${bad}`);
    if (seen.has(name) || k8sNames.includes(name)) throw new UsageError(`--target: name "${name}" given twice`);
    seen.add(name);
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new UsageError(`--target ${name}: "${url}" is not a URL`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new UsageError(`--target ${name}: only http and https URLs are supported`);
    return { name, url };
  });
}

export function collectConfig(flags: CollectFlags, commandLine: readonly string[], k8sNames: readonly string[] = []): CollectConfig {
  const targets = parseTargets(flags.target, k8sNames);
  const profiles = flags.profiles.split(',').map((p) => p.trim());
  for (const p of profiles) if (!KINDS.includes(p as ProfileKind)) throw new UsageError(`--profiles: unknown profile "${p}" (heap, allocs, goroutine, cpu)`);
  if (!profiles.includes('heap')) throw new UsageError('--profiles: heap is required (it is what heaplens analyses)');
  if (flags.interval < 100) throw new UsageError('--interval: at least 100ms');
  const metricPatterns = flags.metric.map((m) => {
    try {
      return new RegExp(m);
    } catch (e) {
      throw new UsageError(`--metric: invalid regular expression "${m}" (${(e as Error).message})`);
    }
  });
  return {
    name: flags.name ?? basename(flags.out),
    // Credentials in URLs never reach the manifest.
    commandLine: redactCommandLine(commandLine),
    targets,
    intervalMs: flags.interval,
    durationMs: flags.duration ?? null,
    profiles: profiles as ProfileKind[],
    gc: flags.gc ?? false,
    cpuSeconds: flags.cpuSeconds,
    maxFailures: Math.max(1, flags.maxFailures),
    metricPatterns,
    timeoutMs: flags.timeout ?? Math.min(flags.interval, 30_000),
    maxProfileBytes: flags.maxProfileBytes,
    prometheus: prometheusSource(flags, targets, k8sNames),
  };
}

/** Kubernetes series are named NAME or NAME-i once their pods are known. */
const isK8sTarget = (target: string, k8sNames: readonly string[]): boolean => k8sNames.some((n) => target === n || new RegExp(`^${n.replace(/[.]/g, '\\.')}-\\d+$`).test(target));

function prometheusSource(flags: CollectFlags, targets: readonly CollectTarget[], k8sNames: readonly string[]): PrometheusSource | null {
  const specs = flags.query ?? [];
  if (!flags.prometheus) {
    if (specs.length > 0) throw new UsageError('--query needs --prometheus URL');
    return null;
  }
  try {
    new URL(flags.prometheus);
  } catch {
    throw new UsageError(`--prometheus: "${flags.prometheus}" is not a URL`);
  }
  // Kubernetes targets get container memory queries of their own.
  if (specs.length === 0 && k8sNames.length === 0) throw new UsageError('--prometheus needs at least one --query NAME=PROMQL (or a --k8s target)');
  const queries = specs.map((spec) => {
    const m = /^(?:([^/=]+)\/)?([a-zA-Z_:][a-zA-Z0-9_:]*)=(.+)$/s.exec(spec);
    if (!m) throw new UsageError(`--query: expected [TARGET/]NAME=PROMQL with NAME a metric name, got "${spec}"`);
    const target = m[1] ?? (targets.length === 1 && k8sNames.length === 0 ? targets[0]!.name : k8sNames.length === 1 && targets.length === 0 ? k8sNames[0]! : null);
    if (target === null) throw new UsageError(`--query ${m[2]}: with several targets, say which one it is for: TARGET/${m[2]}=...`);
    if (!targets.some((t) => t.name === target) && !isK8sTarget(target, k8sNames)) throw new UsageError(`--query ${m[2]}: no --target or --k8s named "${target}"`);
    return { target, name: m[2]!, query: m[3]! };
  });
  return { url: flags.prometheus.replace(/\/+$/, ''), queries, live: flags.live ?? false };
}

function progressMode(flags: CollectFlags): ProgressMode {
  if (flags.json) return 'json';
  if (flags.quiet) return 'quiet';
  return process.stderr.isTTY ? 'live' : 'plain';
}

interface PreparedCollect {
  readonly config: CollectConfig;
  readonly k8s: { specs: K8sTargetSpec[]; api: KubeApi } | null;
  readonly client: HttpClientOptions;
  readonly writer: RunDirWriter;
  readonly flags: CollectFlags;
}

/** Checks the flags and creates the run directory: everything that can fail before collection starts. */
async function prepareCollect(flags: CollectFlags, commandLine: readonly string[]): Promise<PreparedCollect> {
  const specs = k8sSpecs(flags, process.env);
  const config = collectConfig(flags, commandLine, specs.map((s) => s.name));
  const client = targetClient(flags);
  const k8s = specs.length > 0 ? await connectK8s(specs, flags, process.env) : null;
  return { config, k8s, client, writer: RunDirWriter.create(flags.out), flags };
}

const readSecretFile = (flag: string, path: string): Buffer => {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new UsageError(`${flag}: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
};

/** Headers and TLS material for the targets, read once before collection starts. Nothing of it is written anywhere. */
export function targetClient(flags: Pick<CollectFlags, 'header' | 'bearerTokenFile' | 'caFile' | 'cert' | 'key' | 'insecureSkipVerify'>): HttpClientOptions {
  const headers: Record<string, string> = {};
  for (const h of flags.header ?? []) {
    const m = /^([A-Za-z0-9!#$%&'*+.^_`|~-]+)\s*:\s*(.*)$/.exec(h);
    if (!m) throw new UsageError(`--header: expected "Name: value", got a value without a header name`);
    if (/[\r\n]/.test(m[2]!)) throw new UsageError(`--header ${m[1]}: the value may not contain line breaks`);
    headers[m[1]!.toLowerCase()] = m[2]!;
  }
  if (flags.bearerTokenFile !== undefined) {
    const token = readSecretFile('--bearer-token-file', flags.bearerTokenFile).toString('utf8').trim();
    if (token === '' || /[\r\n]/.test(token)) throw new UsageError(`--bearer-token-file: ${flags.bearerTokenFile} must hold one token on one line`);
    headers.authorization = `Bearer ${token}`;
  }
  if ((flags.cert === undefined) !== (flags.key === undefined)) throw new UsageError('--cert and --key go together');
  return {
    headers,
    ...(flags.caFile !== undefined ? { ca: readSecretFile('--ca-file', flags.caFile) } : {}),
    ...(flags.cert !== undefined ? { cert: readSecretFile('--cert', flags.cert), key: readSecretFile('--key', flags.key!) } : {}),
    rejectUnauthorized: flags.insecureSkipVerify !== true,
  };
}

/** The command line as stored in run.json: header values and URL credentials removed. */
export function redactCommandLine(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const prev = args[i - 1];
    if (prev === '--header') out.push(a.replace(/:.*$/s, ': <redacted>'));
    else if (a.startsWith('--header=')) out.push(a.replace(/^(--header=[^:]*):.*$/s, '$1: <redacted>'));
    else if (/^[a-z]+:\/\//i.test(a)) out.push(redactUrl(a));
    else if (a.includes('=http')) out.push(a.replace(/=(https?:\/\/.*)$/, (_, u: string) => `=${redactUrl(u)}`));
    else out.push(a);
  }
  return out;
}

/**
 * Runs a collection until it ends; SIGINT/SIGTERM end it at once (cleanly),
 * `end` after the scrapes in flight (`run` passes "command exited"). Returns the exit code.
 */
async function executeCollect(prepared: PreparedCollect, io: CliIo, end?: AbortSignal): Promise<number> {
  const { k8s, client, writer, flags } = prepared;
  let config = prepared.config;
  let cluster: RunningK8s | null = null;
  const watchStop = new AbortController();
  const controller = new AbortController();
  const daemonDone = announceDaemon(flags.out);
  // A background collector's SIGTERM is `heaplens stop`: a planned end, after the scrapes in flight.
  const planned = new AbortController();
  const daemon = process.env.HEAPLENS_DAEMON === '1';
  const onSignal = (sig: NodeJS.Signals): void => (daemon && sig === 'SIGTERM' ? planned.abort('stopped by heaplens stop') : controller.abort(sig));
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  end?.addEventListener('abort', () => planned.abort(end.reason), { once: true });
  try {
    if (k8s) {
      // The workloads first: their pods are the targets.
      const quiet = flags.quiet === true || flags.json === true;
      const running = await startK8s(k8s, flags.k8sWait, (line) => (quiet ? undefined : io.stderr(`k8s: ${line}\n`)), controller.signal);
      cluster = running;
      config = {
        ...config,
        targets: [...config.targets, ...running.targets],
        prometheus: config.prometheus ? { ...config.prometheus, queries: [...config.prometheus.queries, ...running.queries] } : null,
      };
    }
    const watching = cluster?.watch(config.intervalMs, watchStop.signal);
    const progress = createProgress(progressMode(flags), io, config.targets.map((t) => t.name), Date.now());
    const targetEvents = cluster ? (target: string) => cluster!.events(target) : undefined;
    const manifest = await collect(config, { now: Date.now, monotonic: () => performance.now(), sleep, get: createHttpGet(client), prometheusGet: createHttpGet(), writer, event: progress, targetEvents }, controller.signal, planned.signal);
    watchStop.abort();
    await watching;
    const empty = manifest.targets.filter((t) => !manifest.snapshots.some((s) => s.target === t.name && s.kind === 'heap' && s.status === 'ok'));
    if (empty.length > 0) {
      const first = empty[0]!;
      const why = first.stopReason ?? 'no snapshot collected';
      const lastError = [...manifest.snapshots].reverse().find((s) => s.target === first.name && s.error)?.error;
      io.stderr(`heaplens: target ${first.name} (${first.url}): ${why}${lastError ? `; last error: ${lastError}` : ''}\n`);
      return EXIT_INPUT;
    }
    return 0;
  } catch (e) {
    if (e instanceof RunDirError) {
      io.stderr(`heaplens: ${e.message}; the run up to the last complete snapshot is in ${flags.out}\n`);
      return EXIT_INPUT;
    }
    throw e;
  } finally {
    watchStop.abort();
    await cluster?.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    daemonDone();
  }
}

export async function runCollect(flags: CollectFlags, commandLine: readonly string[], io: CliIo): Promise<number> {
  return executeCollect(await prepareCollect(flags, commandLine), io);
}

export function registerCollect(program: Command, io: CliIo, exit: (code: number) => void): void {
  addCollectFlags(program.command('collect').description('collect heap profiles and metrics from live targets into a run directory')).action(
    async (flags: CollectFlags) => {
      exit(await runCollect(flags, process.argv.slice(2), io));
    },
  );
}

/**
 * `run [collect flags] -- CMD ARGS`: collects while CMD runs (CMD inherits
 * stdio), stops when it exits, analyses the run (report.html, report.md and
 * report.json in the run directory; the step summary with --github-summary), and exits with CMD's status when it failed, else with
 * the collection's.
 */
export function registerRun(program: Command, io: CliIo, exit: (code: number) => void): void {
  const run = addCollectFlags(
    program
      .command('run')
      .description('collect while a command runs, then analyse: heaplens run --target ... --out RUN -- CMD ARGS')
      .argument('<command...>', 'the command to run (after --)')
      .option('--budget <file>', 'check the analysis against this budget (YAML); exit 1 on a violation when the command succeeded'),
  );
  addGithubSummaryFlag(addAnalysisFlags(run)).action(async (command: string[], flags: CollectFlags & AnalysisFlags & { budget?: string; githubSummary?: string | boolean }) => {
    // Budget and rule files are read before the run directory is made and the command starts:
    // a typo must not cost a whole run, nor leave an empty run directory behind.
    const budget = flags.budget !== undefined ? loadBudget(flags.budget) : null;
    const summaryPath = githubSummaryPath(flags.githubSummary, process.env);
    loadComponentRules(flags.components);
    loadAlertRules(flags.alerts ?? null);
    loadCatalog(flags.recommendations);
    const prepared = await prepareCollect(flags, process.argv.slice(2));
    const controller = new AbortController();
    const child = spawn(command[0]!, command.slice(1), { stdio: 'inherit' });
    const childExit = new Promise<number>((resolve) => {
      child.on('error', (e) => {
        io.stderr(`heaplens: cannot run ${command[0]}: ${e.message}\n`);
        resolve(127);
      });
      child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 + (osConstants.signals[signal] ?? 0) : 1)));
    });
    const collected = executeCollect(prepared, io, controller.signal);
    const cmdCode = await childExit;
    controller.abort('command exited');
    const collectCode = await collected;
    // Then the analysis, into the run directory, when there is something to analyse.
    let gateCode = 0;
    if (collectCode === 0) {
      try {
        const { input, source } = await loadRun(flags.out, flags.components, { alertsFile: flags.alerts ?? null, catalogFiles: flags.recommendations });
        const report = analyzeRun({ ...input, ...analysisOptions(flags) });
        await writeReport(report, flags.out, flags.out, ['md', 'json', 'html'], source);
        if (summaryPath !== null) appendGithubSummary(report, summaryPath);
        if (!flags.quiet && !flags.json) {
          for (const t of report.targets) io.stderr(`${t.name}: ${t.verdict.kind} — ${t.verdict.reason}\n`);
          io.stderr(`report: ${join(flags.out, 'report.html')} (and report.md, report.json)\n`);
        }
        if (budget) gateCode = reportBudget(budget, report, io);
      } catch (e) {
        io.stderr(`heaplens: analysis of ${flags.out} failed: ${(e as Error).message}\n`);
        exit(cmdCode !== 0 ? cmdCode : EXIT_INPUT);
        return;
      }
    }
    // The command's failure comes first, then the collection's, then the budget's.
    exit(cmdCode !== 0 ? cmdCode : collectCode !== 0 ? collectCode : gateCode);
  });
}
