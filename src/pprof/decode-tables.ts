import type { Functions, Locations, Mapping, Profile, ValueType } from '../model/profile.js';
import { ArrayBuilder, f64, i32, u32 } from './array-builder.js';
import { DecodeError } from './errors.js';
import {
  WIRE_LEN,
  WIRE_VARINT,
  expectWire,
  newReader,
  readInt64,
  readInt64Big,
  readKey,
  readLengthEnd,
  readString,
  readUint,
  readUint64Big,
  readVarint64,
  skipField,
  type Reader,
} from './wire.js';

/**
 * Field numbers of profile.proto (github.com/google/pprof/proto/profile.proto).
 * Keys below are `field << 3 | wireType` as they appear on the wire.
 */
export const enum ProfileField {
  SampleType = 1,
  Sample = 2,
  Mapping = 3,
  Location = 4,
  Function = 5,
  StringTable = 6,
  DropFrames = 7,
  KeepFrames = 8,
  TimeNanos = 9,
  DurationNanos = 10,
  PeriodType = 11,
  Period = 12,
  Comment = 13,
  DefaultSampleType = 14,
}

/** [start, end) offsets of each sub-message found in the first pass, flattened in pairs. */
type Spans = ArrayBuilder<Uint32Array>;

const newSpans = (capacity = 64): Spans => new ArrayBuilder(u32, capacity);
const spanCount = (s: Spans): number => s.n / 2;

function pushSpan(s: Spans, start: number, end: number): void {
  s.push(start);
  s.push(end);
}

/** Maps proto ids (uint64, usually 1..N) to table positions: a dense array when ids are compact, a Map otherwise. */
export interface IdIndex {
  readonly dense: Int32Array | null;
  readonly map: Map<number, number> | null;
  /** True when id i+1 is at position i for every row (Go numbers its tables so): lookups need no table. */
  readonly sequential: boolean;
}

/** Table position of `id`, -1 when absent. */
export function lookupId(index: IdIndex, id: number): number {
  if (index.dense !== null) return id < index.dense.length ? index.dense[id]! : -1;
  return index.map!.get(id) ?? -1;
}

function buildIdIndex(ids: Float64Array, count: number, table: string, spans: Spans): IdIndex {
  const max = largest(ids, count);
  const dense = max <= count * 4 + 1024 ? new Int32Array(max + 1).fill(-1) : null;
  const map = dense === null ? new Map<number, number>() : null;
  const sequential = indexIds(ids, count, dense, map, table, spans);
  return { dense, map, sequential };
}

/** The largest of ids[0, count), 0 if none. (Each loop alone in its function: see isAscii.) */
function largest(ids: Float64Array, count: number): number {
  let max = 0;
  for (let i = 0; i < count; i++) if (ids[i]! > max) max = ids[i]!;
  return max;
}

/** Fills the index (dense or map) with each id's position; returns whether id i+1 is at position i throughout. */
function indexIds(ids: Float64Array, count: number, dense: Int32Array | null, map: Map<number, number> | null, table: string, spans: Spans): boolean {
  let sequential = true;
  for (let i = 0; i < count; i++) {
    const id = ids[i]!;
    if (id === 0) throw new DecodeError(`${table} has id 0`, spans.data[i * 2]!);
    if (dense !== null ? dense[id] !== -1 : map!.has(id)) throw new DecodeError(`${table} id ${id} is not unique`, spans.data[i * 2]!);
    if (dense !== null) dense[id] = i;
    else map!.set(id, i);
    if (id !== i + 1) sequential = false;
  }
  return sequential;
}

/** Everything of a profile but its samples, decoded from the fields that are not samples. */
export interface ProfileTables extends Omit<Profile, 'samples'> {
  readonly locationIndex: IdIndex;
}

/**
 * Decodes the top-level fields other than samples (which the streaming
 * framer in decode.ts handles as they arrive). They may come in any order
 * (Go writes the string table last), so a first pass records where each
 * table's messages are before decoding them.
 */
