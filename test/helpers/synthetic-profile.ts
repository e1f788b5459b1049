import { encode, P, type Field } from './proto-writer.js';

/** A small deterministic PRNG (mulberry32), so a failure names a reproducible profile. */
function prng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

export interface Shape {
  functions: number;
  locations: number;
  samples: number;
  maxLines: number;
  seed: number;
}

/**
 * A profile with up to maxLines inlined frames per location and recursion
 * (a location repeated in one stack, and two locations of one function),
 * plus its expected flat and cum by function name, computed the naive way:
 * a set of names per sample.
 */
export function profileWithReference(shape: Shape): { bytes: Uint8Array; flat: Map<string, number>; cum: Map<string, number> } {
  const rand = prng(shape.seed);
  const name = (f: number): string => `pkg${f % 37}.Fn${f}`;
  const fields: Field[] = [P.valueType(1, 1, 2)];
  const locLines: number[][] = [];
  for (let l = 0; l < shape.locations; l++) {
    const n = rand(4) === 0 ? 1 + rand(shape.maxLines) : 1;
    // Spread functions over locations so that every one is used.
    locLines.push(Array.from({ length: n }, (_, j) => (j === 0 ? l % shape.functions : rand(shape.functions))));
  }
  const flat = new Map<string, number>();
  const cum = new Map<string, number>();
  for (let s = 0; s < shape.samples; s++) {
    const depth = 1 + rand(12);
    const stack = Array.from({ length: depth }, () => rand(shape.locations));
    if (depth > 2 && rand(3) === 0) stack[depth - 1] = stack[0]!; // recursion
    const value = rand(5) === 0 ? 0 : 1 + rand(1 << 20);
    fields.push(P.sample(stack.map((l) => l + 1), [value]));
    if (value === 0) continue;
    const names = new Set(stack.flatMap((l) => locLines[l]!.map(name)));
    for (const n of names) cum.set(n, (cum.get(n) ?? 0) + value);
    const leaf = name(locLines[stack[0]!]![0]!);
    flat.set(leaf, (flat.get(leaf) ?? 0) + value);
  }
  locLines.forEach((lines, l) => fields.push(P.loc(l + 1, lines.map((f) => [f + 1, 10 + l] as [number, number]))));
  const strings = ['', 'space', 'bytes'];
  for (let f = 0; f < shape.functions; f++) {
    strings.push(name(f));
    fields.push(P.fn(f + 1, strings.length - 1));
  }
  fields.push(...P.strings(strings));
  return { bytes: encode(fields), flat, cum };
}
