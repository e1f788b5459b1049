import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, normalize, relative, sep } from 'node:path';
import type { MetricSample, ProfileKind, RunManifest, RunSource, RunSourceSnapshot, RunSourceTarget } from '../model/run.js';
import { readProfileFile } from './profile-file.js';

/** A run directory cannot be read; the message names the file and what is wrong. */
export class RunReadError extends Error {
  override readonly name = 'RunReadError';
}

/**
 * Reads a run directory for analysis: heaplens' own (run.json: the stored
 * snapshots it names, in time order; a run killed mid-write reads up to its
 * last complete snapshot), or operator-controller's layout without a
 * manifest (`<component>/heapN.pprof`, ordered by N, timed by each profile's
 * time_nanos). Paths from the manifest never lead outside the directory.
 */
export async function readRunDir(dir: string): Promise<RunSource> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new RunReadError(`${dir}: not a directory`);
  if (existsSync(join(dir, 'run.json'))) return readHeaplensRun(dir);
  return readOperatorControllerRun(dir);
}

function readHeaplensRun(dir: string): RunSource {
  const path = join(dir, 'run.json');
  let manifest: RunManifest;
  try {
    manifest = JSON.parse(readFileSync(path, 'utf8')) as RunManifest;
  } catch (e) {
    throw new RunReadError(`${path}: not valid JSON (${(e as Error).message})`);
  }
  if (manifest.schemaVersion !== 1 || !Array.isArray(manifest.snapshots) || !Array.isArray(manifest.targets)) {
    throw new RunReadError(`${path}: not a heaplens run manifest (schemaVersion 1 with targets and snapshots)`);
  }
  const targets: RunSourceTarget[] = manifest.targets.map((t) => {
    const snapshots: RunSourceSnapshot[] = manifest.snapshots
      .filter((s) => s.target === t.name && s.status === 'ok' && s.file)
      .map((s) => ({ index: s.index, kind: s.kind, t: s.t, file: insideRun(dir, s.file!, path) }))
      .filter((s) => existsSync(join(dir, s.file)))
      .sort((a, b) => a.t - b.t || a.index - b.index);
    return { name: t.name, snapshots, metrics: readMetrics(dir, t.name), events: (manifest.events ?? []).filter((e) => e.target === t.name) };
  });
  const start = Date.parse(manifest.start);
  return {
    schemaVersion: 1,
    name: manifest.name,
    start: Number.isNaN(start) ? null : start,
    end: manifest.end ? Date.parse(manifest.end) : null,
    intervalMs: manifest.intervalMs ?? null,
    layout: 'heaplens',
    targets,
  };
}

/** Refuses a manifest path that is absolute or climbs out of the run directory. */
function insideRun(dir: string, file: string, manifestPath: string): string {
  const rel = normalize(file);
  if (isAbsolute(rel) || rel.startsWith('..' + sep) || rel === '..' || relative(dir, join(dir, rel)).startsWith('..')) {
    throw new RunReadError(`${manifestPath}: snapshot path "${file}" leads outside the run directory`);
  }
  return rel;
}

/** metrics.jsonl: one JSON sample per line. A trailing partial line (a write cut by a kill) is ignored; any other bad line is an error naming it. */
function readMetrics(dir: string, target: string): MetricSample[] {
  const path = join(dir, target, 'metrics.jsonl');
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  const out: MetricSample[] = [];
  // A long run repeats a few dozen names and label sets thousands of times: keep one copy of each.
  const names = new Map<string, string>();
  const labelSets = new Map<string, Readonly<Record<string, string>>>();
  // Line by line without splitting the file into an array first. The text after the last newline
  // is '' or a line cut short by a kill: either way not a sample.
  let lineNo = 0;
  for (let start = 0, end = text.indexOf('\n'); end >= 0; start = end + 1, end = text.indexOf('\n', start)) {
    const i = lineNo++;
    const line = text.slice(start, end);
    if (line.trim() === '') continue;
    let m: Partial<MetricSample>;
    try {
      m = JSON.parse(line) as Partial<MetricSample>;
    } catch {
      throw new RunReadError(`${path}:${i + 1}: malformed metric line (not JSON)`);
    }
    if (typeof m.t !== 'number' || typeof m.name !== 'string' || typeof m.value !== 'number' || typeof m.labels !== 'object' || m.labels === null) {
      throw new RunReadError(`${path}:${i + 1}: malformed metric line (needs t, name, labels, value)`);
    }
    let name = names.get(m.name);
    if (name === undefined) names.set(m.name, (name = m.name));
    const labelsKey = JSON.stringify(m.labels);
    let labels = labelSets.get(labelsKey);
    if (labels === undefined) labelSets.set(labelsKey, (labels = m.labels));
    out.push({ t: m.t, name, labels, value: m.value });
  }
  return out;
}

const OC_PROFILE = /^(heap|cpu)(\d+)\.pprof$/;

async function readOperatorControllerRun(dir: string): Promise<RunSource> {
  const components = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory() && !e.name.startsWith('.'));
  const targets: RunSourceTarget[] = [];
  let start = Infinity;
  let end = -Infinity;
  for (const c of components.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const files = readdirSync(join(dir, c.name))
      .map((f) => OC_PROFILE.exec(f))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ kind: m[1] as ProfileKind, index: Number(m[2]), file: join(c.name, m[0]) }))
      .sort((a, b) => (a.kind === b.kind ? a.index - b.index : a.kind < b.kind ? -1 : 1));
    if (files.length === 0) continue;
    const snapshots: RunSourceSnapshot[] = [];
    for (const f of files) {
      // No manifest: the profile says when it was taken.
      const profile = await readProfileFile(join(dir, f.file), { labels: false });
      const t = Number(profile.timeNanos / 1_000_000n);
      start = Math.min(start, t);
      end = Math.max(end, t);
      snapshots.push({ ...f, t });
    }
    targets.push({ name: c.name, snapshots, metrics: readMetrics(dir, c.name) });
  }
  if (targets.length === 0) {
    throw new RunReadError(`${dir}: no run here (no run.json, and no <component>/heapN.pprof files)`);
  }
  return {
    schemaVersion: 1,
    name: dir.split(sep).filter(Boolean).pop() ?? dir,
    start: Number.isFinite(start) ? start : null,
    end: Number.isFinite(end) ? end : null,
    intervalMs: null,
    layout: 'operator-controller',
    targets,
  };
}
