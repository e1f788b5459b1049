/**
 * The run directory's manifest, `run.json` (DESIGN.md, "The run directory"):
 * what was collected, from where, when, and how each scrape went. Rewritten
 * atomically after every snapshot, so a run killed at any moment is valid up
 * to its last complete snapshot.
 */
export interface RunManifest {
  readonly schemaVersion: 1;
  readonly tool: { readonly name: 'heaplens'; readonly version: string };
  readonly name: string;
  /** The command line, with secrets (headers, tokens) removed. */
  readonly commandLine: readonly string[];
  /** ISO-8601 times. `end` is null while the run is going (or if it was killed). */
  readonly start: string;
  readonly end: string | null;
  readonly status: RunStatus;
  /** Why the run ended, in words ("duration reached", "interrupted (SIGINT)", "all targets stopped"). */
  readonly endReason: string | null;
  readonly intervalMs: number;
  readonly targets: readonly RunTarget[];
  readonly snapshots: readonly SnapshotEntry[];
  readonly events: readonly RunEvent[];
}

export type RunStatus = 'running' | 'complete' | 'interrupted' | 'failed';

export type ProfileKind = 'heap' | 'allocs' | 'goroutine' | 'cpu';

export interface RunTarget {
  readonly name: string;
  /** Base URL of the pprof endpoints (credentials removed). */
  readonly url: string;
  readonly profiles: readonly ProfileKind[];
  /** Set when collection from this target stopped before the run ended, and why. */
  readonly stoppedAt: string | null;
  readonly stopReason: string | null;
}

/** One scrape of one profile kind of one target: stored (`ok`) or not (`failed`, with the reason). */
export interface SnapshotEntry {
  readonly target: string;
  readonly kind: ProfileKind;
  /** Sequence number among this target's snapshots of this kind, stored or not. */
  readonly index: number;
  /** Unix milliseconds: when the scrape was due, and when it started. */
  readonly scheduledAt: number;
  readonly t: number;
  readonly durationMs: number;
  readonly status: 'ok' | 'failed';
  /** Path relative to the run directory, for stored snapshots. */
  readonly file: string | null;
  readonly bytes: number;
  readonly error: string | null;
}

/** Something that happened to a target or the run (target stopped, ticks skipped, restart seen). */
export interface RunEvent {
  readonly t: number;
  readonly target: string | null;
  readonly kind: 'target-stopped' | 'ticks-skipped' | 'metrics-failed' | 'target-restarted' | 'pod-restarted' | 'pod-replaced' | 'clock-jump' | 'note';
  readonly message: string;
  /** Kubernetes targets: the pod, and what ended the previous container (reason such as OOMKilled, exit code). */
  readonly pod?: { readonly name: string; readonly previous: string | null; readonly reason: string | null; readonly exitCode: number | null; readonly restartCount: number };
}

/** One line of `<target>/metrics.jsonl`. */
export interface MetricSample {
  /** Unix milliseconds. */
  readonly t: number;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/**
 * A run as analysis reads it: for each target, its stored heap snapshots in
 * time order (files to decode one at a time) and its metric samples. Built by
 * the run-directory reader from `run.json`, or from a directory without a
 * manifest (operator-controller's `<component>/heapN.pprof` layout).
 */
export interface RunSource {
  readonly schemaVersion: 1;
  readonly name: string;
  /** Unix ms, when known (a manifest-less directory learns them from profiles). */
  readonly start: number | null;
  readonly end: number | null;
  readonly intervalMs: number | null;
  readonly layout: 'heaplens' | 'operator-controller';
  readonly targets: readonly RunSourceTarget[];
}

export interface RunSourceTarget {
  readonly name: string;
  readonly snapshots: readonly RunSourceSnapshot[];
  readonly metrics: readonly MetricSample[];
  /** The manifest's events about this target (restarts...); none for a manifest-less directory. */
  readonly events?: readonly RunEvent[];
}

export interface RunSourceSnapshot {
  readonly index: number;
  readonly kind: ProfileKind;
  /** Unix ms: when it was taken (manifest), or the profile's own time_nanos. */
  readonly t: number;
  /** Path relative to the run directory. */
  readonly file: string;
}
