import type { Samples } from '../model/profile.js';
import { ArrayBuilder, f64, sharedF64, sharedU16, sharedU32, u16, u32 } from './array-builder.js';
import type { ProfileTables } from './decode-tables.js';
import { lookupId } from './decode-tables.js';
import { DecodeError } from './errors.js';
import { WIRE_LEN, WIRE_VARINT, expectWire, newReader, readInt64, readKey, readLengthEnd, readUint, skipField, type Reader } from './wire.js';

/**
 * Location ids are stored as id - 1, which is already the location's
 * position when ids are 1..N in table order (as Go writes them), so the
 * common case needs no remapping. They are stored in 16 bits until an id
 * does not fit, then in 32 (see LocationIds). The largest value of the
 * width marks an id that does not fit even 32 bits (or is 0); the id itself
 * waits in `bigIds`.
 */
const BIG_ID_16 = 0xffff;
const BIG_ID_32 = 0xffffffff;

/** Samples in addRun's first run (see addRun). */
const FIRST_RUN = 32;

/**
 * Collects samples as their bytes arrive, before the location, function and
 * string tables are known (Go writes those after the samples). Location ids
 * and label string indices are kept raw and checked in `resolveSamples`.
 */
export class SampleCollector {
  private readonly r: Reader = newReader(new Uint8Array(0));
  private stack: ArrayBuilder<Uint16Array> | ArrayBuilder<Uint32Array>;
  /** The stack array's marker for ids waiting in bigIds; ids 1..bigId are stored as id - 1. */
  private bigId = BIG_ID_16;
  private readonly bigIds: number[] = [];
  /** The largest location id stored as id - 1 (larger ones wait in bigIds): resolving checks it instead of every entry. */
  private maxId = 0;
  /** Calls of addRun so far. */
  private runs = 0;
  private readonly values: ArrayBuilder<Float64Array>;
  private readonly stackOffsets: ArrayBuilder<Uint32Array>;
  private readonly valueOffsets: ArrayBuilder<Uint32Array>;
  private readonly starts: ArrayBuilder<Float64Array>;
  private readonly labelOffsets: ArrayBuilder<Uint32Array>;
  private readonly labelKey: ArrayBuilder<Uint32Array>;
  private readonly labelStr: ArrayBuilder<Uint32Array>;
  private readonly labelNum: ArrayBuilder<Float64Array>;
  private readonly labelUnit: ArrayBuilder<Uint32Array>;

  constructor(
    private readonly withLabels: boolean,
    expectedBytes: number,
    private readonly shared: boolean,
  ) {
    // Location ids take one to three bytes: a third of the bytes is a fair first guess.
    this.stack = new ArrayBuilder(shared ? sharedU16 : u16, Math.ceil(expectedBytes / 3));
    this.values = new ArrayBuilder(shared ? sharedF64 : f64, Math.ceil(expectedBytes / 8));
    // Samples take 50–100 bytes in Go's heap profiles: room for one per 32 bytes seldom needs growing
    // (15 doublings of five arrays cost ~14 ms on the bench profile); pages never written cost no memory.
    const sampleRoom = Math.ceil(expectedBytes / 32);
    this.stackOffsets = new ArrayBuilder(shared ? sharedU32 : u32, sampleRoom);
    this.valueOffsets = new ArrayBuilder(u32, sampleRoom);
    this.starts = new ArrayBuilder(f64, sampleRoom);
    this.labelOffsets = new ArrayBuilder(u32, sampleRoom);
    const labels = withLabels ? 1024 : 0;
    this.labelKey = new ArrayBuilder(u32, labels);
    this.labelStr = new ArrayBuilder(u32, labels);
    this.labelNum = new ArrayBuilder(f64, labels);
    this.labelUnit = new ArrayBuilder(u32, labels);
    this.stackOffsets.push(0);
    this.valueOffsets.push(0);
    this.labelOffsets.push(0);
  }

  get count(): number {
    return this.starts.n;
  }

