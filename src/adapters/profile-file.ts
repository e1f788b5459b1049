import { readFileSync, statSync } from 'node:fs';
import { createGunzip, gunzipSync } from 'node:zlib';
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
}

function tooLarge(maxBytes: number): string {
  return `gzip data decompresses to more than ${maxBytes} bytes (raise --max-profile-bytes to allow it)`;
}

/** The decompressed profile would exceed the cap (a gzip bomb, or a profile larger than allowed). */
export class SizeLimitError extends Error {}

function readBytes(path: string, maxBytes: number): Buffer {
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new ProfileFileError(path, 'is a directory, not a profile file');
    if (st.size > maxBytes) throw new ProfileFileError(path, `file is ${st.size} bytes, more than the ${maxBytes}-byte limit`);
    return readFileSync(path);
  } catch (e) {
    if (e instanceof ProfileFileError) throw e;
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EACCES' ? 'permission denied' : err.message;
    throw new ProfileFileError(path, why);
  }
}

/**
 * Reads and decodes a pprof file (gzip-compressed or raw). Throws (rejects
 * with) ProfileFileError only.
 *
 * Gzip input is inflated on libuv's thread pool while this thread decodes
 * the chunks already inflated, so reading costs little more than gunzip
 * alone, and the decompressed profile is never held whole.
 */
export async function readProfileFile(path: string, options: ReadProfileOptions = {}): Promise<Profile> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_PROFILE_BYTES;
  const bytes = readBytes(path, maxBytes);
  const invalid = (e: unknown): never => {
    if (e instanceof DecodeError) throw new ProfileFileError(path, `not a valid pprof profile: ${e.message}`);
    if (e instanceof SizeLimitError) throw new ProfileFileError(path, e.message);
    throw e;
  };
  try {
    return await decodeProfileBytes(bytes, { ...options, maxBytes });
  } catch (e) {
    return invalid(e);
  }
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
  if (!isGzip(bytes)) return decodeProfile(bytes, { labels, shared });
  if (bytes.length < STREAM_FROM_BYTES) {
    const limit = Math.min(maxBytes, SYNC_INFLATE_BYTES);
    let raw: Uint8Array | null = null;
    try {
      raw = gunzipCapped(bytes, limit);
    } catch (e) {
      if (!(e instanceof SizeLimitError) || limit === maxBytes) throw e;
    }
    if (raw) return decodeProfile(raw, { labels, shared, compressed: true, sizeHint: raw.length });
  }
  return inflateAndDecode(bytes, maxBytes, labels, shared);
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

function inflateAndDecode(gz: Uint8Array, maxBytes: number, labels: boolean, shared: boolean): Promise<Profile> {
  // The gzip trailer states the decompressed size (mod 2^32), a good first guess for buffer sizes.
  const stated = gz.length >= 18 ? new DataView(gz.buffer, gz.byteOffset + gz.length - 4).getUint32(0, true) : 0;
  const decoder = createProfileDecoder({ labels, shared, compressed: true, sizeHint: Math.min(stated, maxBytes) || gz.length * 4 });
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
      const known = e instanceof DecodeError || e instanceof SizeLimitError;
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
      schedule();
    });
    gunzip.on('error', fail);
    gunzip.end(gz);
  });
}