export function decodeTables(bytes: Uint8Array, options: { readonly fastPaths?: boolean } = {}): ProfileTables {
  // Fast paths for the common encodings (on by default); off, every field takes the general path (tests compare both).
  const fast = options.fastPaths ?? true;
  const r = newReader(bytes);
  const sampleTypeSpans = newSpans();
  const mappingSpans = newSpans();
  // Room for entries of 16 bytes on average (Go's are larger): growing in the middle of the loop below
  // made V8 throw its optimized code away.
  const room = Math.max(64, Math.ceil(bytes.length / 8));
  const locationSpans = newSpans(room);
  const functionSpans = newSpans(room);
  const stringSpans = newSpans(room);
  let periodTypeSpan: [number, number] | null = null;
  let dropFrames = 0;
  let keepFrames = 0;
  let timeNanos = 0n;
  let durationNanos = 0n;
  let period = 0;
  const commentIdx: number[] = [];
  let defaultSampleType = 0;

  const spansOf = [null, sampleTypeSpans, null, mappingSpans, locationSpans, functionSpans, stringSpans];
  while (r.pos < r.end) {
    if (fast) {
      r.pos = frameEntries(bytes, r.pos, r.end, spansOf);
      if (r.pos >= r.end) break;
    }
    const at = r.pos;
    const key = readKey(r);
    const field = key >>> 3;
    const wire = key & 7;
    switch (field) {
      case ProfileField.SampleType:
      case ProfileField.Mapping:
      case ProfileField.Location:
      case ProfileField.Function:
      case ProfileField.StringTable:
      case ProfileField.PeriodType: {
        expectWire(wire, WIRE_LEN, profileFieldName(field), at);
        const end = readLengthEnd(r);
        const start = r.pos;
        r.pos = end;
        if (field === ProfileField.SampleType) pushSpan(sampleTypeSpans, start, end);
        else if (field === ProfileField.Mapping) pushSpan(mappingSpans, start, end);
        else if (field === ProfileField.Location) pushSpan(locationSpans, start, end);
        else if (field === ProfileField.Function) pushSpan(functionSpans, start, end);
        else if (field === ProfileField.StringTable) pushSpan(stringSpans, start, end);
        else periodTypeSpan = [start, end];
        break;
      }
      case ProfileField.DropFrames:
        expectWire(wire, WIRE_VARINT, 'drop_frames', at);
        dropFrames = readStringIndex(r);
        break;
      case ProfileField.KeepFrames:
        expectWire(wire, WIRE_VARINT, 'keep_frames', at);
        keepFrames = readStringIndex(r);
        break;
      case ProfileField.TimeNanos:
        expectWire(wire, WIRE_VARINT, 'time_nanos', at);
        timeNanos = readInt64Big(r);
        break;
      case ProfileField.DurationNanos:
        expectWire(wire, WIRE_VARINT, 'duration_nanos', at);
        durationNanos = readInt64Big(r);
        break;
      case ProfileField.Period:
        expectWire(wire, WIRE_VARINT, 'period', at);
        period = readInt64(r);
        break;
      case ProfileField.Comment:
        readRepeatedVarint(r, wire, 'comment', at, (v) => commentIdx.push(v));
        break;
      case ProfileField.DefaultSampleType:
        expectWire(wire, WIRE_VARINT, 'default_sample_type', at);
        defaultSampleType = readStringIndex(r);
        break;
      default:
        skipField(r, wire, at);
    }
  }

  // Strings first: everything else refers to them.
  if (spanCount(stringSpans) === 0) {
    throw new DecodeError('no string table: not a pprof profile', 0);
  }
  const strings = readStrings(bytes, stringSpans, fast);
  if (strings[0] !== '') {
    throw new DecodeError('string_table[0] is not the empty string: not a pprof profile', stringSpans.data[0]! - 1);
  }
  const str = (idx: number, at: number): string => {
    const s = strings[idx];
    if (s === undefined) throw new DecodeError(`string index ${idx} out of range (table has ${strings.length})`, at);
    return s;
  };
  const checkStr = (idx: number, at: number): number => {
    if (idx >= strings.length) throw new DecodeError(`string index ${idx} out of range (table has ${strings.length})`, at);
    return idx;
  };

  const sampleTypes: ValueType[] = [];
  for (let i = 0; i < spanCount(sampleTypeSpans); i++) {
    sampleTypes.push(decodeValueType(bytes, sampleTypeSpans.data[i * 2]!, sampleTypeSpans.data[i * 2 + 1]!, str));
  }
  const periodType = periodTypeSpan ? decodeValueType(bytes, periodTypeSpan[0], periodTypeSpan[1], str) : null;

  const mappings: Mapping[] = [];
  for (let i = 0; i < spanCount(mappingSpans); i++) {
    mappings.push(decodeMapping(bytes, mappingSpans.data[i * 2]!, mappingSpans.data[i * 2 + 1]!, str));
  }
  const mappingIds = new Float64Array(mappings.length);
  mappings.forEach((m, i) => (mappingIds[i] = m.id));
  const mappingIndex = buildIdIndex(mappingIds, mappings.length, 'mapping', mappingSpans);

  const functions = decodeFunctions(bytes, functionSpans, strings.length, checkStr, fast);
  const functionIndex = buildIdIndex(functions.id, functions.count, 'function', functionSpans);

  const locations = decodeLocations(bytes, locationSpans, mappingIndex, functionIndex, fast);
  const locationIndex = buildIdIndex(locations.id, locations.count, 'location', locationSpans);

  return {
    schemaVersion: 1,
    strings,
    sampleTypes,
    defaultSampleType: str(defaultSampleType, 0),
    periodType,
    period,
    timeNanos,
    durationNanos,
    comments: commentIdx.map((i) => str(i, 0)),
    dropFrames: str(dropFrames, 0),
    keepFrames: str(keepFrames, 0),
    mappings,
    locations,
    functions,
    locationIndex,
  };
}