  /**
   * Decodes consecutive Sample fields (keys and lengths included) from
   * buf[pos, length), as Go encodes them, until anything else: another
   * field, a field not all here, a sample with labels to keep or an unusual
   * encoding (those are for `add`, which decodes every form and names what
   * is wrong), or `maxCount` samples in all. Returns where it stopped.
   *
   * One function with its state in locals and no call on its common path
   * (room is made once per sample, and unusual samples go to `add`): V8
   * then keeps the arrays in registers, where a call per sample and field
   * made it reload them each time.
   */
  addRun(buf: Uint8Array, pos: number, length: number, base: number, maxCount: number): number {
    if (this.withLabels) return pos;
    // The first run stops after a few samples (the caller calls again): V8 has then seen the loop
    // left before it optimizes this function in the middle of a long run. Without that, the
    // optimized code lacked feedback for leaving the loop (and for making room, now rare: see the
    // constructor), and was thrown away and rebuilt when it came (~40 ms of compiling on the bench profile).
    const limit = this.runs++ === 0 ? Math.min(maxCount, this.starts.n + FIRST_RUN) : maxCount;
    let stack = this.stack;
    const values = this.values;
    const stackOffsets = this.stackOffsets;
    const valueOffsets = this.valueOffsets;
    const labelOffsets = this.labelOffsets;
    const starts = this.starts;
    let stackData = stack.data;
    let stackN = stack.n;
    let valueData = values.data;
    let valueN = values.n;
    let maxId = this.maxId;
    // Ids past it (three-byte ones) go to `add`, which widens the stack array.
    let idLimit = this.bigId;
    let count = starts.n;
    const labelsN = this.labelKey.n;
    while (count < limit && pos + 3 <= length && buf[pos] === 0x12) {
      const b1 = buf[pos + 1]!;
      const b2 = buf[pos + 2]!;
      const start = b1 < 0x80 ? pos + 2 : b2 < 0x80 ? pos + 3 : -1;
      if (start < 0) break;
      const end = b1 < 0x80 ? start + b1 : start + ((b1 & 0x7f) | (b2 << 7));
      if (end > length) break;
      // Room for the most this sample can hold (an id or a value takes a byte at least), so the loops need no checks.
      const most = end - start;
      if (stackN + most > stackData.length || valueN + most > valueData.length || count + 2 > stackOffsets.data.length || count + 2 > valueOffsets.data.length || count + 2 > labelOffsets.data.length || count + 1 > starts.data.length) {
        stack.n = stackN;
        values.n = valueN;
        this.makeRoom(most, count);
        stackData = stack.data;
        valueData = values.data;
      }
      const stackStart = stackN;
      const valueStart = valueN;
      const maxIdBefore = maxId;
      let p = start;
      let usual = true;
      while (p < end && usual) {
        const key = buf[p]!;
        const len = p + 1 < end ? buf[p + 1]! : 0x80;
        const stop = p + 2 + len;
        if (len >= 0x80 || stop > end) {
          usual = false;
        } else if (key === 0x0a) {
          p += 2;
          while (p < stop) {
            const c0 = buf[p]!;
            if (c0 < 0x80 && c0 !== 0) {
              stackData[stackN++] = c0 - 1;
              if (c0 > maxId) maxId = c0;
              p += 1;
              continue;
            }
            const c1 = p + 1 < stop ? buf[p + 1]! : 0x80;
            if (c0 >= 0x80 && c1 < 0x80) {
              const id = (c0 & 0x7f) | (c1 << 7);
              if (id === 0) break;
              stackData[stackN++] = id - 1;
              if (id > maxId) maxId = id;
              p += 2;
              continue;
            }
            const c2 = p + 2 < stop ? buf[p + 2]! : 0x80;
            if (c0 >= 0x80 && c1 >= 0x80 && c2 < 0x80) {
              const id = (c0 & 0x7f) | ((c1 & 0x7f) << 7) | (c2 << 14);
              if (id === 0 || id > idLimit) break;
              stackData[stackN++] = id - 1;
              if (id > maxId) maxId = id;
              p += 3;
              continue;
            }
            break;
          }
          if (p !== stop) usual = false;
        } else if (key === 0x12) {
          p += 2;
          while (p < stop) {
            const c0 = buf[p]!;
            if (c0 < 0x80) {
              valueData[valueN++] = c0;
              p += 1;
              continue;
            }
            const c1 = p + 1 < stop ? buf[p + 1]! : 0x80;
            if (c1 < 0x80) {
              valueData[valueN++] = (c0 & 0x7f) | (c1 << 7);
              p += 2;
              continue;
            }
            const c2 = p + 2 < stop ? buf[p + 2]! : 0x80;
            if (c2 < 0x80) {
              valueData[valueN++] = (c0 & 0x7f) | ((c1 & 0x7f) << 7) | (c2 << 14);
              p += 3;
              continue;
            }
            const c3 = p + 3 < stop ? buf[p + 3]! : 0x80;
            if (c3 < 0x80) {
              valueData[valueN++] = (c0 & 0x7f) | ((c1 & 0x7f) << 7) | ((c2 & 0x7f) << 14) | (c3 << 21);
              p += 4;
              continue;
            }
            break;
          }
          if (p !== stop) usual = false;
        } else if (key === 0x1a) {
          p = stop; // labels are not wanted
        } else usual = false;
      }
      if (!usual) {
        // Undo this sample and let the general path decode it (or say what is wrong with it).
        stack.n = stackStart;
        values.n = valueStart;
        this.maxId = maxIdBefore;
        this.add(buf, start, end, base);
        stack = this.stack;
        idLimit = this.bigId;
        stackData = stack.data;
        valueData = values.data;
        stackN = stack.n;
        valueN = values.n;
        maxId = this.maxId;
        count = starts.n;
        pos = end;
        continue;
      }
      count++;
      stackOffsets.data[count] = stackN;
      valueOffsets.data[count] = valueN;
      labelOffsets.data[count] = labelsN;
      starts.data[count - 1] = base + start;
      stackOffsets.n = valueOffsets.n = labelOffsets.n = count + 1;
      starts.n = count;
      pos = end;
    }
    stack.n = stackN;
    values.n = valueN;
    this.maxId = maxId;
    return pos;
  }

