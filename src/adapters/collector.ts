import type { MetricSample, ProfileKind, RunEvent, RunManifest, RunStatus, RunTarget, SnapshotEntry } from '../model/run.js';
import { VERSION } from '../version.js';
import { isGzip } from '../pprof/bytes.js';
import { SizeLimitError, decodeProfileBytes } from './profile-file.js';
import { DecodeError } from '../pprof/errors.js';
import { sampleTotals } from '../pprof/sample-type.js';
import { parsePrometheusText, MetricsFormatError } from './prometheus-text.js';
import { RunDirError } from './run-dir.js';
import type { HttpGet } from './http-get.js';
import { HttpError } from './http-get.js';
import { PrometheusApiError, queryRange } from './prometheus-api.js';

export interface CollectTarget {
  readonly name: string;
  /** Base URL; profiles are fetched from `${url}/debug/pprof/<kind>`, metrics from `${url}/metrics`. */
  readonly url: string;
  /** What the manifest says the target is, when the URL is only a local means (a port-forward). */
  readonly label?: string;
}

export interface CollectConfig {
  readonly name: string;
  readonly commandLine: readonly string[];
  readonly targets: readonly CollectTarget[];
  readonly intervalMs: number;
  /** Stop after this long; null: until interrupted or every target stopped. */
  readonly durationMs: number | null;
  readonly profiles: readonly ProfileKind[];
  /** Ask the target to run a GC before each heap profile (`?gc=1`), so profiles are never stale. */
  readonly gc: boolean;
  /** Length of each CPU profile when `cpu` is collected. */
  readonly cpuSeconds: number;
  /** Stop collecting a target after this many consecutive failed scrapes. */
  readonly maxFailures: number;
  /** Metric names kept besides every process_* and go_* sample. */
  readonly metricPatterns: readonly RegExp[];
  readonly timeoutMs: number;
  readonly maxProfileBytes: number;
  /** Series pulled from a Prometheus-compatible API over the run's time range (container metrics a target does not expose). */
  readonly prometheus: PrometheusSource | null;
}

export interface PrometheusSource {
  readonly url: string;
  /** A query may be a function, evaluated at each pull (Kubernetes: the pods a series has run on so far). */
  readonly queries: readonly { readonly target: string; readonly name: string; readonly query: string | (() => string) }[];
  /** Also pull each interval while collecting, not only at the end. */
  readonly live: boolean;
}

/** What the collector needs from the world, passed in so tests control time. */
export interface CollectorIo {
  /** Wall-clock unix ms: what timestamps say. */
  now(): number;
  /** A clock that never jumps (performance.now), for the schedule; defaults to `now`. */
  monotonic?(): number;
  /** Resolves after `ms`, or early when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  get: HttpGet;
  /** For the Prometheus API: without the targets' credentials. Defaults to `get`. */
  prometheusGet?: HttpGet;
  writer: {
    writeFileAtomic(rel: string, data: Uint8Array | string): void;
    appendLines(rel: string, lines: readonly string[]): void;
    writeManifest(manifest: RunManifest): void;
  };
  /** Progress, one event per scrape and per change of state. */
  event(e: CollectEvent): void;
  /** Events about a target found outside the scrapes (Kubernetes: a container restarted, a pod replaced), taken once per tick. */
  targetEvents?(target: string): RunEvent[];
}

export type CollectEvent =
  | {
      readonly type: 'snapshot';
      readonly target: string;
      readonly kind: ProfileKind;
      readonly index: number;
      readonly t: number;
      readonly status: 'ok' | 'failed';
      readonly error: string | null;
      readonly heapInuseBytes: number | null;
      readonly rssBytes: number | null;
      readonly consecutiveFailures: number;
      readonly stored: number;
    }
  | { readonly type: 'target-stopped'; readonly target: string; readonly reason: string; readonly t: number }
  | { readonly type: 'log'; readonly target: string | null; readonly message: string; readonly t: number }
  | { readonly type: 'end'; readonly reason: string; readonly status: RunStatus; readonly t: number };

const METRIC_PREFIXES = ['process_', 'go_'];

