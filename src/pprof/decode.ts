import type { Profile } from '../model/profile.js';
import { ArrayBuilder, f64, u8 } from './array-builder.js';
import { SampleCollector } from './decode-samples.js';
import { decodeTables } from './decode-tables.js';
import { DecodeError } from './errors.js';
import { WIRE_FIXED32, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT, newReader, readKey, readLengthEnd, skipField } from './wire.js';

export interface DecodeOptions {
  /** Decode sample labels (default true). `top` and series aggregation do not need them. */
  readonly labels?: boolean;
  /** Set when the bytes were gunzipped first, so errors say their offsets are in the decompressed data. */
  readonly compressed?: boolean;
  /** Expected size in bytes, when known, to size buffers once. */
  readonly sizeHint?: number;
  /** Keep sample stacks and values in SharedArrayBuffers, for aggregation on worker threads. */
  readonly shared?: boolean;
}

/**
 * Decodes a profile.proto message fed in chunks, so decoding can run while
 * the rest is still being inflated or read. Pure: the caller does the I/O.
 */
export interface ProfileDecoder {
  push(chunk: Uint8Array): void;
  /** Ends the input and returns the profile; throws DecodeError when it is not a valid one. */
  finish(): Profile;
}

const SAMPLE_KEY = (2 << 3) | WIRE_LEN;

/**
 * Ceilings on what a profile may hold: 8.4 M samples and 8.4 M table entries,
 * about 8× the largest real Go profiles (around a million locations). The size
 * cap bounds bytes; these bound entries, so that a small input of tiny fields
 * (a gzip bomb of empty strings or empty samples) cannot make the decoder hold
 * gigabytes of bookkeeping (a 2 GiB bomb of empty strings peaked at 9 GiB RSS
 * before them, 94 MiB after).
 */
export const MAX_TABLE_ENTRIES = 1 << 23;
export const MAX_SAMPLES = 1 << 23;

/**
 * Creates a streaming decoder. Samples (the bulk of a profile) are decoded
 * as soon as their bytes arrive; every other top-level field is set aside
 * and decoded at the end, once the string, function and location tables
 * that samples refer to are all known.
 */
