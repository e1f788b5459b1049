import { closeSync, fstatSync, openSync, read, readFileSync, readSync } from 'node:fs';
import { createGunzip, gunzipSync, type Gunzip } from 'node:zlib';
import type { Profile } from '../model/profile.js';
import { isGzip } from '../pprof/bytes.js';
import { createProfileDecoder, decodeProfile } from '../pprof/decode.js';
import { DecodeError } from '../pprof/errors.js';

/** Default cap on a profile's decompressed size: a gzip bomb stops here. */
export const DEFAULT_MAX_PROFILE_BYTES = 1024 * 1024 * 1024;

/** A profile file could not be read or is not a profile; the message names the file and the problem. */
export class ProfileFileError extends Error {
  override readonly name = 'ProfileFileError';
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path}: ${problem}`);
  }
}

export interface ReadProfileOptions {
  readonly maxBytes?: number;
  readonly labels?: boolean;
  /** Decode stacks into SharedArrayBuffers (for parallel passes). */
  readonly shared?: boolean;
  /**
   * Called once nothing is left to inflate (at once for raw input), while
   * decoding goes on: from then on a core is free for other work, such as
   * starting the worker of parallel passes.
   */
  readonly onInflated?: () => void;
}

function tooLarge(maxBytes: number): string {
  return `gzip data decompresses to more than ${maxBytes} bytes (raise --max-profile-bytes to allow it)`;
}

/** The decompressed profile would exceed the cap (a gzip bomb, or a profile larger than allowed). */
export class SizeLimitError extends Error {}

/** Why a file could not be opened or read, as the one-line error says it. */
function readProblem(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err.code === 'ENOENT' ? 'no such file' : err.code === 'EACCES' ? 'permission denied' : err.code === 'EISDIR' ? 'is a directory, not a profile file' : err.message;
}

/** A profile file opened for reading: its size, and bytes[0, read) read so far into a buffer of that size. */
interface OpenedFile {
  readonly fd: number;
  readonly size: number;
  readonly bytes: Buffer;
  readonly read: number;
}

/** Reads the file into bytes[from, to) (fewer at its end); returns where the bytes read end. */
function readFully(fd: number, bytes: Buffer, from: number, to: number): number {
  let done = from;
  while (done < to) {
    const n = readSync(fd, bytes, done, to - done, done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

/**
 * A profile file opened for reading: its size checked against the cap, and
 * its first `headBytes` read (all of it when smaller).
 */
function openProfile(path: string, maxBytes: number, headBytes: number): OpenedFile {
  let fd = -1;
  try {
    fd = openSync(path, 'r');
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new ProfileFileError(path, 'is a directory, not a profile file');
    if (st.size > maxBytes) throw new ProfileFileError(path, `file is ${st.size} bytes, more than the ${maxBytes}-byte limit`);
    if (!st.isFile()) {
      // A pipe (`<(gunzip -c …)`) or device: no size to go by, so read it to its end now.
      const all = readFileSync(fd);
      if (all.length > maxBytes) throw new ProfileFileError(path, `more than the ${maxBytes}-byte limit`);
      return { fd, size: all.length, bytes: all, read: all.length };
    }
    const bytes = Buffer.allocUnsafe(st.size);
    return { fd, size: st.size, bytes, read: readFully(fd, bytes, 0, Math.min(st.size, headBytes)) };
  } catch (e) {
    if (fd >= 0) closeSync(fd);
    if (e instanceof ProfileFileError) throw e;
    throw new ProfileFileError(path, readProblem(e));
  }
}

/** Reads the rest of an opened file synchronously and closes it; returns the bytes read in all. */
function readRest(path: string, file: OpenedFile): Buffer {
  try {
    return file.bytes.subarray(0, file.read < file.size ? readFully(file.fd, file.bytes, file.read, file.size) : file.read);
  } catch (e) {
    throw new ProfileFileError(path, readProblem(e));
  } finally {
    closeSync(file.fd);
  }
}

/**
 * Reads and decodes a pprof file (gzip-compressed or raw). Throws (rejects
 * with) ProfileFileError only.
 *
 * Gzip input is inflated on libuv's thread pool while this thread decodes
 * the chunks already inflated, so reading costs little more than gunzip
 * alone, and the decompressed profile is never held whole. A large file's
 * first MiB starts inflating while the rest is still being read.
 */
export async function readProfileFile(path: string, options: ReadProfileOptions = {}): Promise<Profile> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_PROFILE_BYTES;
  const file = openProfile(path, maxBytes, STREAM_FROM_BYTES);
  const invalid = (e: unknown): never => {
    if (e instanceof DecodeError) throw new ProfileFileError(path, `not a valid pprof profile: ${e.message}`);
    if (e instanceof SizeLimitError) throw new ProfileFileError(path, e.message);
    throw e;
  };
  try {
    if (file.size >= STREAM_FROM_BYTES && isGzip(file.bytes.subarray(0, file.read))) {
      const labels = options.labels ?? true;
      const shared = options.shared ?? false;
      return await inflateAndDecode(readInPieces(path, file), gzipStatedSize(file) || file.size * 4, maxBytes, labels, shared, options.onInflated);
    }
    return await decodeProfileBytes(readRest(path, file), { ...options, maxBytes });
  } catch (e) {
    return invalid(e);
  }
}

/** The decompressed size a gzip file's trailer states (mod 2^32), read from its last four bytes; 0 if unreadable. */
function gzipStatedSize(file: OpenedFile): number {
  const tail = Buffer.alloc(4);
  try {
    return file.size >= 18 && readSync(file.fd, tail, 0, 4, file.size - 4) === 4 ? tail.readUInt32LE(0) : 0;
  } catch {
    return 0; // only a size hint; reading the rest will say what is wrong
  }
}

/**
 * Feeds an opened file to gunzip: the part already read now, the rest as
 * it is read on the thread pool (a read may return less than asked), then
 * closes it.
 */
function readInPieces(path: string, file: OpenedFile): (gunzip: Gunzip, fail: (e: unknown) => void) => void {
  return (gunzip, fail) => {
    gunzip.write(file.bytes.subarray(0, file.read));
    const readFrom = (at: number): void => {
      if (at >= file.size || gunzip.destroyed) {
        closeSync(file.fd);
        if (!gunzip.destroyed) gunzip.end();
        return;
      }
      read(file.fd, file.bytes, at, file.size - at, at, (err, n) => {
        if (err) {
          closeSync(file.fd);
          return fail(new ProfileFileError(path, readProblem(err)));
        }
        if (n === 0) return readFrom(file.size); // the file got shorter: gunzip says what is missing
        if (!gunzip.destroyed) gunzip.write(file.bytes.subarray(at, at + n));
        readFrom(at + n);
      });
    };
    readFrom(file.read);
  };
}

/**
 * Decodes a profile in memory (a file's bytes, an HTTP body), gzip or raw.
 * Small gzip data is inflated in one call, but never beyond SYNC_INFLATE_BYTES:
 * a small file that inflates to more (a gzip bomb, or just a big profile) is
 * inflated as a stream instead, with back-pressure, so memory stays bounded by
 * what the decoder holds rather than by the size cap. Throws DecodeError or SizeLimitError.
 */
export async function decodeProfileBytes(bytes: Uint8Array, options: ReadProfileOptions = {}): Promise<Profile> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_PROFILE_BYTES;
  const labels = options.labels ?? true;
  const shared = options.shared ?? false;
  if (bytes.length === 0) throw new DecodeError('empty input: not a pprof profile', 0);
  if (!isGzip(bytes)) {
    options.onInflated?.();
    return decodeProfile(bytes, { labels, shared });
  }
  if (bytes.length < STREAM_FROM_BYTES) {
    const limit = Math.min(maxBytes, SYNC_INFLATE_BYTES);
    let raw: Uint8Array | null = null;
    try {
      raw = gunzipCapped(bytes, limit);
    } catch (e) {
      if (!(e instanceof SizeLimitError) || limit === maxBytes) throw e;
    }
    if (raw) {
      options.onInflated?.();
      return decodeProfile(raw, { labels, shared, compressed: true, sizeHint: raw.length });
    }
  }
  return inflateAndDecode((gunzip) => gunzip.end(bytes), statedSize(bytes) || bytes.length * 4, maxBytes, labels, shared, options.onInflated);
}

/** The decompressed size a gzip member's trailer states (mod 2^32), or 0. */
function statedSize(gz: Uint8Array): number {
  return gz.length >= 18 ? new DataView(gz.buffer, gz.byteOffset + gz.length - 4).getUint32(0, true) : 0;
}

/** Compressed size from which a profile is inflated on the thread pool while decoding. */
const STREAM_FROM_BYTES = 1 << 20;
/** The most a profile is inflated to in one synchronous call; beyond, it streams. */
const SYNC_INFLATE_BYTES = 32 << 20;
/** Inflated bytes waiting for the decoder before inflating pauses. */
const QUEUE_PAUSE_BYTES = 8 << 20;

function gunzipCapped(gz: Uint8Array, maxBytes: number): Uint8Array {
  try {
    return gunzipSync(gz, { maxOutputLength: maxBytes });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new SizeLimitError(tooLarge(maxBytes));
    throw new DecodeError(`gzip data is corrupt or truncated (${(e as Error).message})`, 0);
  }
}

function inflateAndDecode(
  feed: (gunzip: Gunzip, fail: (e: unknown) => void) => void,
  stated: number,
  maxBytes: number,
  labels: boolean,
  shared: boolean,
  onInflated: (() => void) | undefined,
): Promise<Profile> {
  // The gzip trailer's size is a good first guess for buffer sizes.
  const decoder = createProfileDecoder({ labels, shared, compressed: true, sizeHint: Math.min(stated, maxBytes) });
  const gunzip = createGunzip({ chunkSize: 1 << 20 });
  return new Promise((resolve, reject) => {
    const queue: Buffer[] = [];
    let queued = 0;
    let inflated = 0;
    let scheduled = false;
    let ended = false;
    let failed = false;
    const fail = (e: unknown): void => {
      if (failed) return;
      failed = true;
      gunzip.destroy();
      const known = e instanceof DecodeError || e instanceof SizeLimitError || e instanceof ProfileFileError;
      reject(known ? e : new DecodeError(`gzip data is corrupt or truncated (${(e as Error).message})`, 0));
    };
    // Decoding runs after zlib's callback returns, so the next chunk inflates meanwhile on the other core.
    const drain = (): void => {
      scheduled = false;
      if (failed) return;
      try {
        while (queue.length > 0) decoder.push(queue.shift()!);
        queued = 0;
        if (gunzip.isPaused() && !ended) gunzip.resume();
        if (ended) resolve(decoder.finish());
      } catch (e) {
        fail(e);
      }
    };
    const schedule = (): void => {
      if (!scheduled) {
        scheduled = true;
        setImmediate(drain);
      }
    };
    gunzip.on('data', (chunk: Buffer) => {
      inflated += chunk.length;
      if (inflated > maxBytes) return fail(new SizeLimitError(tooLarge(maxBytes)));
      queue.push(chunk);
      queued += chunk.length;
      // Back-pressure: inflating highly compressible data outruns decoding; do not let it pile up.
      if (queued > QUEUE_PAUSE_BYTES) gunzip.pause();
      schedule();
    });
    gunzip.on('end', () => {
      ended = true;
      if (!failed) onInflated?.();
      schedule();
    });
    gunzip.on('error', fail);
    feed(gunzip, fail);
  });
}
