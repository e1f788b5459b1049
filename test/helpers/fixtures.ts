import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

/** Every committed fixture profile (example-workload runs and synthetic ones), as paths. */
export function fixtureProfiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.pb.gz')) out.push(p);
    }
  };
  walk('test/fixtures/runs');
  walk('test/fixtures/synthetic');
  walk('test/fixtures/profiles');
  return out.sort();
}

export function rawProfile(path: string): Uint8Array {
  return gunzipSync(readFileSync(path));
}
