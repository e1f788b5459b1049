import type { Profile } from '../model/profile.js';

/** How frames are merged into report rows (go tool pprof's -functions / -lines). */
export type Granularity = 'functions' | 'lines';

/**
 * Node identities shared by one or more profiles (a diff needs both sides
 * in one key space). A node is what pprof calls a graph node: a function
 * name, or a function name + file:line.
 */
export interface NodeKeys {
  readonly granularity: Granularity;
  readonly index: Map<string, number>;
  readonly names: string[];
}

export function newNodeKeys(granularity: Granularity): NodeKeys {
  return { granularity, index: new Map(), names: [] };
}

/**
 * A profile's frames mapped onto nodes. Location i expands to frames
 * nodes[offsets[i] .. offsets[i+1]), innermost first, like its lines; a
 * location without lines still gets one frame (named after its binary, or
 * `<unknown>`), as pprof does. `inlined[k]` is 1 when frame k was inlined
 * into the next frame of the same location.
 */
export interface FrameTable {
  readonly offsets: Uint32Array;
  readonly nodes: Int32Array;
  readonly inlined: Uint8Array;
}

/** Maps every location line of `profile` to a node in `keys`, adding nodes as needed. */
export function buildFrameTable(profile: Profile, keys: NodeKeys): FrameTable {
  const { locations, functions, strings, mappings } = profile;
  const total = countFrames(profile);
  const offsets = new Uint32Array(locations.count + 1);
  const nodes = new Int32Array(total);
  const inlined = new Uint8Array(total);
  // Functions repeat across lines; resolve each (function, line) key once per function when line numbers are ignored.
  const byFunction = keys.granularity === 'functions' ? new Int32Array(functions.count).fill(-1) : null;
  let k = 0;
  // The result is made first and offsets[loc + 1] written as each location ends, so that nothing but
  // a return follows the loop (code V8 optimizes in the middle of a loop deoptimizes on reaching code
  // it has not run yet).
  const table: FrameTable = { offsets, nodes, inlined };
  for (let loc = 0; loc < locations.count; loc++) {
    const first = locations.lineOffsets[loc]!;
    const last = locations.lineOffsets[loc + 1]!;
    const m = locations.mapping[loc]!;
    const objfile = m >= 0 ? mappings[m]!.filename : '';
    if (first === last) {
      nodes[k] = intern(keys, unnamedNode(objfile), unnamedNode(objfile));
      k++;
      offsets[loc + 1] = k;
      continue;
    }
    for (let li = first; li < last; li++) {
      const fn = locations.lineFunction[li]!;
      let node: number;
      if (fn < 0) {
        node = intern(keys, unnamedNode(objfile), unnamedNode(objfile));
      } else if (byFunction && byFunction[fn]! >= 0) {
        node = byFunction[fn]!;
      } else {
        const name = strings[functions.nameStr[fn]!]!;
        const file = keys.granularity === 'lines' ? cleanPath(strings[functions.filenameStr[fn]!]!) : '';
        const line = keys.granularity === 'lines' ? locations.lineNumber[li]! : 0;
        const printable = printableName(name, file, line, objfile);
        // Unnamed functions are told apart by start line, as pprof's NodeInfo does.
        const key = name === '' ? `${printable}\u0000${functions.startLine[fn]}` : printable;
        node = intern(keys, key, printable);
        if (byFunction) byFunction[fn] = node;
      }
      nodes[k] = node;
      inlined[k] = li < last - 1 ? 1 : 0;
      k++;
    }
    offsets[loc + 1] = k;
  }
  return table;
}

function countFrames(profile: Profile): number {
  const { locations } = profile;
  let n = 0;
  for (let loc = 0; loc < locations.count; loc++) {
    n += Math.max(1, locations.lineOffsets[loc + 1]! - locations.lineOffsets[loc]!);
  }
  return n;
}

/** The node for `key`, added (shown as `printable`) when new. */
export function intern(keys: NodeKeys, key: string, printable: string): number {
  let id = keys.index.get(key);
  if (id === undefined) {
    id = keys.names.length;
    keys.index.set(key, id);
    keys.names.push(printable);
  }
  return id;
}

function unnamedNode(objfile: string): string {
  return objfile !== '' ? `[${baseName(objfile)}]` : '<unknown>';
}

/**
 * pprof's printable node name: function, then file:line or file, else the
 * binary. Built without an array: a function name alone (every row of a
 * -functions report) is returned as it is, and a Map key it already hashed
 * once stays hashed (joining made a new string to hash per function: ~20 ms
 * over the bench profile's 20,000 functions).
 */
function printableName(name: string, file: string, line: number, objfile: string): string {
  const where = line !== 0 ? `${file}:${line}` : file !== '' ? file : name === '' ? unnamedNode(objfile) : '';
  if (name === '') return where;
  return where === '' ? name : `${name} ${where}`;
}

/** Last path element, like Go's filepath.Base. */
export function baseName(path: string): string {
  if (path === '') return '.';
  const trimmed = path.replace(/\/+$/, '');
  if (trimmed === '') return '/';
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/** Lexical path cleaning like Go's path.Clean, which pprof applies to source file names. */
export function cleanPath(path: string): string {
  if (path === '') return '';
  const rooted = path.startsWith('/');
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
    } else out.push(part);
  }
  const joined = out.join('/');
  if (rooted) return '/' + joined;
  return joined === '' ? '.' : joined;
}