/**
 * Collects profile series and metrics from live targets into a run
 * directory, each target on its own fixed schedule (due times are
 * start + k·interval: a slow scrape does not shift later ones, and skipped
 * ticks are recorded, never run late back to back). Every profile is decoded
 * before it counts; anything else is recorded as a failed scrape with its
 * reason. Ends when the duration passes, `signal` aborts (scrapes in flight
 * are abandoned), `end` aborts (scrapes in flight finish first; its reason
 * is the end reason), or every target stopped; the manifest is final in each case. A RunDirError (disk full,
 * permissions) ends the run at once, with the manifest as last written.
 */
export async function collect(config: CollectConfig, io: CollectorIo, signal: AbortSignal, end?: AbortSignal): Promise<RunManifest> {
  const start = io.now();
  // The schedule runs on the monotonic clock, so a wall-clock step (NTP, a VM resumed) neither
  // stalls nor rushes it; timestamps stay wall-clock, and a step is recorded as an event.
  const mono = (): number => (io.monotonic ? io.monotonic() : io.now());
  const monoStart = mono();
  const deadline = config.durationMs !== null ? monoStart + config.durationMs : Infinity;
  const snapshots: SnapshotEntry[] = [];
  const events: RunEvent[] = [];
  const targets = new Map<string, RunTarget>(config.targets.map((t) => [t.name, { name: t.name, url: t.label ?? redactUrl(t.url), profiles: config.profiles, stoppedAt: null, stopReason: null }]));
  let manifestEnd: { end: string; status: RunStatus; reason: string } | null = null;

  const manifest = (): RunManifest => ({
    schemaVersion: 1,
    tool: { name: 'heaplens', version: VERSION },
    name: config.name,
    commandLine: config.commandLine,
    start: new Date(start).toISOString(),
    end: manifestEnd?.end ?? null,
    status: manifestEnd?.status ?? 'running',
    endReason: manifestEnd?.reason ?? null,
    intervalMs: config.intervalMs,
    targets: [...targets.values()],
    snapshots,
    events,
  });
  const log = (target: string | null, message: string): void => {
    const t = io.now();
    io.writer.appendLines('collector.log', [`${new Date(t).toISOString()} ${target ?? '-'} ${message}`]);
    io.event({ type: 'log', target, message, t });
  };

  // One controller stops every loop when the run must end early (disk error).
  const stopAll = new AbortController();
  const abortAll = (): void => stopAll.abort();
  signal.addEventListener('abort', abortAll, { once: true });
  // Waiting ends on either; a scrape in flight only on the hard one.
  const stopWaiting = end ? AbortSignal.any([stopAll.signal, end]) : stopAll.signal;
  const ending = (): boolean => stopWaiting.aborted;
  let fatal: RunDirError | null = null;

  io.writer.writeManifest(manifest());
  log(null, `run started: ${config.targets.length} target(s), every ${config.intervalMs} ms`);

  const stopTarget = (name: string, reason: string): void => {
    const t = io.now();
    targets.set(name, { ...targets.get(name)!, stoppedAt: new Date(t).toISOString(), stopReason: reason });
    events.push({ t, target: name, kind: 'target-stopped', message: reason });
    io.event({ type: 'target-stopped', target: name, reason, t });
    log(name, `stopped: ${reason}`);
    io.writer.writeManifest(manifest());
  };

  const targetLoop = async (target: CollectTarget): Promise<void> => {
    const counters = new Map<ProfileKind, number>();
    let consecutiveFailures = 0;
    let stored = 0;
    let metricsFailing = false;
    const kinds = config.profiles.filter((k) => k !== 'cpu');
    let lastWall = io.now();
    let lastMono = mono();
    let lastStartTime: number | null = null;
    let lastNumGc: number | null = null;
    for (let k = 0; !ending(); ) {
      const dueMono = monoStart + k * config.intervalMs;
      if (dueMono >= deadline) return;
      const wait = dueMono - mono();
      if (wait > 0) await io.sleep(wait, stopWaiting);
      if (ending()) return;
      const due = start + k * config.intervalMs;
      const [wallNow, monoNow] = [io.now(), mono()];
      const step = wallNow - lastWall - (monoNow - lastMono);
      if (Math.abs(step) > Math.max(1000, config.intervalMs)) {
        const message = `wall clock stepped ${step > 0 ? 'forward' : 'back'} by ${Math.round(Math.abs(step) / 1000)} s; the schedule kept its pace`;
        events.push({ t: wallNow, target: target.name, kind: 'clock-jump', message });
        log(target.name, message);
      }
      [lastWall, lastMono] = [wallNow, monoNow];

      // What the cluster saw happen to the target since the last tick (restart reasons such as OOMKilled).
      const outside = io.targetEvents?.(target.name) ?? [];
      for (const e of outside) {
        events.push(e);
        log(target.name, e.message);
      }
      let rssBytes: number | null = null;
      // Metrics first: an RSS reading taken just before the heap profile describes the same moment.
      if (!stopAll.signal.aborted) {
        const result = await scrapeMetrics(target, config, io, stopAll.signal);
        if (result.error === null) {
          rssBytes = result.rss;
          // A restarted process: a new start time, or (without one) cumulative counters going back.
          const restart =
            lastStartTime !== null && result.startTime !== null
              ? Math.abs(result.startTime - lastStartTime) > 0.5
                ? `process start time ${new Date(lastStartTime * 1000).toISOString()} → ${new Date(result.startTime * 1000).toISOString()}`
                : null
              : lastNumGc !== null && result.numGc !== null && result.numGc < lastNumGc
                ? `go_memstats_num_gc went back from ${lastNumGc} to ${result.numGc}`
                : null;
          // A restart the cluster already reported this tick is not reported twice.
          if (restart !== null && !outside.some((e) => e.kind === 'pod-restarted' || e.kind === 'pod-replaced')) {
            events.push({ t: io.now(), target: target.name, kind: 'target-restarted', message: `target restarted: ${restart}` });
            log(target.name, `target restarted: ${restart}`);
          }
          lastStartTime = result.startTime ?? lastStartTime;
          lastNumGc = result.numGc ?? lastNumGc;
          io.writer.appendLines(`${target.name}/metrics.jsonl`, result.samples.map((s) => JSON.stringify(s)));
          if (metricsFailing) log(target.name, 'metrics scrape recovered');
          metricsFailing = false;
        } else if (!stopAll.signal.aborted && !metricsFailing) {
          metricsFailing = true;
          events.push({ t: io.now(), target: target.name, kind: 'metrics-failed', message: result.error });
          log(target.name, `metrics scrape failed: ${result.error}`);
        }
      }
      for (const kind of kinds) {
        if (stopAll.signal.aborted) return;
        const index = counters.get(kind) ?? 0;
        counters.set(kind, index + 1);
        const entry = await scrapeProfile(target, kind, index, due, config, io, stopAll.signal);
        if (entry === null) return; // aborted mid-scrape: not a failure of the target
        snapshots.push(entry.snapshot);
        if (entry.snapshot.status === 'ok') {
          stored++;
          if (kind === 'heap') consecutiveFailures = 0;
        } else {
          log(target.name, `${kind} scrape failed: ${entry.snapshot.error}`);
          if (kind === 'heap') consecutiveFailures++;
        }
        // The heap profile is the snapshot: the manifest names it as soon as it is on disk.
        if (kind === 'heap' || entry.snapshot.status === 'failed') io.writer.writeManifest(manifest());
        io.event({
          type: 'snapshot',
          target: target.name,
          kind,
          index,
          t: entry.snapshot.t,
          status: entry.snapshot.status,
          error: entry.snapshot.error,
          heapInuseBytes: entry.heapInuseBytes,
          rssBytes,
          consecutiveFailures,
          stored,
        });
      }
      if (kinds.length > 1) io.writer.writeManifest(manifest());
      if (consecutiveFailures >= config.maxFailures) {
        stopTarget(target.name, `${consecutiveFailures} consecutive failed scrapes (--max-failures ${config.maxFailures})`);
        return;
      }
      // The next due time after now; ticks missed while a scrape ran long are skipped, and said so.
      const next = Math.max(k + 1, Math.floor((mono() - monoStart) / config.intervalMs) + 1);
      if (next > k + 1) {
        const message = `${next - k - 1} tick(s) skipped: the scrape took longer than the interval`;
        events.push({ t: io.now(), target: target.name, kind: 'ticks-skipped', message });
        log(target.name, message);
      }
      k = next;
    }
  };

  const cpuLoop = async (target: CollectTarget): Promise<void> => {
    for (let index = 0; !ending() && mono() + config.cpuSeconds * 1000 <= deadline; index++) {
      if (targets.get(target.name)!.stoppedAt !== null) return;
      const due = io.now();
      const entry = await scrapeProfile(target, 'cpu', index, due, config, io, stopAll.signal);
      if (entry === null) return;
      snapshots.push(entry.snapshot);
      if (entry.snapshot.status === 'failed') {
        log(target.name, `cpu scrape failed: ${entry.snapshot.error}`);
        // Do not spin on a target that refuses CPU profiles.
        await io.sleep(config.intervalMs, stopWaiting);
      }
      io.writer.writeManifest(manifest());
    }
  };

  const guarded = async (loop: Promise<void>): Promise<void> => {
    try {
      await loop;
    } catch (e) {
      if (!(e instanceof RunDirError)) throw e;
      fatal ??= e;
      stopAll.abort();
    }
  };
  // Prometheus series: pulled each interval with `live`, and at the end for the rest of the run.
  const pulledUntil = new Map<string, number>();
  const pullQueries = async (untilMs: number): Promise<void> => {
    const source = config.prometheus;
    if (!source) return;
    for (const q of source.queries) {
      const key = `${q.target}/${q.name}`;
      const from = pulledUntil.get(key) ?? start;
      try {
        const samples = await queryRange(io.prometheusGet ?? io.get, source.url, q.name, typeof q.query === 'function' ? q.query() : q.query, { startMs: from, endMs: untilMs, stepMs: config.intervalMs }, signal);
        const fresh = samples.filter((m) => m.t > from || (from === start && m.t === start));
        io.writer.appendLines(`${q.target}/metrics.jsonl`, fresh.map((m) => JSON.stringify(m)));
        pulledUntil.set(key, untilMs);
      } catch (e) {
        if (signal.aborted) return;
        if (!(e instanceof PrometheusApiError)) throw e;
        events.push({ t: io.now(), target: q.target, kind: 'metrics-failed', message: e.message });
        log(q.target, `prometheus query ${q.name} failed: ${e.message}`);
      }
    }
  };
  const liveLoop = async (): Promise<void> => {
    while (!ending() && mono() < deadline) {
      await io.sleep(config.intervalMs, stopWaiting);
      if (!ending()) await pullQueries(io.now());
    }
  };

  await Promise.all([
    ...config.targets.flatMap((t) => [guarded(targetLoop(t)), ...(config.profiles.includes('cpu') ? [guarded(cpuLoop(t))] : [])]),
    ...(config.prometheus?.live ? [guarded(liveLoop())] : []),
  ]);
  signal.removeEventListener('abort', abortAll);
  if (!fatal && !signal.aborted) await guarded(pullQueries(io.now()));

  const allStopped = [...targets.values()].every((t) => t.stoppedAt !== null);
  const [status, reason]: [RunStatus, string] = fatal
    ? ['failed', (fatal as RunDirError).message]
    : signal.aborted
      ? endBy(signal.reason)
      : end?.aborted
        ? ['complete', String(end.reason ?? 'ended')]
        : allStopped
        ? ['complete', 'all targets stopped']
        : ['complete', 'duration reached'];
  manifestEnd = { end: new Date(io.now()).toISOString(), status, reason };
  const final = manifest();
  if (!fatal) {
    log(null, `run ended: ${reason}`);
    io.writer.writeManifest(final);
  } else {
    // Best effort: say why the run failed. On a full disk this write fails too, and the last
    // manifest written (atomically) stays as it was: valid, status "running".
    try {
      io.writer.writeManifest(final);
    } catch {
      // already failing for the reason in `fatal`
    }
  }
  io.event({ type: 'end', reason, status, t: io.now() });
  if (fatal) throw fatal;
  return final;
}

