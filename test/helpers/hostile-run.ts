import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode, P } from './proto-writer.js';

/**
 * Function names that attack each output (as in test/fixtures/synthetic/hostile.pb.gz):
 * `<script>`, an `<img onerror>`, `javascript:`, table pipes, a newline,
 * terminal escapes, a bidi override, Markdown syntax.
 */
export const HOSTILE_NAMES = [
  'main.(*Server).<script>alert(1)</script>',
  'main."><img src=x onerror=alert(1)>',
  'javascript:alert(document.cookie)',
  'main.pipe|table|breaker',
  'main.newline\nSecond line',
  'main.evil\x1b[2J\x1b[31mRED\x07',
  'main.bidi\u202egnp.exe',
  '# heading `code` *bold* _em_ [link](x)',
];

/** A heap profile where the hostile functions hold the memory, growing with `i` (so they lead every table). */
function hostileProfile(i: number): Uint8Array {
  const strings = ['', 'alloc_objects', 'count', 'alloc_space', 'bytes', 'inuse_objects', 'inuse_space', 'space', ...HOSTILE_NAMES];
  const fn = (k: number): number => 8 + k;
  return encode([
    P.valueType(1, 1, 2),
    P.valueType(1, 3, 4),
    P.valueType(1, 5, 2),
    P.valueType(1, 6, 4),
    ...HOSTILE_NAMES.map((_, k) => P.fn(k + 1, fn(k))),
    ...HOSTILE_NAMES.map((_, k) => P.loc(k + 1, [[k + 1, 10 + k]])),
    // Each name allocates, called from the next one: they are leaves, callers and call paths.
    ...HOSTILE_NAMES.map((_, k) => P.sample([k + 1, ((k + 1) % HOSTILE_NAMES.length) + 1], [1, 1 << 20, 1, (1 + k + (k === 0 ? i * 4 : k === 3 ? i * 2 : 0)) << 20])),
    ...P.strings(strings),
    { f: 9, varint: BigInt(1_764_144_000 + i) * 1_000_000_000n },
    P.valueType(11, 7, 4),
    { f: 12, varint: 524288 },
  ]);
}

/** A run (operator-controller layout, 12 snapshots) where the hostile functions hold the memory and one of them leaks. */
export function hostileRun(): string {
  // operator-controller's layout: <component>/heapN.pprof, timed by the profiles.
  const dir = mkdtempSync(join(tmpdir(), 'heaplens-hostile-'));
  mkdirSync(join(dir, 'evil'));
  for (let i = 0; i < 12; i++) writeFileSync(join(dir, 'evil', `heap${i}.pprof`), hostileProfile(i));
  return dir;
}