/**
 * The string table. When the bytes from its first entry to its last are
 * all ASCII (Go writes the entries together, and keys and short lengths
 * are ASCII too), they are decoded in one call and each string is a slice
 * of that: one native decode instead of one per string. Spans come in
 * input order, so the slices are in order.
 */
function readStrings(bytes: Uint8Array, spans: Spans, fast: boolean): string[] {
  const n = spanCount(spans);
  const d = spans.data;
  const strings = new Array<string>(n);
  const first = n > 0 ? d[0]! : 0;
  const last = n > 0 ? d[n * 2 - 1]! : 0;
  if (fast && n > 0 && last - first < 1 << 28 && isAscii(bytes, first, last)) {
    const run = readString(bytes, first, last);
    for (let i = 0; i < n; i++) strings[i] = run.slice(d[i * 2]! - first, d[i * 2 + 1]! - first);
    return strings;
  }
  for (let i = 0; i < n; i++) strings[i] = readString(bytes, d[i * 2]!, d[i * 2 + 1]!);
  return strings;
}

/**
 * The fast path of decodeTables' first pass: table entries (fields 1, 3-6) with a one-byte key
 * and a length below 2^14, all here, noted in their span lists. Returns where it met anything
 * else. (A loop of its own: see isAscii.)
 */
function frameEntries(bytes: Uint8Array, pos: number, end: number, spansOf: readonly (Spans | null)[]): number {
  while (pos + 2 < end) {
    const k0 = bytes[pos]!;
    if ((k0 & 7) !== WIRE_LEN || k0 < 8 || k0 >= 0x38 || k0 === 0x12) break;
    const b1 = bytes[pos + 1]!;
    const b2 = bytes[pos + 2]!;
    const start = b1 < 0x80 ? pos + 2 : b2 < 0x80 ? pos + 3 : -1;
    const stop = b1 < 0x80 ? start + b1 : start + ((b1 & 0x7f) | (b2 << 7));
    if (start < 0 || stop > end) break;
    pushSpan(spansOf[k0 >>> 3]!, start, stop);
    pos = stop;
  }
  return pos;
}

/**
 * Whether bytes[first, last) are all ASCII. (Its own function, so that only a return follows the
 * loop: code V8 optimizes in the middle of a loop deoptimizes on reaching code it has not run yet.)
 */
function isAscii(bytes: Uint8Array, first: number, last: number): boolean {
  for (let i = first; i < last; i++) if (bytes[i]! >= 0x80) return false;
  return true;
}

/**
 * A varint of one to four bytes at bytes[p], within [p, end), for the fast
 * paths: its value (below 2^28) times 8 plus its length in bytes, or -1
 * when it is longer or cut off (the general path then reads it, or says
 * what is wrong).
 */
function shortVarint(bytes: Uint8Array, p: number, end: number): number {
  let v = 0;
  for (let n = 0; n < 4 && p + n < end; n++) {
    const b = bytes[p + n]!;
    v |= (b & 0x7f) << (7 * n);
    if (b < 0x80) return v * 8 + n + 1;
  }
  return -1;
}

function profileFieldName(field: number): string {
  return (
    ['', 'sample_type', 'sample', 'mapping', 'location', 'function', 'string_table', '', '', '', '', 'period_type'][field] ?? String(field)
  );
}

function readStringIndex(r: Reader): number {
  return readInt64(r);
}

