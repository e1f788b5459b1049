import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, isNode } from 'yaml';

/** A YAML input file is unreadable or wrong; the message names the file, the line and the key. */
export class YamlFileError extends Error {
  override readonly name = 'YamlFileError';
}

export interface YamlFile {
  readonly path: string;
  readonly data: unknown;
  /** "path:line" of the node at a key path (the file alone when it has none). */
  where(keys: readonly (string | number)[]): string;
}

/** Reads and parses a YAML file; errors name the file and line. */
export function readYamlFile(path: string, ErrorClass: new (message: string) => Error = YamlFileError): YamlFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ErrorClass(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const err = doc.errors[0]!;
    throw new ErrorClass(`${path}:${err.linePos?.[0]?.line ?? '?'}: not valid YAML (${err.message.split('\n')[0]})`);
  }
  return {
    path,
    data: doc.toJS({ maxAliasCount: 100 }) as unknown,
    where(keys) {
      // The deepest node that exists along the path.
      for (let n = keys.length; n >= 0; n--) {
        const node = doc.getIn(keys.slice(0, n), true);
        if (isNode(node) && node.range) return `${path}:${lines.linePos(node.range[0]).line}`;
      }
      return path;
    },
  };
}
