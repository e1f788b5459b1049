import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, writeSync, writevSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { RunManifest } from '../model/run.js';

const FIRST_ENTRY = Buffer.from('\n  ');
const NEXT_ENTRY = Buffer.from(',\n  ');
const END_ENTRIES = Buffer.from('\n ]\n}\n');
const END_EMPTY = Buffer.from(']\n}\n');

/** Writes every piece, a thousand per system call (writev), resuming after partial writes. */
function writeAll(fd: number, pieces: readonly Uint8Array[]): void {
  for (let i = 0; i < pieces.length; ) {
    const batch = pieces.slice(i, i + 1000);
    let written = writevSync(fd, batch as Uint8Array[]);
    const total = batch.reduce((n, b) => n + b.length, 0);
    if (written === total) {
      i += batch.length;
      continue;
    }
    // Partial: finish this batch piece by piece from where the kernel stopped.
    for (const b of batch) {
      if (written >= b.length) {
        written -= b.length;
        continue;
      }
      let off = written;
      written = 0;
      while (off < b.length) off += writeSync(fd, b, off, b.length - off);
    }
    i += batch.length;
  }
}

/**
 * Writes `path` whole or not at all: a temporary file in the same directory,
 * fsynced, renamed into place, and the directory fsynced.
 */
export function writeFileAtomic(path: string, data: Uint8Array | string | readonly Uint8Array[]): void {
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}`);
  const fd = openSync(tmp, 'w', 0o644);
  try {
    writeAll(fd, typeof data === 'string' ? [Buffer.from(data)] : data instanceof Uint8Array ? [data] : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  const dirFd = openSync(dirname(path), 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}

/** The run directory could not be created or written (ENOSPC, EACCES...): collection must stop, what is written stays valid. */
export class RunDirError extends Error {
  override readonly name = 'RunDirError';
}

/** Target names become directory names: letters, digits, '.', '_', '-'; not '.' or '..'. */
export function checkTargetName(name: string): string | null {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name)) {
    return `target name "${name}" must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit`;
  }
  return null;
}

/**
 * Writes a run directory crash-safely: every file is written to a temporary
 * name in the same directory, fsynced, renamed into place, and the directory
 * fsynced, so a reader (or a kill -9) sees a file whole or not at all.
 * metrics.jsonl and collector.log are appended a whole line batch per write;
 * a reader ignores a trailing partial line.
 */
export class RunDirWriter {
  private readonly created = new Set<string>();
  private readonly entryCache = new WeakMap<object, Uint8Array>();

  private constructor(readonly dir: string) {}

  /** Creates (or takes an empty) directory for a new run; refuses one that already holds a run. */
  static create(dir: string): RunDirWriter {
    try {
      if (existsSync(join(dir, 'run.json'))) throw new RunDirError(`${dir} already holds a run (run.json exists); choose a new --out`);
      mkdirSync(dir, { recursive: true });
      const stray = readdirSync(dir).filter((f) => !f.startsWith('.'));
      if (stray.length > 0) throw new RunDirError(`${dir} is not empty (${stray.slice(0, 3).join(', ')}${stray.length > 3 ? ', ...' : ''}); choose a new --out`);
    } catch (e) {
      if (e instanceof RunDirError) throw e;
      throw new RunDirError(`cannot create run directory ${dir}: ${(e as Error).message}`);
    }
    return new RunDirWriter(dir);
  }

  /** Writes a file whole or not at all; `data` may come in pieces. */
  writeFileAtomic(rel: string, data: Uint8Array | string | readonly Uint8Array[]): void {
    const path = join(this.dir, rel);
    this.guard(rel, () => {
      this.ensureDir(dirname(path));
      writeFileAtomic(path, data);
    });
  }

  /** Appends whole lines (each JSON or text without a newline) in one write, then fsyncs. */
  appendLines(rel: string, lines: readonly string[]): void {
    if (lines.length === 0) return;
    const path = join(this.dir, rel);
    this.guard(rel, () => {
      this.ensureDir(dirname(path));
      const fd = openSync(path, 'a', 0o644);
      try {
        const bytes = Buffer.from(lines.join('\n') + '\n');
        let off = 0;
        while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    });
  }

  /**
   * Rewrites run.json: one line per key, one line per snapshot entry (readable,
   * diff-able). Each entry is serialised once and kept as bytes, and the file
   * is written from those pieces, so a long run's rewrites make little garbage
   * and the collector's memory stays flat.
   */
  writeManifest(manifest: RunManifest): void {
    const head = Object.entries(manifest)
      .filter(([k]) => k !== 'snapshots')
      .map(([k, v]) => ` ${JSON.stringify(k)}: ${JSON.stringify(v)}`)
      .join(',\n');
    const pieces: Uint8Array[] = [Buffer.from(`{\n${head},\n "snapshots": [`)];
    manifest.snapshots.forEach((s, i) => {
      let bytes = this.entryCache.get(s);
      if (bytes === undefined) {
        bytes = Buffer.from(JSON.stringify(s));
        this.entryCache.set(s, bytes);
      }
      pieces.push(i === 0 ? FIRST_ENTRY : NEXT_ENTRY, bytes);
    });
    pieces.push(manifest.snapshots.length > 0 ? END_ENTRIES : END_EMPTY);
    this.writeFileAtomic('run.json', pieces);
  }

  private ensureDir(path: string): void {
    if (this.created.has(path)) return;
    mkdirSync(path, { recursive: true });
    this.created.add(path);
  }

  private guard(rel: string, write: () => void): void {
    try {
      write();
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      const why = err.code === 'ENOSPC' ? 'no space left on the device' : err.code === 'EACCES' ? 'permission denied' : err.message;
      throw new RunDirError(`cannot write ${join(this.dir, rel)}: ${why}`);
    }
  }
}
