import type { Profile } from '../model/profile.js';
import { decodeProfile, type DecodeOptions } from './decode.js';
import { DecodeError } from './errors.js';

/** Turns gzip bytes into the bytes they compress; supplied by the caller (zlib at the edge, a capped inflater in the CLI). */
export type Inflate = (gzipped: Uint8Array) => Uint8Array;

/** True when the bytes start with the gzip magic number (RFC 1952). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Decodes a profile that may be gzip-compressed (as `/debug/pprof/*` serves
 * it) or raw. The inflater is passed in, so this stays free of I/O.
 */
export function decodeProfileBytes(
  bytes: Uint8Array,
  inflate: Inflate,
  options: Omit<DecodeOptions, 'compressed'> = {},
): Profile {
  if (bytes.length === 0) throw new DecodeError('empty input: not a pprof profile', 0);
  if (!isGzip(bytes)) return decodeProfile(bytes, options);
  let raw: Uint8Array;
  try {
    raw = inflate(bytes);
  } catch (e) {
    if (e instanceof DecodeError) throw e;
    throw new DecodeError(`gzip data is corrupt or truncated (${(e as Error).message})`, 0);
  }
  if (raw.length === 0) throw new DecodeError('gzip data decompresses to nothing: not a pprof profile', 0, true);
  return decodeProfile(raw, { ...options, compressed: true });
}
