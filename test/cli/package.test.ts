import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

describe('the npm package', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string>; bin: Record<string, string>; dependencies: Record<string, string> };

  it('ships no install scripts', () => {
    for (const hook of ['preinstall', 'install', 'postinstall', 'prepare', 'prepublish', 'preprepare', 'postprepare']) expect(pkg.scripts[hook], hook).toBeUndefined();
  });

  it('has no runtime dependency with install scripts (the lock file records them)', () => {
    const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, { dev?: boolean; hasInstallScript?: boolean }> };
    const offenders = Object.entries(lock.packages).filter(([name, p]) => name !== '' && !p.dev && p.hasInstallScript);
    expect(offenders.map(([name]) => name)).toEqual([]);
    // Each runtime dependency is chosen on purpose (README): a new one must be added here knowingly.
    expect(Object.keys(pkg.dependencies).sort()).toEqual(['@kubernetes/client-node', 'commander', 'yaml']);
  });
});