export function createProfileDecoder(options: DecodeOptions = {}): ProfileDecoder {
  const compressed = options.compressed ?? false;
  const samples = new SampleCollector(options.labels ?? true, options.sizeHint ?? 1 << 16, options.shared ?? false);
  // Fields other than samples, copied verbatim, and where each came from (for error offsets).
  const rest = new ArrayBuilder(u8, Math.max(1 << 12, Math.ceil((options.sizeHint ?? 0) / 8)));
  const restSegments = new ArrayBuilder(f64, 64); // pairs: offset in rest, offset in the input
  let tableEntries = 0;
  let pending = new Uint8Array(0);
  let pendingLength = 0;
  let consumed = 0; // absolute offset of the first byte not yet decoded
  let done = false;

  const fail = (e: unknown): never => {
    if (e instanceof DecodeError) throw compressed && !e.compressed ? new DecodeError(e.reason, e.offset, true) : e;
    // Typed arrays sized from absurd input can exceed what V8 allocates: still the input's fault.
    if (e instanceof RangeError) throw new DecodeError(`profile too large to hold (${e.message})`, consumed, compressed);
    throw e; // anything else is a bug in this decoder and must surface as one
  };

  /** Decodes the complete top-level fields of buf[0, length); returns how many bytes it used. */
  const decodeFields = (buf: Uint8Array, length: number): number => {
    const base = consumed; // absolute offset of buf[0]
    let pos = 0;
    // Consecutive table fields buf[restStart, end of the last one) are set aside in one copy.
    let restStart = -1;
    const endRest = (at: number): void => {
      if (restStart < 0) return;
      // A run right after the previous set-aside one (in the previous chunk, say) extends its segment.
      const k = restSegments.n;
      const contiguous = k > 0 && base + restStart - restSegments.data[k - 1]! === rest.n - restSegments.data[k - 2]!;
      if (!contiguous) {
        restSegments.push(rest.n);
        restSegments.push(base + restStart);
      }
      rest.pushAll(buf, restStart, at);
      restStart = -1;
    };
    while (pos < length) {
      const key = buf[pos]!;
      // Hot path: a sample whose length fits one or two bytes, entirely here.
      if (key === SAMPLE_KEY && pos + 3 <= length) {
        if (restStart >= 0) endRest(pos);
        // Runs of samples as Go writes them, in one call; what it leaves is decoded field by field below.
        const next = samples.addRun(buf, pos, length, base, MAX_SAMPLES);
        if (next > pos) {
          pos = next;
          continue;
        }
        const b1 = buf[pos + 1]!;
        const b2 = buf[pos + 2]!;
        const start = b1 < 0x80 ? pos + 2 : b2 < 0x80 ? pos + 3 : -1;
        const end = b1 < 0x80 ? start + b1 : start + ((b1 & 0x7f) | (b2 << 7));
        if (start > 0 && end <= length) {
          samples.add(buf, start, end, base);
          if (samples.count > MAX_SAMPLES) throw new DecodeError(`more than ${MAX_SAMPLES} samples: too many to hold`, base + pos);
          pos = end;
          continue;
        }
      }
      // Table fields (location, function, string...) with a one-byte key and a length below 2^14 are framed here.
      let end = -1;
      if (key >= 8 && key < 0x80 && (key & 7) === WIRE_LEN && key !== SAMPLE_KEY && pos + 3 <= length) {
        const b1 = buf[pos + 1]!;
        const b2 = buf[pos + 2]!;
        end = b1 < 0x80 ? pos + 2 + b1 : b2 < 0x80 ? pos + 3 + ((b1 & 0x7f) | (b2 << 7)) : -1;
        if (end > length) break;
      }
      if (end < 0) end = fieldEnd(buf, pos, length, base);
      if (end < 0) break;
      if (key === SAMPLE_KEY) {
        endRest(pos);
        let p = pos + 1;
        while (buf[p]! >= 0x80) p++;
        samples.add(buf, p + 1, end, base);
        if (samples.count > MAX_SAMPLES) throw new DecodeError(`more than ${MAX_SAMPLES} samples: too many to hold`, base + pos);
      } else {
        if ((key & 0xf8) === 0x10) throw new DecodeError(`field sample has wire type ${key & 7}, expected 2`, base + pos);
        if (++tableEntries > MAX_TABLE_ENTRIES) throw new DecodeError(`more than ${MAX_TABLE_ENTRIES} table entries (strings, locations, functions, mappings): too many to hold`, base + pos);
        if (restStart < 0) restStart = pos;
      }
      pos = end;
    }
    endRest(pos);
    consumed = base + pos;
    return pos;
  };

  return {
    push(input) {
      if (done) throw new Error('ProfileDecoder: push after finish');
      // One kind of array for the hot loops: a Node Buffer (zlib's chunks) has another map than the
      // Uint8Array of a field carried across chunks, and V8 threw away code optimized for one on meeting the other.
      const chunk = input.constructor === Uint8Array ? input : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
      try {
        if (pendingLength === 0) {
          const used = decodeFields(chunk, chunk.length);
          if (used < chunk.length) {
            pending = chunk.slice(used);
            pendingLength = pending.length;
          }
          return;
        }
        // A field straddles chunks: append (amortised doubling) and decode from the joined bytes.
        if (pendingLength + chunk.length > pending.length) {
          const grown = new Uint8Array(Math.max(pending.length * 2, pendingLength + chunk.length));
          grown.set(pending.subarray(0, pendingLength));
          pending = grown;
        }
        pending.set(chunk, pendingLength);
        pendingLength += chunk.length;
        const used = decodeFields(pending, pendingLength);
        pending.copyWithin(0, used, pendingLength);
        pendingLength -= used;
      } catch (e) {
        fail(e);
      }
    },

    finish() {
      done = true;
      try {
        if (pendingLength > 0) {
          // A truncated field: let the general reader say what is wrong with it.
          const r = newReader(pending.subarray(0, pendingLength));
          try {
            const key = readKey(r);
            skipField(r, key & 7, 0);
          } catch (e) {
            if (e instanceof DecodeError) throw new DecodeError(e.reason, e.offset + consumed);
            throw e;
          }
          throw new DecodeError('truncated field', consumed);
        }
        if (consumed === 0) throw new DecodeError('empty input: not a pprof profile', 0);
        let tables;
        try {
          tables = decodeTables(rest.finish());
        } catch (e) {
          if (e instanceof DecodeError) throw new DecodeError(e.reason, toInputOffset(restSegments, e.offset));
          throw e;
        }
        const resolved = samples.resolve(tables);
        return {
          schemaVersion: 1,
          strings: tables.strings,
          sampleTypes: tables.sampleTypes,
          defaultSampleType: tables.defaultSampleType,
          periodType: tables.periodType,
          period: tables.period,
          timeNanos: tables.timeNanos,
          durationNanos: tables.durationNanos,
          comments: tables.comments,
          dropFrames: tables.dropFrames,
          keepFrames: tables.keepFrames,
          mappings: tables.mappings,
          samples: resolved,
          locations: tables.locations,
          functions: tables.functions,
        };
      } catch (e) {
        return fail(e);
      }
    },
  };
}