  /** Grows the arrays so that one more sample of `most` bytes fits after `count` samples. */
  private makeRoom(most: number, count: number): void {
    while (this.stack.n + most > this.stack.data.length) this.stack.grow();
    while (this.values.n + most > this.values.data.length) this.values.grow();
    for (const b of [this.stackOffsets, this.valueOffsets, this.labelOffsets]) while (count + 2 > b.data.length) b.grow();
    while (count + 1 > this.starts.data.length) this.starts.grow();
  }

  /**
   * Decodes the Sample message in buf[start, end); `base` is the absolute
   * offset of buf[0] in the profile, for error messages.
   */
  add(buf: Uint8Array, start: number, end: number, base: number): void {
    try {
      this.addUnchecked(buf, start, end);
    } catch (e) {
      if (e instanceof DecodeError) throw new DecodeError(e.reason, e.offset + base);
      throw e;
    }
    this.starts.push(base + start);
  }

  private addUnchecked(buf: Uint8Array, start: number, end: number): void {
    const r = this.r;
    r.buf = buf;
    let stack = this.stack;
    const values = this.values;
    let stackData = stack.data;
    let stackN = stack.n;
    let maxId = this.maxId;
    let pos = start;
    while (pos < end) {
      const key = buf[pos]!;
      // Hot path (Go's encoding): packed location ids or values with a one-byte length.
      if ((key === 0x0a || key === 0x12) && pos + 2 <= end && buf[pos + 1]! < 0x80) {
        const stop = pos + 2 + buf[pos + 1]!;
        if (stop > end) throw new DecodeError(`length ${buf[pos + 1]} runs past the end of its message (${end - pos - 2} bytes left)`, pos + 1);
        pos += 2;
        if (key === 0x0a) {
          while (pos < stop) {
            // Ids below 2^21 (three bytes) cover real profiles; longer ones take the general path.
            let b = buf[pos]!;
            let id = b & 0x7f;
            if (b < 0x80) pos += 1;
            else if (pos + 1 < stop && (b = buf[pos + 1]!) < 0x80) {
              id |= b << 7;
              pos += 2;
            } else if (pos + 2 < stop && buf[pos + 1]! >= 0x80 && (b = buf[pos + 2]!) < 0x80) {
              id |= ((buf[pos + 1]! & 0x7f) << 7) | (b << 14);
              pos += 3;
            } else {
              r.pos = pos;
              r.end = stop;
              id = readUint(r);
              pos = r.pos;
            }
            if (id > BIG_ID_16 && this.bigId === BIG_ID_16) {
              stack.n = stackN;
              this.widen();
              stack = this.stack;
              stackData = stack.data;
            }
            if (stackN === stackData.length) {
              stack.n = stackN;
              stack.grow();
              stackData = stack.data;
            }
            if (id === 0 || id > this.bigId) {
              this.bigIds.push(id);
              stackData[stackN++] = this.bigId;
            } else {
              stackData[stackN++] = id - 1;
              if (id > maxId) maxId = id;
            }
          }
        } else {
          r.end = stop;
          while (pos < stop) {
            // Values below 2^28 (up to four bytes: counts and byte sizes of real profiles) inline; the rest, negative ones included, take the general path.
            const b = buf[pos]!;
            if (b < 0x80) {
              values.push(b);
              pos++;
              continue;
            }
            const b1 = pos + 1 < stop ? buf[pos + 1]! : 0x80;
            if (b1 < 0x80) {
              values.push((b & 0x7f) | (b1 << 7));
              pos += 2;
              continue;
            }
            const b2 = pos + 2 < stop ? buf[pos + 2]! : 0x80;
            if (b2 < 0x80) {
              values.push((b & 0x7f) | ((b1 & 0x7f) << 7) | (b2 << 14));
              pos += 3;
              continue;
            }
            const b3 = pos + 3 < stop ? buf[pos + 3]! : 0x80;
            if (b3 < 0x80) {
              values.push((b & 0x7f) | ((b1 & 0x7f) << 7) | ((b2 & 0x7f) << 14) | (b3 << 21));
              pos += 4;
              continue;
            }
            r.pos = pos;
            values.push(readInt64(r));
            pos = r.pos;
          }
        }
        continue;
      }
      // Labels not wanted: step over them without decoding.
      if (key === 0x1a && !this.withLabels && pos + 2 <= end && buf[pos + 1]! < 0x80) {
        pos += 2 + buf[pos + 1]!;
        if (pos > end) throw new DecodeError('length runs past the end of its message', pos);
        continue;
      }
      stack.n = stackN;
      this.maxId = maxId;
      r.pos = pos;
      r.end = end;
      this.addField(r, pos);
      pos = r.pos;
      stack = this.stack;
      stackData = stack.data;
      stackN = stack.n;
      maxId = this.maxId;
    }
    stack.n = stackN;
    this.maxId = maxId;
    this.stackOffsets.push(stackN);
    this.valueOffsets.push(values.n);
    this.labelOffsets.push(this.labelKey.n);
  }

