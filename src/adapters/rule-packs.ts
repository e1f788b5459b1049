import { readYamlFile } from './yaml-file.js';
import type { ComponentRule } from '../analyze/components.js';
import { packageFile } from './package-root.js';

/** A rule file is unreadable or wrong; the message names the file, the entry and the key. */
export class RuleFileError extends Error {
  override readonly name = 'RuleFileError';
}

export const BUILTIN_COMPONENTS = packageFile('rules/components.yaml');

const OPTIMIZABLE = ['yes', 'limited', 'no', 'done'];

/** Reads component rule packs in order (users' first, then the built-in pack): first match wins. */
export function loadComponentRules(userFiles: readonly string[]): ComponentRule[] {
  return [...userFiles, BUILTIN_COMPONENTS].flatMap(readPack);
}

function readPack(path: string): ComponentRule[] {
  const data = readYamlFile(path, RuleFileError).data as { components?: unknown } | null;
  if (!data || !Array.isArray(data.components)) throw new RuleFileError(`${path}: expected a top-level "components:" list`);
  return data.components.map((entry: unknown, i: number): ComponentRule => {
    const where = `${path}: components[${i}]`;
    if (typeof entry !== 'object' || entry === null) throw new RuleFileError(`${where}: expected a mapping with name and match`);
    const e = entry as Record<string, unknown>;
    for (const key of Object.keys(e)) if (!['name', 'match', 'frames', 'by', 'optimizable', 'note'].includes(key)) throw new RuleFileError(`${where}: unknown key "${key}"`);
    if (typeof e.name !== 'string' || e.name === '') throw new RuleFileError(`${where}: "name" must be a non-empty string`);
    if (typeof e.match !== 'string') throw new RuleFileError(`${where} (${e.name}): "match" must be a regular expression string`);
    let match: RegExp;
    try {
      match = new RegExp(e.match);
    } catch (err) {
      throw new RuleFileError(`${where} (${e.name}): "match" is not a valid regular expression (${(err as Error).message})`);
    }
    const frames = e.frames ?? 'any';
    if (frames !== 'any' && frames !== 'leaf') throw new RuleFileError(`${where} (${e.name}): "frames" must be any or leaf`);
    const by = e.by ?? null;
    if (by !== null && by !== 'module') throw new RuleFileError(`${where} (${e.name}): "by" must be module`);
    const optimizable = e.optimizable ?? 'limited';
    if (typeof optimizable !== 'string' || !OPTIMIZABLE.includes(optimizable)) throw new RuleFileError(`${where} (${e.name}): "optimizable" must be one of ${OPTIMIZABLE.join(', ')}`);
    return { name: e.name, match, frames, by, optimizable: optimizable as ComponentRule['optimizable'], note: typeof e.note === 'string' ? e.note : null, source: path };
  });
}
