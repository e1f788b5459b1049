import { describe, expect, it } from 'vitest';
import { runCliCaptured } from '../helpers/run-cli.js';

const HOSTILE = 'test/fixtures/synthetic/hostile.pb.gz';

describe('top on a profile with hostile function names', () => {
  it('prints no control characters or bidi overrides, and shows them escaped', async () => {
    const r = await runCliCaptured(['top', HOSTILE, '--nodefraction', '0']);
    expect(r.code).toBe(0);
    // eslint-disable-next-line no-control-regex
    expect(r.stdout).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]/);
    expect(r.stdout).toContain('main.evil\\x1b[2J\\x1b[31mRED\\x07');
    expect(r.stdout).toContain('main.bidi\\u202egnp.exe');
    expect(r.stdout).toContain('main.newline\\x0aSecond line');
    // One row per node: a newline in a name does not start a fake row.
    const rows = r.stdout.split('\n').filter((l) => /^\s+\S+\s+\S+%/.test(l));
    expect(rows.some((l) => l.startsWith('Second line'))).toBe(false);
  });

  it('keeps names exact in --json (JSON escapes them)', async () => {
    const r = await runCliCaptured(['top', HOSTILE, '--nodefraction', '0', '--json']);
    const names = (JSON.parse(r.stdout) as { rows: { name: string }[] }).rows.map((row) => row.name);
    expect(names).toContain('main.evil\x1b[2J\x1b[31mRED\x07');
    expect(names).toContain('main.(*Server).<script>alert(1)</script>');
  });
});

describe('top and diff options', () => {
  const BASE = 'test/fixtures/runs/leak/operator-sim/heap-000005.pb.gz';
  const LATER = 'test/fixtures/runs/leak/operator-sim/heap-000030.pb.gz';

  it('the leak grows in the function that retains it: diff names main.recordReconcileHistory', async () => {
    const r = await runCliCaptured(['diff', BASE, LATER, '--json']);
    const json = JSON.parse(r.stdout) as { total: number; rows: { name: string; flat: number; cum: number }[] };
    const leak = json.rows.find((row) => row.name === 'main.recordReconcileHistory');
    expect(leak).toBeDefined();
    expect(leak!.cum).toBeGreaterThan(0);
    // diff is the same as the later profile minus the base, node by node.
    const later = JSON.parse((await runCliCaptured(['top', LATER, '--json', '--nodefraction', '0'])).stdout) as { rows: { name: string; cum: number }[] };
    const base = JSON.parse((await runCliCaptured(['top', BASE, '--json', '--nodefraction', '0'])).stdout) as { rows: { name: string; cum: number }[] };
    const cumOf = (rows: { name: string; cum: number }[]): number => rows.find((row) => row.name === 'main.recordReconcileHistory')?.cum ?? 0;
    expect(leak!.cum).toBe(cumOf(later.rows) - cumOf(base.rows));
  });

  it('selects sample types by name or index, and reports the default', async () => {
    const byName = JSON.parse((await runCliCaptured(['top', LATER, '--json', '--sample-index', 'inuse_objects'])).stdout) as { sampleType: string; unit: string };
    expect(byName).toMatchObject({ sampleType: 'inuse_objects', unit: 'count' });
    const byIndex = JSON.parse((await runCliCaptured(['top', LATER, '--json', '--sample-index', '1'])).stdout) as { sampleType: string };
    expect(byIndex.sampleType).toBe('alloc_space');
    const allocs = JSON.parse((await runCliCaptured(['top', 'test/fixtures/profiles/allocs.pb.gz', '--json'])).stdout) as { sampleType: string };
    expect(allocs.sampleType).toBe('alloc_space'); // the allocs profile's own default_sample_type
  });
});
