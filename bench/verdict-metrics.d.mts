export interface PrefixVerdict {
  readonly k: number;
  readonly kind: 'leak' | 'no-leak' | 'inconclusive';
}
export function rankOfFunction(suspects: readonly { readonly function: string; readonly kind: string; readonly stack: readonly string[] }[], fn: string): number | null;
export function prefixSizes(n: number, first?: number, step?: number): number[];
export function windowsOf(start: number, n: number, size: number, stride: number): [number, number][];
export function detectionDelay(prefixes: readonly PrefixVerdict[]): number | null;
