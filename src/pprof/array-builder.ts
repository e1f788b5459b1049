/** Growable typed arrays for the decoder's flattened tables. */
export type TypedArray = Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array;

/** Growable typed array for flattened per-row lists; `finish` trims to the used length. */
export class ArrayBuilder<T extends TypedArray> {
  data: T;
  n = 0;
  constructor(
    private readonly make: (length: number) => T,
    capacity: number,
  ) {
    this.data = make(Math.max(16, capacity));
  }
  push(v: number): void {
    if (this.n === this.data.length) this.grow();
    this.data[this.n++] = v;
  }
  /** Appends src[start, end). */
  pushAll(src: T, start: number, end: number): void {
    const n = end - start;
    while (this.n + n > this.data.length) this.grow();
    (this.data as Uint8Array).set((src as Uint8Array).subarray(start, end), this.n);
    this.n += n;
  }
  grow(): void {
    const next = this.make(this.data.length * 2);
    next.set(this.data);
    this.data = next;
  }
  /**
   * The used part; copied (into the same kind of memory) only when the
   * spare capacity is worth giving back. Shared memory is never copied: it
   * is meant for a short-lived profile (`top`), where the copy costs time
   * (fresh pages) and the untouched spare costs address space, not memory.
   */
  finish(): T {
    if (this.n >= this.data.length * 0.6 || this.data.buffer instanceof SharedArrayBuffer) return this.data.subarray(0, this.n) as T;
    const out = this.make(this.n);
    (out as Uint8Array).set((this.data as Uint8Array).subarray(0, this.n));
    return out;
  }
}

export const u16 = (n: number): Uint16Array => new Uint16Array(n);
export const u32 = (n: number): Uint32Array => new Uint32Array(n);
/** Makers backed by SharedArrayBuffer, so worker threads can read the arrays without a copy. */
export const sharedU16 = (n: number): Uint16Array => new Uint16Array(new SharedArrayBuffer(n * 2));
export const sharedU32 = (n: number): Uint32Array => new Uint32Array(new SharedArrayBuffer(n * 4));
export const sharedF64 = (n: number): Float64Array => new Float64Array(new SharedArrayBuffer(n * 8));
export const i32 = (n: number): Int32Array => new Int32Array(n);
export const f64 = (n: number): Float64Array => new Float64Array(n);
export const u8 = (n: number): Uint8Array => new Uint8Array(n);