/** How a hard stop reads in the manifest. */
function endBy(reason: unknown): [RunStatus, string] {
  return ['interrupted', `interrupted (${String(reason ?? 'signal')})`];
}

interface ScrapedProfile {
  readonly snapshot: SnapshotEntry;
  readonly heapInuseBytes: number | null;
}

/** Fetches one profile, decodes it to be sure it is one, and stores it; null when aborted. */
async function scrapeProfile(
  target: CollectTarget,
  kind: ProfileKind,
  index: number,
  scheduledAt: number,
  config: CollectConfig,
  io: CollectorIo,
  signal: AbortSignal,
): Promise<ScrapedProfile | null> {
  const t = io.now();
  const path = kind === 'cpu' ? `profile?seconds=${config.cpuSeconds}` : kind === 'heap' && config.gc ? 'heap?gc=1' : kind;
  const timeout = config.timeoutMs + (kind === 'cpu' ? config.cpuSeconds * 1000 : 0);
  const base = { target: target.name, kind, index, scheduledAt, t };
  const failed = (error: string): ScrapedProfile => ({
    snapshot: { ...base, durationMs: io.now() - t, status: 'failed', file: null, bytes: 0, error },
    heapInuseBytes: null,
  });
  let body: Uint8Array;
  try {
    const res = await io.get(`${target.url}/debug/pprof/${path}`, { timeoutMs: timeout, maxBytes: config.maxProfileBytes, signal });
    body = res.body;
    if (res.status !== 200) return failed(`HTTP ${res.status}${describeBody(res.body)}`);
  } catch (e) {
    if (signal.aborted) return null;
    if (e instanceof HttpError) return failed(e.message);
    throw e;
  }
  let heapInuseBytes: number | null = null;
  try {
    const profile = await decodeProfileBytes(body, { maxBytes: config.maxProfileBytes, labels: false });
    if (profile.sampleTypes.length === 0) return failed('profile has no sample types');
    if (kind === 'heap') {
      const i = profile.sampleTypes.findIndex((st) => st.type === 'inuse_space');
      heapInuseBytes = i >= 0 ? sampleTotals(profile)[i]! : null;
    }
  } catch (e) {
    if (e instanceof DecodeError || e instanceof SizeLimitError) {
      return failed(`not a profile${describeBody(body)}: ${(e as Error).message}`);
    }
    throw e;
  }
  const file = `${target.name}/${kind}-${String(index).padStart(6, '0')}.${isGzip(body) ? 'pb.gz' : 'pb'}`;
  io.writer.writeFileAtomic(file, body);
  return { snapshot: { ...base, durationMs: io.now() - t, status: 'ok', file, bytes: body.length, error: null }, heapInuseBytes };
}

