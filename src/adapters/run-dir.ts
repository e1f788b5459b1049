import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { RunManifest } from '../model/run.js';

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

  writeFileAtomic(rel: string, data: Uint8Array | string): void {
    const path = join(this.dir, rel);
    const tmp = join(dirname(path), `.${rel.split('/').pop()}.tmp-${process.pid}`);
    this.guard(rel, () => {
      this.ensureDir(dirname(path));
      const fd = openSync(tmp, 'w', 0o644);
      try {
        const bytes = typeof data === 'string' ? Buffer.from(data) : data;
        let off = 0;
        while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, path);
      this.syncDir(dirname(path));
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

  writeManifest(manifest: RunManifest): void {
    this.writeFileAtomic('run.json', JSON.stringify(manifest, null, 1) + '\n');
  }

  private ensureDir(path: string): void {
    if (this.created.has(path)) return;
    mkdirSync(path, { recursive: true });
    this.created.add(path);
  }

  private syncDir(path: string): void {
    const fd = openSync(path, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
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
