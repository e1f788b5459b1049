import { readFileSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { Profile } from '../model/profile.js';
import { decodeProfileBytes } from '../pprof/bytes.js';
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
}

/** gunzip with an output cap, so a small file cannot expand into all of memory. */
export function cappedGunzip(maxBytes: number): (bytes: Uint8Array) => Uint8Array {
  return (bytes) => {
    try {
      // The gzip trailer states the size (mod 2^32): one output chunk of that size spares zlib a final copy.
      const stated = bytes.length >= 18 ? new DataView(bytes.buffer, bytes.byteOffset + bytes.length - 4).getUint32(0, true) : 0;
      const chunkSize = stated >= 64 && stated < maxBytes ? stated + 1 : undefined;
      return gunzipSync(bytes, { maxOutputLength: maxBytes, ...(chunkSize ? { chunkSize } : {}) });
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
        throw new DecodeError(`gzip data decompresses to more than ${maxBytes} bytes (raise --max-profile-bytes to allow it)`, 0);
      }
      throw e;
    }
  };
}

/** Reads and decodes a pprof file (gzip-compressed or raw). Throws ProfileFileError only. */
export function readProfileFile(path: string, options: ReadProfileOptions = {}): Profile {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_PROFILE_BYTES;
  let bytes: Uint8Array;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new ProfileFileError(path, 'is a directory, not a profile file');
    if (st.size > maxBytes) throw new ProfileFileError(path, `file is ${st.size} bytes, more than the ${maxBytes}-byte limit`);
    bytes = readFileSync(path);
  } catch (e) {
    if (e instanceof ProfileFileError) throw e;
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EACCES' ? 'permission denied' : err.message;
    throw new ProfileFileError(path, why);
  }
  try {
    return decodeProfileBytes(bytes, cappedGunzip(maxBytes), { labels: options.labels ?? true });
  } catch (e) {
    if (e instanceof DecodeError) throw new ProfileFileError(path, `not a valid pprof profile: ${e.message}`);
    throw e;
  }
}