/** A hint about what came back instead of a profile: an HTML page says "login page?" better than a byte offset. */
function describeBody(body: Uint8Array): string {
  const head = new TextDecoder().decode(body.subarray(0, 256)).trimStart().toLowerCase();
  if (head.startsWith('<!doctype html') || head.startsWith('<html') || head.startsWith('<')) return ' (an HTML page)';
  if (body.length === 0) return ' (empty body)';
  return '';
}

interface ScrapedMetrics {
  readonly samples: MetricSample[];
  readonly rss: number | null;
  /** process_start_time_seconds and go_memstats_num_gc: how a restart shows. */
  readonly startTime: number | null;
  readonly numGc: number | null;
  readonly error: string | null;
}

async function scrapeMetrics(target: CollectTarget, config: CollectConfig, io: CollectorIo, signal: AbortSignal): Promise<ScrapedMetrics> {
  const t = io.now();
  try {
    const res = await io.get(`${target.url}/metrics`, { timeoutMs: config.timeoutMs, maxBytes: 64 << 20, signal });
    if (res.status !== 200) return { samples: [], rss: null, startTime: null, numGc: null, error: `HTTP ${res.status}` };
    const exposed = parsePrometheusText(new TextDecoder().decode(res.body));
    const samples: MetricSample[] = [];
    let rss: number | null = null;
    let startTime: number | null = null;
    let numGc: number | null = null;
    for (const s of exposed) {
      if (s.name === 'process_start_time_seconds') startTime = s.value;
      if (s.name === 'go_memstats_num_gc') numGc = s.value;
      if (!METRIC_PREFIXES.some((p) => s.name.startsWith(p)) && !config.metricPatterns.some((re) => re.test(s.name))) continue;
      samples.push({ t: s.timestampMs ?? t, name: s.name, labels: s.labels, value: s.value });
      if (s.name === 'process_resident_memory_bytes') rss = s.value;
    }
    return { samples, rss, startTime, numGc, error: null };
  } catch (e) {
    if (e instanceof HttpError || e instanceof MetricsFormatError) return { samples: [], rss: null, startTime: null, numGc: null, error: e.message };
    if (signal.aborted) return { samples: [], rss: null, startTime: null, numGc: null, error: 'aborted' };
    throw e;
  }
}

/** The URL without user:password, for the manifest. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}