/** Calls `each` for every element of a repeated varint field, packed (wire type 2) or not (0). */
function readRepeatedVarint(r: Reader, wire: number, name: string, at: number, each: (v: number) => void): void {
  if (wire === WIRE_VARINT) {
    each(readInt64(r));
  } else if (wire === WIRE_LEN) {
    const end = readLengthEnd(r);
    const outer = r.end;
    r.end = end;
    while (r.pos < end) each(readInt64(r));
    r.end = outer;
  } else {
    throw new DecodeError(`field ${name} has wire type ${wire}, expected 0 or 2`, at);
  }
}

function decodeValueType(bytes: Uint8Array, start: number, end: number, str: (i: number, at: number) => string): ValueType {
  const r = newReader(bytes, start, end);
  let type = 0;
  let unit = 0;
  let typeAt = start;
  let unitAt = start;
  while (r.pos < r.end) {
    const at = r.pos;
    const key = readKey(r);
    const field = key >>> 3;
    if (field === 1 || field === 2) {
      expectWire(key & 7, WIRE_VARINT, field === 1 ? 'ValueType.type' : 'ValueType.unit', at);
      if (field === 1) {
        typeAt = at;
        type = readInt64(r);
      } else {
        unitAt = at;
        unit = readInt64(r);
      }
    } else skipField(r, key & 7, at);
  }
  return { type: str(type, typeAt), unit: str(unit, unitAt) };
}

function decodeMapping(bytes: Uint8Array, start: number, end: number, str: (i: number, at: number) => string): Mapping {
  const r = newReader(bytes, start, end);
  let id = 0;
  let memoryStart = 0n;
  let memoryLimit = 0n;
  let fileOffset = 0n;
  let filename = 0;
  let buildId = 0;
  const flags = [false, false, false, false];
  while (r.pos < r.end) {
    const at = r.pos;
    const key = readKey(r);
    const field = key >>> 3;
    if (field >= 1 && field <= 10) {
      expectWire(key & 7, WIRE_VARINT, `Mapping field ${field}`, at);
      switch (field) {
        case 1:
          id = readUint(r);
          break;
        case 2:
          memoryStart = readUint64Big(r);
          break;
        case 3:
          memoryLimit = readUint64Big(r);
          break;
        case 4:
          fileOffset = readUint64Big(r);
          break;
        case 5:
          filename = readInt64(r);
          str(filename, at);
          break;
        case 6:
          buildId = readInt64(r);
          str(buildId, at);
          break;
        default:
          flags[field - 7] = readUint(r) !== 0;
      }
    } else skipField(r, key & 7, at);
  }
  return {
    id,
    memoryStart,
    memoryLimit,
    fileOffset,
    filename: str(filename, start),
    buildId: str(buildId, start),
    hasFunctions: flags[0]!,
    hasFilenames: flags[1]!,
    hasLineNumbers: flags[2]!,
    hasInlineFrames: flags[3]!,
  };
}

function decodeFunctions(bytes: Uint8Array, spans: Spans, nStrings: number, checkStr: (i: number, at: number) => number, fast: boolean): Functions {
  const n = spanCount(spans);
  const id = new Float64Array(n);
  const nameStr = new Uint32Array(n);
  const systemNameStr = new Uint32Array(n);
  const filenameStr = new Uint32Array(n);
  const startLine = new Float64Array(n);
  // Made before the loop, so that only a return follows it (see isAscii).
  const functions: Functions = { count: n, id, nameStr, systemNameStr, filenameStr, startLine };
  const r = newReader(bytes);
  for (let i = 0; i < n; i++) {
    const start = spans.data[i * 2]!;
    const end = spans.data[i * 2 + 1]!;
    // Fast path (Go's encoding): fields 1-5 with varints of up to four bytes and string indices in range.
    let p = fast ? start : end;
    let usual = fast;
    while (p < end) {
      const key = bytes[p++]!;
      if (key !== 0x08 && key !== 0x10 && key !== 0x18 && key !== 0x20 && key !== 0x28) {
        usual = false;
        break;
      }
      const read = shortVarint(bytes, p, end);
      if (read < 0) {
        usual = false;
        break;
      }
      const v = read >>> 3;
      p += read & 7;
      if (key === 0x08) id[i] = v;
      else if (key === 0x28) startLine[i] = v;
      else if (v >= nStrings) {
        usual = false;
        break;
      } else if (key === 0x10) nameStr[i] = v;
      else if (key === 0x18) systemNameStr[i] = v;
      else filenameStr[i] = v;
    }
    if (usual && p === end) continue;
    // Decode this function field by field (which also names what is wrong with it).
    id[i] = nameStr[i] = systemNameStr[i] = filenameStr[i] = startLine[i] = 0;
    r.pos = start;
    r.end = end;
    while (r.pos < r.end) {
      const at = r.pos;
      const key = readKey(r);
      const field = key >>> 3;
      if (field >= 1 && field <= 5) {
        expectWire(key & 7, WIRE_VARINT, `Function field ${field}`, at);
        if (field === 1) id[i] = readUint(r);
        else if (field === 2) nameStr[i] = checkStr(readInt64(r), at);
        else if (field === 3) systemNameStr[i] = checkStr(readInt64(r), at);
        else if (field === 4) filenameStr[i] = checkStr(readInt64(r), at);
        else startLine[i] = readInt64(r);
      } else skipField(r, key & 7, at);
    }
  }
  return functions;
}

