// The labelled verdict benchmark's captured runs, stored small: each run
// directory is one `<case>.tar.br` (a tar compressed with Brotli), its heap
// profiles stored decompressed so that what consecutive profiles share (most
// of it) compresses once: ~5x smaller than the directory. Unpacking gzips
// them again, so the run directory is as `heaplens collect` wrote it, to the
// profile bytes (only the gzip framing differs).
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { brotliCompressSync, brotliDecompressSync, constants, gunzipSync, gzipSync } from 'node:zlib';
import tar from 'tar-stream';

/** Packs the run directory `dir` into `file` (written atomically). */
export async function packRun(dir, file) {
  const pack = tar.pack();
  const chunks = [];
  pack.on('data', (c) => chunks.push(c));
  const done = new Promise((resolve, reject) => {
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  const walk = (d, rel) => {
    for (const name of readdirSync(d).sort()) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path, `${rel}${name}/`);
      else if (name.endsWith('.pb.gz')) pack.entry({ name: `${rel}${name.slice(0, -3)}`, mtime: new Date(0) }, gunzipSync(readFileSync(path)));
      else pack.entry({ name: `${rel}${name}`, mtime: new Date(0) }, readFileSync(path));
    }
  };
  walk(dir, '');
  pack.finalize();
  await done;
  const tarBytes = Buffer.concat(chunks);
  const packed = brotliCompressSync(tarBytes, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_LGWIN]: 24, [constants.BROTLI_PARAM_SIZE_HINT]: tarBytes.length },
  });
  writeFileSync(`${file}.tmp`, packed);
  renameSync(`${file}.tmp`, file);
}

/** Unpacks `file` (see packRun) into the directory `dir`, profiles gzipped again. */
export async function unpackRun(file, dir) {
  const extract = tar.extract();
  Readable.from([brotliDecompressSync(readFileSync(file))]).pipe(extract);
  for await (const entry of extract) {
    const parts = [];
    for await (const c of entry) parts.push(c);
    const body = Buffer.concat(parts);
    const isProfile = entry.header.name.endsWith('.pb');
    const path = join(dir, isProfile ? `${entry.header.name}.gz` : entry.header.name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, isProfile ? gzipSync(body) : body);
  }
}

/** Unpacks every `<case>.tar.br` of `from` into `<to>/<case>/`; returns the case names. */
export async function unpackRuns(from, to) {
  const names = readdirSync(from).filter((f) => f.endsWith('.tar.br')).map((f) => f.slice(0, -'.tar.br'.length)).sort();
  for (const name of names) await unpackRun(join(from, `${name}.tar.br`), join(to, name));
  return names;
}