  /** Any field of a Sample, in any encoding: the general path. */
  private addField(r: Reader, at: number): void {
    const key = readKey(r);
    switch (key) {
      case (1 << 3) | WIRE_LEN: {
        const end = readLengthEnd(r);
        const outer = r.end;
        r.end = end;
        while (r.pos < end) this.pushId(readUint(r));
        r.end = outer;
        return;
      }
      case (1 << 3) | WIRE_VARINT:
        this.pushId(readUint(r));
        return;
      case (2 << 3) | WIRE_LEN: {
        const end = readLengthEnd(r);
        const outer = r.end;
        r.end = end;
        while (r.pos < end) this.values.push(readInt64(r));
        r.end = outer;
        return;
      }
      case (2 << 3) | WIRE_VARINT:
        this.values.push(readInt64(r));
        return;
      case (3 << 3) | WIRE_LEN: {
        const end = readLengthEnd(r);
        if (this.withLabels) this.addLabel(r, end);
        r.pos = end;
        return;
      }
      default:
        if (key >>> 3 >= 1 && key >>> 3 <= 3) throw new DecodeError(`Sample field ${key >>> 3} has wire type ${key & 7}`, at);
        skipField(r, key & 7, at);
    }
  }

  private pushId(id: number): void {
    if (id > BIG_ID_16 && this.bigId === BIG_ID_16) this.widen();
    if (id === 0 || id > this.bigId) {
      this.bigIds.push(id);
      this.stack.push(this.bigId);
    } else {
      this.stack.push(id - 1);
      if (id > this.maxId) this.maxId = id;
    }
  }

