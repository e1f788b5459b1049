// scripts/audit.mjs against a stand-in `npm` on PATH: the three answers the
// advisory service can give (a report, a refusal, garbage) and the strict flag.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const script = resolve('scripts/audit.mjs');

/** Runs audit.mjs with an `npm` that prints `stdout` and exits with `code`. */
function audit(stdout: string, code: number, args: string[] = [], env: Record<string, string> = {}) {
  const bin = mkdtempSync(join(tmpdir(), 'heaplens-audit-'));
  writeFileSync(join(bin, 'out.txt'), stdout);
  writeFileSync(join(bin, 'npm'), `#!/bin/sh\ncat "${join(bin, 'out.txt')}"\nexit ${code}\n`);
  chmodSync(join(bin, 'npm'), 0o755);
  const r = spawnSync(process.execPath, [script, ...args], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, HEAPLENS_AUDIT_STRICT: '', ...env },
  });
  return { code: r.status, out: r.stdout + r.stderr };
}

const refused = JSON.stringify({ message: '405 Method Not Allowed - POST https://registry.example/-/npm/v1/security/advisories/bulk' });
const clean = JSON.stringify({ metadata: { vulnerabilities: { critical: 0, high: 0, moderate: 2, low: 1 } } });
const high = JSON.stringify({ metadata: { vulnerabilities: { critical: 0, high: 1, moderate: 0, low: 0 } } });

describe('scripts/audit.mjs', () => {
  it('passes a clean tree and prints the counts', () => {
    const r = audit(clean, 0);
    expect(r.code).toBe(0);
    expect(r.out).toContain('0 critical, 0 high, 2 moderate, 1 low');
  });

  it('fails on a high advisory', () => {
    expect(audit(high, 1).code).toBe(1);
  });

  it('says plainly that nothing was checked when the endpoint refuses, and names the answer', () => {
    const r = audit(refused, 1);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/NOTHING WAS CHECKED/);
    expect(r.out).toContain('405 Method Not Allowed');
    expect(r.out.trim().split('\n')).toHaveLength(1);
  });

  it('fails when nothing was checked and it is asked to be strict (flag or environment)', () => {
    expect(audit(refused, 1, ['--strict']).code).toBe(1);
    expect(audit(refused, 1, [], { HEAPLENS_AUDIT_STRICT: '1' }).code).toBe(1);
    expect(audit('npm ERR! network unreachable', 1, ['--strict']).out).toMatch(/NOTHING WAS CHECKED.*network unreachable/);
  });

  it('rejects an unknown flag', () => {
    const r = audit(clean, 0, ['--stict']);
    expect(r.code).toBe(2);
    expect(r.out).toContain('--stict');
  });
});
