import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRunInput } from '../../src/adapters/analyze-dir.js';
import { RuleFileError, loadComponentRules } from '../../src/adapters/rule-packs.js';
import { analyzeRun } from '../../src/analyze/analyze-run.js';
import { classifySamples, moduleOf } from '../../src/analyze/components.js';
import { readProfileFile } from '../../src/adapters/profile-file.js';
import { fixtureProfiles } from '../helpers/fixtures.js';
import { runBuiltCli } from '../helpers/run-cli.js';

const EXAMPLE_PACK = 'examples/operator-sim/components.yaml';

describe('memory breakdown by component', () => {
  it('counts every byte once: components add up to the heap at every snapshot', async () => {
    const report = analyzeRun(await loadRunInput('test/fixtures/runs/leak', [EXAMPLE_PACK]));
    const t = report.targets[0]!;
    t.componentsOverTime.forEach((c, i) => {
      expect(Object.values(c.bytes).reduce((a, b) => a + b, 0)).toBe(t.series[i]!.heapInuseBytes);
    });
    expect(t.components.reduce((a, c) => a + c.share, 0)).toBeCloseTo(1, 12);
  });

  it('leak: the reconcile history is the largest component at the peak', async () => {
    const t = analyzeRun(await loadRunInput('test/fixtures/runs/leak', [EXAMPLE_PACK])).targets[0]!;
    expect(t.components[0]!.name).toBe('Reconcile history');
    expect(t.components[0]!.share).toBeGreaterThan(0.5);
  });

  it('rule order decides: the user pack names informer lists, the built-in pack alone calls them JSON decoding', async () => {
    const withPack = analyzeRun(await loadRunInput('test/fixtures/runs/plateau', [EXAMPLE_PACK])).targets[0]!;
    const builtIn = analyzeRun(await loadRunInput('test/fixtures/runs/plateau')).targets[0]!;
    expect(withPack.components.map((c) => c.name)).toContain('Informer lists (initial sync)');
    expect(builtIn.components.map((c) => c.name)).not.toContain('Informer lists (initial sync)');
    expect(builtIn.components[0]!.name).toBe('JSON decoding');
  });
});

describe('rule packs: errors name the file, the entry and the key', () => {
  const pack = (text: string): string => {
    const path = join(mkdtempSync(join(tmpdir(), 'heaplens-rules-')), 'pack.yaml');
    writeFileSync(path, text);
    return path;
  };
  it.each([
    ['components: [', /pack\.yaml:\d+: not valid YAML/],
    ['rules: []', /expected a top-level "components:" list/],
    ['components:\n  - name: A\n    match: "("', /components\[0\] \(A\): "match" is not a valid regular expression/],
    ['components:\n  - name: A\n    match: x\n    colour: red', /components\[0\]: unknown key "colour"/],
    ['components:\n  - name: A\n    match: x\n    frames: some', /"frames" must be any or leaf/],
  ])('%j', (text, message) => {
    expect(() => loadComponentRules([pack(text)])).toThrow(RuleFileError);
    expect(() => loadComponentRules([pack(text)])).toThrow(message);
  });

  it('analyze with a bad pack: one line, exit 3', async () => {
    const r = await runBuiltCli(['analyze', 'test/fixtures/runs/plateau', '--out', mkdtempSync(join(tmpdir(), 'x-')), '--components', pack('components: 3')]);
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('root causes', () => {
  it('names the call paths of the largest components and what grew, from the data', async () => {
    const t = analyzeRun(await loadRunInput('test/fixtures/runs/leak', [EXAMPLE_PACK])).targets[0]!;
    const history = t.rootCauses.find((r) => r.component === 'Reconcile history')!;
    expect(history.paths[0]!.stack.slice(0, 2)).toEqual(['main.deepCopyJSON', 'main.recordReconcileHistory']);
    const watch = t.rootCauses.find((r) => r.component === 'Informer watch & cache')!;
    // JSON decoder frames, then the elided middle, then the informer's own frame.
    expect(watch.paths[0]!.stack).toContain('…');
    expect(watch.paths[0]!.stack).toContain('main.(*informerCache).watchEvent');
    // Paths never add up to more than their component.
    for (const rc of t.rootCauses) expect(rc.paths.reduce((a, p) => a + p.bytes, 0)).toBeLessThanOrEqual(rc.bytes);
    expect(t.growth!.contributors[0]!.function).toBe('main.deepCopyJSON');
    expect(t.growth!.toIndex).toBe(t.peak.heapSnapshot);
  });
});

describe('components by module', () => {
  it('names the module of a function', () => {
    expect(moduleOf('main.deepCopyJSON')).toBe('main');
    expect(moduleOf('github.com/org/repo/pkg/sub.(*T).F')).toBe('github.com/org/repo');
    expect(moduleOf('golang.org/x/net/http2.(*Framer).ReadFrame')).toBe('golang.org/x/net');
    expect(moduleOf('k8s.io/client-go/tools/cache.(*Reflector).list')).toBe('k8s.io/client-go');
    expect(moduleOf('sigs.k8s.io/controller-runtime/pkg/cache.New')).toBe('sigs.k8s.io/controller-runtime');
  });

  it('the built-in pack splits code no rule names by module', async () => {
    const t = analyzeRun(await loadRunInput('test/fixtures/runs/spike')).targets[0]!;
    expect(t.components.map((c) => c.name)).toContain('Module: main');
  });
});

describe('classification: the one-pass bitmask path equals the rule-by-rule reference', () => {
  it('on every fixture profile, with the built-in pack and with the example pack first', async () => {
    const packs = [loadComponentRules([]), loadComponentRules(['examples/operator-sim/components.yaml'])];
    const files = fixtureProfiles();
    expect(files.length).toBeGreaterThan(700);
    for (const path of files) {
      const profile = await readProfileFile(path, { labels: false });
      for (const rules of packs) {
        const fast = classifySamples(profile, rules);
        const reference = classifySamples(profile, rules, { reference: true });
        expect(Array.from(fast.rule), path).toEqual(Array.from(reference.rule));
        expect(fast.name, path).toEqual(reference.name);
      }
    }
  }, 120_000);
});