function decodeLocations(bytes: Uint8Array, spans: Spans, mappingIndex: IdIndex, functionIndex: IdIndex, fast: boolean): Locations {
  const n = spanCount(spans);
  const id_ = new Float64Array(n);
  const mapping = new Int32Array(n).fill(-1);
  const addressLo = new Uint32Array(n);
  const addressHi = new Uint32Array(n);
  const isFolded = new Uint8Array(n);
  const lineOffsets = new Uint32Array(n + 1);
  // Room for two lines per location: rarely outgrown (Go's profiles have fewer), and growing mid-loop
  // made V8 throw away this function's optimized code (its shared push had not seen that array kind grow).
  const lineRoom = 2 * n + 16;
  const lineNumber = new ArrayBuilder(f64, lineRoom);
  const lineColumn = new ArrayBuilder(f64, lineRoom);
  const lineFunction = new ArrayBuilder(i32, lineRoom);
  const rows = { id_, mapping, addressLo, addressHi, isFolded, lineOffsets, lineNumber, lineColumn, lineFunction };
  decodeLocationRows(bytes, spans, mappingIndex, functionIndex, fast, rows);
  return {
    count: n,
    id: id_,
    mapping,
    addressLo,
    addressHi,
    isFolded,
    lineOffsets,
    lineFunction: lineFunction.finish(),
    lineNumber: lineNumber.finish(),
    lineColumn: lineColumn.finish(),
  };
}

/** Where decodeLocationRows writes: the location columns, and builders of their lines. */
interface LocationRows {
  readonly id_: Float64Array;
  readonly mapping: Int32Array;
  readonly addressLo: Uint32Array;
  readonly addressHi: Uint32Array;
  readonly isFolded: Uint8Array;
  readonly lineOffsets: Uint32Array;
  readonly lineNumber: ArrayBuilder<Float64Array>;
  readonly lineColumn: ArrayBuilder<Float64Array>;
  readonly lineFunction: ArrayBuilder<Int32Array>;
}