/** Maps an offset in the set-aside fields back to the input. */
function toInputOffset(segments: ArrayBuilder<Float64Array>, restOffset: number): number {
  const d = segments.data;
  let lo = 0;
  let hi = segments.n / 2 - 1;
  if (hi < 0) return restOffset;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (d[mid * 2]! <= restOffset) lo = mid;
    else hi = mid - 1;
  }
  return d[lo * 2 + 1]! + (restOffset - d[lo * 2]!);
}

/**
 * End offset of the top-level field at buf[pos], or -1 when its bytes have
 * not all arrived. Invalid keys and wire types throw (with absolute offsets).
 */
function fieldEnd(buf: Uint8Array, pos: number, length: number, base: number): number {
  const r = newReader(buf, pos, length);
  try {
    const key = readKey(r);
    const wire = key & 7;
    if (wire === WIRE_LEN) {
      const lenAt = r.pos;
      // The length varint itself may be incomplete.
      if (!varintComplete(buf, lenAt, length)) return -1;
      r.end = Number.MAX_SAFE_INTEGER;
      const end = readLengthEnd(r);
      return end <= length ? end : -1;
    }
    if (wire === WIRE_VARINT) return varintComplete(buf, r.pos, length) ? (skipField(r, wire, pos), r.pos) : -1;
    if (wire === WIRE_FIXED64) return r.pos + 8 <= length ? r.pos + 8 : -1;
    if (wire === WIRE_FIXED32) return r.pos + 4 <= length ? r.pos + 4 : -1;
    skipField(r, wire, pos); // throws: unsupported wire type
    return -1;
  } catch (e) {
    if (e instanceof DecodeError) {
      // A key cut off by the chunk boundary is not an error yet.
      if (!varintComplete(buf, pos, length)) return -1;
      throw new DecodeError(e.reason, e.offset + base);
    }
    throw e;
  }
}

function varintComplete(buf: Uint8Array, pos: number, length: number): boolean {
  for (let i = pos; i < length && i < pos + 10; i++) if (buf[i]! < 0x80) return true;
  return length - pos >= 10; // ten bytes without an end: complete, and invalid (reported by the reader)
}

/** Decodes a whole uncompressed profile.proto message. Throws only DecodeError, naming the byte offset of the first problem. */
export function decodeProfile(bytes: Uint8Array, options: DecodeOptions = {}): Profile {
  const decoder = createProfileDecoder({ ...options, sizeHint: options.sizeHint ?? bytes.length });
  decoder.push(bytes);
  return decoder.finish();
}