  /** Moves the stack to 32 bits: an id (or, once resolved, a position) does not fit 16. */
  private widen(): void {
    const narrow = this.stack.data;
    const n = this.stack.n;
    const wide = new ArrayBuilder(this.shared ? sharedU32 : u32, Math.max(narrow.length, n + 1));
    const data = wide.data;
    for (let k = 0; k < n; k++) data[k] = narrow[k] === BIG_ID_16 ? BIG_ID_32 : narrow[k]!;
    wide.n = n;
    this.stack = wide;
    this.bigId = BIG_ID_32;
  }

  private addLabel(r: Reader, end: number): void {
    const outer = r.end;
    r.end = end;
    let k = 0;
    let s = 0;
    let num = 0;
    let unit = 0;
    while (r.pos < end) {
      const at = r.pos;
      const key = readKey(r);
      const field = key >>> 3;
      if (field >= 1 && field <= 4) {
        expectWire(key & 7, WIRE_VARINT, `Label field ${field}`, at);
        const v = readInt64(r);
        if (field === 1) k = v;
        else if (field === 2) s = v;
        else if (field === 3) num = v;
        else unit = v;
      } else skipField(r, key & 7, at);
    }
    r.end = outer;
    // Indices are checked against the string table once it is known; a negative one can never be valid.
    for (const idx of [k, s, unit]) if (idx < 0) throw new DecodeError(`string index ${idx} out of range`, end);
    this.labelKey.push(k);
    this.labelStr.push(s);
    this.labelNum.push(num);
    this.labelUnit.push(unit);
  }

  /** Checks the samples against the now-known tables and returns them with location ids resolved to positions. */
  resolve(tables: ProfileTables): Samples {
    const n = this.count;
    const nTypes = tables.sampleTypes.length;
    const starts = this.starts.data;
    const valueOffsets = this.valueOffsets.data;
    for (let i = 0; i < n; i++) {
      const got = valueOffsets[i + 1]! - valueOffsets[i]!;
      if (got !== nTypes) throw new DecodeError(`sample has ${got} values, profile has ${nTypes} sample types`, starts[i]!);
    }
    const stackOffsets = this.stackOffsets.finish();
    const index = tables.locationIndex;
    const nLocations = tables.locations.count;
    const remap = !index.sequential || this.bigIds.length > 0;
    // Stored ids fit, but positions after remapping may not.
    if (remap && nLocations > BIG_ID_16 && this.bigId === BIG_ID_16) this.widen();
    const stack = this.stack.finish();
    const bigId = this.bigId;
    const fail = (k: number, id: number): never => {
      let sample = 0;
      while (stackOffsets[sample + 1]! <= k) sample++;
      throw new DecodeError(`sample refers to unknown location id ${id}`, starts[sample]!);
    };
    if (!remap) {
      // Stored values are already positions; only check they are in range (the largest id was noted while decoding).
      if (this.maxId > nLocations) {
        const k = stack.findIndex((pos) => pos >= nLocations);
        fail(k, stack[k]! + 1);
      }
    } else {
      let big = 0;
      for (let k = 0; k < stack.length; k++) {
        const stored = stack[k]!;
        const id = stored === bigId ? this.bigIds[big++]! : stored + 1;
        const loc = lookupId(index, id);
        if (loc < 0) fail(k, id);
        stack[k] = loc;
      }
    }
    const labelOffsets = this.labelOffsets.finish();
    const labelKeyStr = this.labelKey.finish();
    const labelValueStr = this.labelStr.finish();
    const labelNumUnitStr = this.labelUnit.finish();
    const nStrings = tables.strings.length;
    for (let j = 0; j < labelKeyStr.length; j++) {
      const bad = [labelKeyStr[j]!, labelValueStr[j]!, labelNumUnitStr[j]!].find((idx) => idx >= nStrings);
      if (bad !== undefined) {
        let s = 0;
        while (labelOffsets[s + 1]! <= j) s++;
        throw new DecodeError(`string index ${bad} out of range (table has ${nStrings})`, starts[s]!);
      }
    }
    return {
      count: n,
      values: this.values.finish(),
      stackOffsets,
      stackLocations: stack,
      labelOffsets,
      labelKeyStr,
      labelValueStr,
      labelNum: this.labelNum.finish(),
      labelNumUnitStr,
    };
  }
}
