import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/model/report.js';
import { escapeMarkdownCell } from '../../src/render/escape.js';
import { runBuiltCli, runCliCaptured } from '../helpers/run-cli.js';

const out = (): string => mkdtempSync(join(tmpdir(), 'heaplens-report-'));

describe('analyze and demo', () => {
  it('demo analyses the bundled example run: leak, with its suspect', async () => {
    const dir = out();
    const r = await runBuiltCli(['demo', '--out', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/operator-sim: leak/);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Report;
    expect(report.schemaVersion).toBe(1);
    expect(report.targets[0]!.verdict.kind).toBe('leak');
    expect(report.targets[0]!.leakSuspects[0]!.stack).toContain('main.recordReconcileHistory');
    const md = readFileSync(join(dir, 'report.md'), 'utf8');
    expect(md).toMatch(/\*\*Verdict: LEAK\.\*\* Memory leaks/);
    expect(md).toMatch(/stale/);
  });

  it('is deterministic: the same run gives a byte-identical report.json', async () => {
    const [a, b] = [out(), out()];
    await runCliCaptured(['analyze', 'test/fixtures/runs/spike', '--out', a, '--format', 'json']);
    await runCliCaptured(['analyze', 'test/fixtures/runs/spike', '--out', b, '--format', 'json']);
    expect(readFileSync(join(a, 'report.json'), 'utf8')).toBe(readFileSync(join(b, 'report.json'), 'utf8'));
  });

  it('--json prints the report and nothing else; plateau is not a leak, spike has its spike phase', async () => {
    const plateau = await runCliCaptured(['analyze', 'test/fixtures/runs/plateau', '--out', out(), '--json']);
    expect((JSON.parse(plateau.stdout) as Report).targets[0]!.verdict).toMatchObject({ kind: 'inconclusive', rule: 'unresolved' });
    const spike = JSON.parse((await runCliCaptured(['analyze', 'test/fixtures/runs/spike', '--out', out(), '--json'])).stdout) as Report;
    expect(spike.targets[0]!.phases.map((p) => p.kind)).toContain('spike');
    expect(spike.targets[0]!.series.every((p, i, s) => i === 0 || p.t > s[i - 1]!.t)).toBe(true);
  });

  it('a directory that holds no run: one line, exit 3', async () => {
    const r = await runBuiltCli(['analyze', out()]);
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/no run here/);
  });

  it('escapes profile names in Markdown tables', () => {
    // The newline shows as \x0a (its backslash escaped, so Markdown prints it).
    expect(escapeMarkdownCell('main.(*T).<script>|x\n`y`')).toBe('main.(\\*T).\\<script\\>\\|x\\\\x0a\\`y\\`');
  });
});

describe('time to the memory limit', () => {
  it('projects a leak against --memory-limit; no projection without a leak', async () => {
    const leak = JSON.parse((await runCliCaptured(['analyze', 'test/fixtures/runs/leak', '--out', out(), '--json', '--memory-limit', '512MiB'])).stdout) as Report;
    const limit = leak.targets[0]!.memoryLimit!;
    expect(limit).toMatchObject({ bytes: 512 * 2 ** 20, source: '--memory-limit' });
    // (limit − RSS now) / slope: RSS ~150 MiB, slope ~2.5 GiB/h → about 9 minutes.
    const expected = (limit.bytes - limit.currentBytes) / leak.targets[0]!.verdict.slopeBytesPerHour;
    expect(limit.timeToLimitHours).toBeCloseTo(expected, 9);
    expect(limit.timeToLimitHours!).toBeGreaterThan(0.05);
    expect(limit.timeToLimitHours!).toBeLessThan(0.5);
    const plateau = JSON.parse((await runCliCaptured(['analyze', 'test/fixtures/runs/plateau', '--out', out(), '--json', '--memory-limit', '512MiB'])).stdout) as Report;
    expect(plateau.targets[0]!.memoryLimit!.timeToLimitHours).toBeNull();
    const none = JSON.parse((await runCliCaptured(['analyze', 'test/fixtures/runs/plateau', '--out', out(), '--json'])).stdout) as Report;
    expect(none.targets[0]!.memoryLimit).toBeNull();
  });
});
