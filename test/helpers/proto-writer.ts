/**
 * A tiny protobuf wire-format writer for building test profiles byte by byte:
 * every field is written explicitly, so tests control packed vs non-packed
 * encodings, field order, unknown fields and deliberate corruption.
 */
export type Field =
  | { f: number; varint: number | bigint }
  | { f: number; bytes: Uint8Array | number[] }
  | { f: number; msg: Field[] }
  | { f: number; str: string }
  | { f: number; packed: (number | bigint)[] }
  | { f: number; fixed64: bigint }
  | { f: number; fixed32: number };

export function varint(value: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) b |= 0x80;
    out.push(b);
  } while (v !== 0n);
  return out;
}

export function encode(fields: Field[]): Uint8Array {
  const out: number[] = [];
  for (const field of fields) {
    if ('varint' in field) {
      out.push(...varint(field.f * 8), ...varint(field.varint));
    } else if ('fixed64' in field) {
      out.push(...varint(field.f * 8 + 1));
      for (let i = 0n; i < 8n; i++) out.push(Number((field.fixed64 >> (8n * i)) & 0xffn));
    } else if ('fixed32' in field) {
      out.push(...varint(field.f * 8 + 5));
      for (let i = 0; i < 4; i++) out.push((field.fixed32 >>> (8 * i)) & 0xff);
    } else {
      let payload: Uint8Array | number[];
      if ('bytes' in field) payload = field.bytes;
      else if ('str' in field) payload = Array.from(new TextEncoder().encode(field.str));
      else if ('msg' in field) payload = encode(field.msg);
      else payload = field.packed.flatMap((v) => varint(v));
      out.push(...varint(field.f * 8 + 2), ...varint(payload.length), ...payload);
    }
  }
  return Uint8Array.from(out);
}

/** Helpers for profile.proto messages. */
export const P = {
  strings: (table: string[]): Field[] => table.map((s) => ({ f: 6, str: s })),
  valueType: (f: number, type: number, unit: number): Field => ({ f, msg: [{ f: 1, varint: type }, { f: 2, varint: unit }] }),
  fn: (id: number, name: number, file = 0, systemName = 0, startLine = 0): Field => ({
    f: 5,
    msg: [
      { f: 1, varint: id },
      { f: 2, varint: name },
      { f: 3, varint: systemName },
      { f: 4, varint: file },
      { f: 5, varint: startLine },
    ],
  }),
  /** A location; lines are [functionId, lineNumber], innermost first. */
  loc: (id: number, lines: [number, number][], extra: Field[] = []): Field => ({
    f: 4,
    msg: [{ f: 1, varint: id }, ...extra, ...lines.map(([fid, line]): Field => ({ f: 4, msg: [{ f: 1, varint: fid }, { f: 2, varint: line }] }))],
  }),
  /** A sample, packed (one length-delimited field per list) unless `packed` is false (one tag per element, as Go writes short lists). */
  sample: (locations: number[], values: (number | bigint)[], packed = true, labels: Field[][] = []): Field => ({
    f: 2,
    msg: [
      ...(packed
        ? [{ f: 1, packed: locations } as Field, { f: 2, packed: values } as Field]
        : [...locations.map((v): Field => ({ f: 1, varint: v })), ...values.map((v): Field => ({ f: 2, varint: v }))]),
      ...labels.map((l): Field => ({ f: 3, msg: l })),
    ],
  }),
};