/** decodeLocations' loop, alone in its function so that only a return follows it (see isAscii). */
function decodeLocationRows(bytes: Uint8Array, spans: Spans, mappingIndex: IdIndex, functionIndex: IdIndex, fast: boolean, rows: LocationRows): void {
  const { id_, mapping, addressLo, addressHi, isFolded, lineOffsets, lineNumber, lineColumn, lineFunction } = rows;
  const n = spanCount(spans);
  const r = newReader(bytes);
  for (let i = 0; i < n; i++) {
    const start = spans.data[i * 2]!;
    const end = spans.data[i * 2 + 1]!;
    // Fast path (Go's encoding): one-byte keys, varints of up to four bytes (five for the address), lines
    // without columns or odd fields, known ids. Anything else takes the general path, which names the problem.
    let p = fast ? start : end;
    let usual = fast;
    let id = 0;
    let mid = 0;
    let lo = 0;
    let hi = 0;
    let folded = 0;
    const linesAt = lineFunction.n;
    while (p < end && usual) {
      const key = bytes[p++]!;
      if (key === 0x22) {
        const len = p < end ? bytes[p++]! : 0x80;
        const stop = p + len;
        if (len >= 0x80 || stop > end) {
          usual = false;
          break;
        }
        let fid = 0;
        let line = 0;
        while (p < stop) {
          const lkey = bytes[p++]!;
          if (lkey !== 0x08 && lkey !== 0x10) {
            usual = false;
            break;
          }
          const read = shortVarint(bytes, p, stop);
          if (read < 0) {
            usual = false;
            break;
          }
          const v = read >>> 3;
          p += read & 7;
          if (lkey === 0x08) fid = v;
          else line = v;
        }
        const fn = fid === 0 ? -1 : lookupId(functionIndex, fid);
        if (!usual || p !== stop || (fid !== 0 && fn < 0)) {
          usual = false;
          break;
        }
        lineFunction.push(fn);
        lineNumber.push(line);
        lineColumn.push(0);
        continue;
      }
      if (key !== 0x08 && key !== 0x10 && key !== 0x18 && key !== 0x28) {
        usual = false;
        break;
      }
      const read = shortVarint(bytes, p, end);
      let v = 0;
      let high = 0;
      if (read >= 0) {
        v = read >>> 3;
        p += read & 7;
      } else {
        // An address of five bytes (bits 28-34); anything longer takes the general path.
        const b = p + 4 < end ? bytes[p + 4]! : 0x80;
        if (key !== 0x18 || b >= 0x80) {
          usual = false;
          break;
        }
        v = ((bytes[p]! & 0x7f) | ((bytes[p + 1]! & 0x7f) << 7) | ((bytes[p + 2]! & 0x7f) << 14) | ((bytes[p + 3]! & 0x7f) << 21) | (b << 28)) >>> 0;
        high = b >>> 4;
        p += 5;
      }
      if (key === 0x08) id = v;
      else if (key === 0x10) mid = v;
      else if (key === 0x18) {
        lo = v;
        hi = high;
      } else folded = v !== 0 ? 1 : 0;
    }
    if (usual && p === end && id !== 0 && (mid === 0 || lookupId(mappingIndex, mid) >= 0)) {
      id_[i] = id;
      if (mid !== 0) mapping[i] = lookupId(mappingIndex, mid);
      addressLo[i] = lo;
      addressHi[i] = hi;
      isFolded[i] = folded;
      lineOffsets[i + 1] = lineFunction.n;
      continue;
    }
    // Undo and decode this location field by field (which also names what is wrong with it).
    lineFunction.n = linesAt;
    lineNumber.n = linesAt;
    lineColumn.n = linesAt;
    r.pos = start;
    r.end = end;
    while (r.pos < r.end) {
      const at = r.pos;
      const key = readKey(r);
      const field = key >>> 3;
      const wire = key & 7;
      switch (field) {
        case 1:
          expectWire(wire, WIRE_VARINT, 'Location.id', at);
          id_[i] = readUint(r);
          break;
        case 2: {
          expectWire(wire, WIRE_VARINT, 'Location.mapping_id', at);
          const mid = readUint(r);
          if (mid !== 0) {
            const m = lookupId(mappingIndex, mid);
            if (m < 0) throw new DecodeError(`location refers to unknown mapping id ${mid}`, at);
            mapping[i] = m;
          }
          break;
        }
        case 3:
          expectWire(wire, WIRE_VARINT, 'Location.address', at);
          readVarint64(r); // halves land in r.lo / r.hi
          addressLo[i] = r.lo;
          addressHi[i] = r.hi;
          break;
        case 4: {
          expectWire(wire, WIRE_LEN, 'Location.line', at);
          const end = readLengthEnd(r);
          const outer = r.end;
          r.end = end;
          let fn = -1;
          let line = 0;
          let column = 0;
          while (r.pos < end) {
            const lat = r.pos;
            const lkey = readKey(r);
            const lfield = lkey >>> 3;
            if (lfield >= 1 && lfield <= 3) {
              expectWire(lkey & 7, WIRE_VARINT, `Line field ${lfield}`, lat);
              if (lfield === 1) {
                const fid = readUint(r);
                if (fid !== 0) {
                  fn = lookupId(functionIndex, fid);
                  if (fn < 0) throw new DecodeError(`line refers to unknown function id ${fid}`, lat);
                }
              } else if (lfield === 2) line = readInt64(r);
              else column = readInt64(r);
            } else skipField(r, lkey & 7, lat);
          }
          r.end = outer;
          lineFunction.push(fn);
          lineNumber.push(line);
          lineColumn.push(column);
          break;
        }
        case 5:
          expectWire(wire, WIRE_VARINT, 'Location.is_folded', at);
          isFolded[i] = readUint(r) !== 0 ? 1 : 0;
          break;
        default:
          skipField(r, wire, at);
      }
    }
    lineOffsets[i + 1] = lineFunction.n;
  }
}

