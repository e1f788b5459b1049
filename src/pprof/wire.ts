import { DecodeError } from './errors.js';

/**
 * Protocol-buffers wire-format reading (https://protobuf.dev/programming-guides/encoding/),
 * specialised for profile.proto: varints become doubles when exact, and
 * every read is bounds-checked against the enclosing message's end.
 */
export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_FIXED32 = 5;

const TWO_POW_32 = 4294967296;

export interface Reader {
  buf: Uint8Array;
  pos: number;
  /** End of the message being read (exclusive). */
  end: number;
  /** Halves of the last 64-bit varint read by readVarint64. */
  lo: number;
  hi: number;
}

export function newReader(buf: Uint8Array, pos = 0, end = buf.length): Reader {
  return { buf, pos, end, lo: 0, hi: 0 };
}

/**
 * Reads a varint into r.lo / r.hi (unsigned 32-bit halves). At most 10 bytes;
 * a varint that does not end before r.end, or is longer than 10 bytes, is an error.
 */
export function readVarint64(r: Reader): void {
  const buf = r.buf;
  const start = r.pos;
  let pos = start;
  let lo = 0;
  let hi = 0;
  for (let shift = 0; shift < 70; shift += 7) {
    if (pos >= r.end) throw new DecodeError('varint runs past the end of its message', start);
    const b = buf[pos++]!;
    const bits = b & 0x7f;
    if (shift < 28) {
      lo |= bits << shift;
    } else if (shift === 28) {
      lo |= (bits & 0x0f) << 28;
      hi |= bits >>> 4;
    } else {
      hi |= bits << (shift - 32);
    }
    if (b < 0x80) {
      if (shift === 63 && bits > 1) throw new DecodeError('varint overflows 64 bits', start);
      r.pos = pos;
      r.lo = lo >>> 0;
      r.hi = hi >>> 0;
      return;
    }
  }
  throw new DecodeError('varint longer than 10 bytes', start);
}

/**
 * An unsigned varint (uint64 field) as a number. Values above 2^53 cannot be
 * represented exactly and are refused rather than rounded.
 */
export function readUint(r: Reader): number {
  const buf = r.buf;
  let pos = r.pos;
  // Fast path: up to 4 bytes (< 2^28) when the message surely has them.
  if (pos + 4 <= r.end) {
    let b = buf[pos++]!;
    let v = b & 0x7f;
    if (b < 0x80) {
      r.pos = pos;
      return v;
    }
    b = buf[pos++]!;
    v |= (b & 0x7f) << 7;
    if (b < 0x80) {
      r.pos = pos;
      return v;
    }
    b = buf[pos++]!;
    v |= (b & 0x7f) << 14;
    if (b < 0x80) {
      r.pos = pos;
      return v;
    }
    b = buf[pos++]!;
    v |= (b & 0x7f) << 21;
    if (b < 0x80) {
      r.pos = pos;
      return v;
    }
  }
  const start = r.pos;
  readVarint64(r);
  // Compare the halves, not the sum: 2^53 + 1 would round to 2^53 first.
  if (r.hi > 0x200000 || (r.hi === 0x200000 && r.lo !== 0)) {
    throw new DecodeError('unsigned value exceeds 2^53 and cannot be represented exactly', start);
  }
  return r.hi * TWO_POW_32 + r.lo;
}

/** A signed int64 varint (two's complement, as profile.proto's int64 fields) as a number, refused beyond ±2^53. */
export function readInt64(r: Reader): number {
  const buf = r.buf;
  const pos = r.pos;
  if (pos < r.end) {
    const b = buf[pos]!;
    if (b < 0x80) {
      r.pos = pos + 1;
      return b;
    }
  }
  readVarint64(r);
  if (r.hi >= 0x80000000) {
    // Negative: the magnitude is the two's complement of the 64-bit pattern.
    const nlo = ~r.lo >>> 0;
    const nhi = ~r.hi >>> 0;
    if (nhi >= 0x200000) throw new DecodeError('int64 value beyond ±2^53 cannot be represented exactly', pos);
    return -(nhi * TWO_POW_32 + nlo + 1);
  }
  if (r.hi > 0x200000 || (r.hi === 0x200000 && r.lo !== 0)) {
    throw new DecodeError('int64 value beyond ±2^53 cannot be represented exactly', pos);
  }
  return r.hi * TWO_POW_32 + r.lo;
}

/** A signed int64 varint as an exact bigint (timestamps in nanoseconds exceed 2^53). */
export function readInt64Big(r: Reader): bigint {
  readVarint64(r);
  return BigInt.asIntN(64, (BigInt(r.hi) << 32n) | BigInt(r.lo));
}

/** An unsigned 64-bit varint as an exact bigint. */
export function readUint64Big(r: Reader): bigint {
  readVarint64(r);
  return (BigInt(r.hi) << 32n) | BigInt(r.lo);
}

/** Reads a length prefix and returns the end offset of the payload, checked against the message end. */
export function readLengthEnd(r: Reader): number {
  const at = r.pos;
  const len = readUint(r);
  const end = r.pos + len;
  if (end > r.end) {
    throw new DecodeError(`length ${len} runs past the end of its message (${r.end - r.pos} bytes left)`, at);
  }
  return end;
}

/** Skips one field's payload of the given wire type. */
export function skipField(r: Reader, wireType: number, tagOffset: number): void {
  switch (wireType) {
    case WIRE_VARINT:
      readVarint64(r);
      return;
    case WIRE_FIXED64:
      if (r.pos + 8 > r.end) throw new DecodeError('fixed64 runs past the end of its message', r.pos);
      r.pos += 8;
      return;
    case WIRE_LEN:
      r.pos = readLengthEnd(r);
      return;
    case WIRE_FIXED32:
      if (r.pos + 4 > r.end) throw new DecodeError('fixed32 runs past the end of its message', r.pos);
      r.pos += 4;
      return;
    default:
      throw new DecodeError(`unsupported wire type ${wireType}`, tagOffset);
  }
}

/** Reads a field tag; returns field number * 8 + wire type (the raw key), validated. */
export function readKey(r: Reader): number {
  const at = r.pos;
  const key = readUint(r);
  if (key >>> 3 === 0 && key < 8) throw new DecodeError('field number 0 is invalid', at);
  return key;
}

/** Refuses a known field whose wire type is not the one profile.proto gives it. */
export function expectWire(actual: number, expected: number, field: string, at: number): void {
  if (actual !== expected) {
    throw new DecodeError(`field ${field} has wire type ${actual}, expected ${expected}`, at);
  }
}

const utf8 = new TextDecoder('utf-8');

/** Decodes bytes [start, end) as UTF-8 (invalid sequences become U+FFFD, as Go's string conversion when printed). */
export function readString(buf: Uint8Array, start: number, end: number): string {
  const n = end - start;
  if (n === 0) return '';
  if (n <= 64) {
    // Short ASCII strings dominate pprof string tables; building them directly avoids TextDecoder's call overhead.
    let ascii = true;
    for (let i = start; i < end; i++) {
      if (buf[i]! >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) return String.fromCharCode.apply(null, buf.subarray(start, end) as unknown as number[]);
  }
  return utf8.decode(buf.subarray(start, end));
}
