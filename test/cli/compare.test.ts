import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Comparison } from '../../src/model/comparison.js';
import type { Report } from '../../src/model/report.js';
import type { RunManifest } from '../../src/model/run.js';
import { startFaultServer, type FaultServer } from '../helpers/fault-server.js';
import { commandUntilHeaps } from '../helpers/wait.js';
import { runBuiltCli } from '../helpers/run-cli.js';

/**
 * Runs collected from the example workload (scripts/make-fixtures.mjs): the
 * plateau and leak runs, a second plateau run collected separately, and the
 * OpenAPI-cache pair (plateau mode with --openapi-cache=off, then on).
 */
const PLATEAU = 'test/fixtures/runs/plateau';
const LEAK = 'test/fixtures/runs/leak';
const PLATEAU_B = 'test/fixtures/compare/plateau-b';
const OPENAPI_OFF = 'test/fixtures/compare/openapi-off';
const OPENAPI_ON = 'test/fixtures/compare/openapi-on';
const COMPONENTS = ['--components', 'examples/operator-sim/components.yaml'];
const tmp = (): string => mkdtempSync(join(tmpdir(), 'heaplens-compare-'));

async function compare(...args: string[]): Promise<{ code: number; stdout: string; stderr: string; json: Comparison | null }> {
  const r = await runBuiltCli(['compare', ...args, ...COMPONENTS, '--json']);
  return { ...r, json: r.code <= 1 && r.stdout ? (JSON.parse(r.stdout) as Comparison) : null };
}

async function report(run: string): Promise<Report> {
  const r = await runBuiltCli(['analyze', run, ...COMPONENTS, '--json', '--out', tmp()]);
  return JSON.parse(r.stdout) as Report;
}

const measure = (c: Comparison, name: string) => c.targets[0]!.measures.find((m) => m.measure === name)!;

describe('heaplens compare on runs of the example workload', () => {
  it('plateau → leak: the leak side is flagged (peak heap and a new leak) and the gate fails', async () => {
    const r = await compare(PLATEAU, LEAK, '--gate');
    expect(r.code).toBe(1);
    const c = r.json!;
    const [base, leak] = [await report(PLATEAU), await report(LEAK)];
    const heap = measure(c, 'peakHeapBytes');
    expect(heap).toMatchObject({ significant: true, direction: 'worse' });
    expect(heap.base.mean).toBe(base.targets[0]!.peak.heapInuseBytes);
    expect(heap.new.mean).toBe(leak.targets[0]!.peak.heapInuseBytes);
    expect(heap.delta).toBe(leak.targets[0]!.peak.heapInuseBytes - base.targets[0]!.peak.heapInuseBytes);
    expect(c.targets[0]!.verdictChange).toBe('leak-appeared');
    expect(c.regressions.map((x) => x.what)).toEqual(['peak heap', 'leak']);
    // The functions behind it, as a diff of the two peak profiles.
    expect(c.targets[0]!.functions!.rows[0]).toMatchObject({ name: 'main.deepCopyJSON', base: 0 });
    // The base's success targets are not met by a leaking run.
    expect(c.targets[0]!.successTargets.find((s) => s.metric === 'peakHeapBytes')).toMatchObject({ met: false });
    // Without --gate the same comparison exits 0.
    expect((await compare(PLATEAU, LEAK)).code).toBe(0);
  });

  it('plateau → a second, separate plateau run: no significant change, the gate passes', async () => {
    const r = await compare(PLATEAU, PLATEAU_B, '--gate');
    expect(r.code).toBe(0);
    const c = r.json!;
    expect(c.regressions).toEqual([]);
    for (const name of ['peakHeapBytes', 'peakRssBytes', 'overheadBytes', 'steadySlopeBytesPerHour']) expect(measure(c, name).significant, name).toBe(false);
    expect(c.targets[0]!.verdictChange).toBeNull();
  });

  it('OpenAPI cache off → on: the OpenAPI component shrinks, by the bytes the two reports hold', async () => {
    const r = await compare(OPENAPI_OFF, OPENAPI_ON, '--gate');
    expect(r.code).toBe(0);
    const t = r.json!.targets[0]!;
    const [off, on] = [await report(OPENAPI_OFF), await report(OPENAPI_ON)];
    const bytes = (rep: Report): number => rep.targets[0]!.components.find((x) => x.name === 'OpenAPI schemas & discovery')!.bytes;
    const openapi = t.components.find((x) => x.name === 'OpenAPI schemas & discovery')!;
    expect(openapi).toMatchObject({ base: bytes(off), new: bytes(on), delta: bytes(on) - bytes(off) });
    expect(openapi.delta).toBeLessThan(0);
    // The largest component change of the pair is the OpenAPI one, and the peak heap is significantly lower.
    expect(t.components[0]!.name).toBe('OpenAPI schemas & discovery');
    expect(measure(r.json!, 'peakHeapBytes')).toMatchObject({ significant: true, direction: 'better' });
    expect(t.functions!.rows.some((x) => x.name.startsWith('main.(*openAPISchemas)') || x.name.startsWith('encoding/json'))).toBe(true);
  });

  it('function deltas equal heaplens diff (go tool pprof -diff_base semantics) on the two peak profiles', async () => {
    const c = (await compare(PLATEAU, LEAK)).json!;
    const peakFile = (run: string, index: number): string => {
      const m = JSON.parse(readFileSync(join(run, 'run.json'), 'utf8')) as RunManifest;
      return join(run, m.snapshots.find((s) => s.kind === 'heap' && s.index === index && s.status === 'ok')!.file!);
    };
    const [base, leak] = [await report(PLATEAU), await report(LEAK)];
    const diff = await runBuiltCli(['diff', peakFile(PLATEAU, base.targets[0]!.peak.heapSnapshot), peakFile(LEAK, leak.targets[0]!.peak.heapSnapshot), '--json', '--nodefraction', '0']);
    const flat = new Map((JSON.parse(diff.stdout) as { rows: { name: string; flat: number }[] }).rows.map((x) => [x.name, x.flat]));
    const rows = c.targets[0]!.functions!.rows;
    expect(rows.length).toBeGreaterThan(5);
    for (const row of rows) expect(row.delta, row.name).toBe(flat.get(row.name) ?? 0);
  });

  it('--normalize scales the base to the new total first', async () => {
    const f = (await compare(PLATEAU, LEAK, '--normalize')).json!.targets[0]!.functions!;
    expect(f.normalized).toBe(true);
    expect(f.baseTotal).toBe(f.newTotal);
  });

  it('repeated runs: each side gets its mean and spread, and the noise grows with the spread', async () => {
    const c = (await compare('--base', PLATEAU, '--base', OPENAPI_ON, '--new', PLATEAU_B, '--new', OPENAPI_ON)).json!;
    const heap = measure(c, 'peakHeapBytes');
    const [a, b] = [await report(PLATEAU), await report(OPENAPI_ON)];
    const values = [a.targets[0]!.peak.heapInuseBytes, b.targets[0]!.peak.heapInuseBytes];
    expect(heap.base).toMatchObject({ n: 2, values, mean: (values[0]! + values[1]!) / 2, min: Math.min(...values), max: Math.max(...values) });
    expect(heap.base.sd).toBeCloseTo(Math.abs(values[0]! - values[1]!) / Math.SQRT2, 6);
    expect(heap.significant).toBe(false);
    expect(c.base.runs).toEqual([PLATEAU, OPENAPI_ON]);
    expect(c.rule).toMatch(/2·√\(σ_base²\/n_base \+ σ_new²\/n_new\)/);
  });

  it('a report.json is a side too; next to its run directory it still gives function deltas', async () => {
    const dir = join(tmp(), 'run');
    cpSync(PLATEAU, dir, { recursive: true });
    expect((await runBuiltCli(['analyze', dir, ...COMPONENTS])).code).toBe(0);
    const inRun = (await compare(join(dir, 'report.json'), LEAK)).json!;
    expect(inRun.targets[0]!.functions).not.toBeNull();
    const away = join(tmp(), 'report.json');
    writeFileSync(away, readFileSync(join(dir, 'report.json')));
    const alone = (await compare(away, LEAK)).json!;
    expect(alone.targets[0]!.functions).toBeNull();
    expect(alone.targets[0]!.functionsNote).toMatch(/peak profiles not available/);
    expect(measure(alone, 'peakHeapBytes').delta).toBe(measure(inRun, 'peakHeapBytes').delta);
  });

  it('writes compare.md and compare.json with --out', async () => {
    const out = tmp();
    const r = await runBuiltCli(['compare', PLATEAU, LEAK, ...COMPONENTS, '--out', out]);
    expect(r.code).toBe(0);
    const md = readFileSync(join(out, 'compare.md'), 'utf8');
    expect(md).toContain('| Peak heap |');
    expect(md).toContain('**a leak appeared**');
    expect(md).toContain('### Components at the peak');
    expect(JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8'))).toMatchObject({ schemaVersion: 1, maxRegression: 0.1 });
  });

  it('writes compare.html: the same tables as compare.md, as a page that runs no script', async () => {
    const out = tmp();
    const r = await runBuiltCli(['compare', OPENAPI_OFF, OPENAPI_ON, ...COMPONENTS, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`wrote ${join(out, 'compare.html')}`);
    const html = readFileSync(join(out, 'compare.html'), 'utf8');
    const c = JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8')) as Comparison;
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain(`content="default-src &#39;none&#39;; script-src &#39;none&#39;;`);
    // Every table cell of compare.md's tables is in the page (as text: & < > " ' escaped the same way).
    const md = readFileSync(join(out, 'compare.md'), 'utf8');
    const lines = md.split('\n');
    // Data rows only: not a header (the line before a |---| line), not the delimiter, not the verdict row (worded differently).
    const rows = lines.filter((l, i) => l.startsWith('| ') && !lines[i + 1]?.startsWith('|---') && !l.startsWith('| Verdict'));
    const cells = rows.flatMap((l) => l.slice(2, -2).split(' | '));
    expect(cells.length).toBeGreaterThan(50);
    const text = html.replace(/<[^>]*>/g, '|').replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
    for (const cell of cells.map((x) => x.replace(/\*\*/g, '').replace(/\\([*_<>|`#[\]])/g, '$1'))) if (cell.trim() !== '') expect(text).toContain(`|${cell}|`);
    // The OpenAPI component's row and bars: base and new on one scale.
    const openapi = c.targets[0]!.components.find((x) => x.name === 'OpenAPI schemas & discovery')!;
    expect(html).toContain(`aria-label="base ${(openapi.base / 2 ** 20).toFixed(1)} MiB, new ${(openapi.new / 2 ** 20).toFixed(1)} MiB"`);
    expect(html).toContain(c.regressions.length === 0 ? 'NO SIGNIFICANT REGRESSION' : 'SIGNIFICANT REGRESSION');
  });

  it.each([
    [['compare', PLATEAU], 2, /compare needs a base and a new side/],
    [['compare', PLATEAU, '/nonexistent/run'], 3, /\/nonexistent\/run: no such run directory or report.json/],
    [['compare', PLATEAU, 'package.json'], 3, /package\.json: not a heaplens report\.json/],
    [['compare', PLATEAU, LEAK, '--max-regression', 'lots'], 2, /--max-regression: expected a fraction or a percentage/],
  ])('bad input %j: exit %i, one line', async (args, code, message) => {
    const r = await runBuiltCli(args);
    expect(r.code).toBe(code);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });
});

describe('heaplens check --budget', () => {
  const budget = (text: string): string => {
    const p = join(tmp(), 'budget.yaml');
    writeFileSync(p, text);
    return p;
  };

  it('passes a budget the run keeps', async () => {
    const r = await runBuiltCli(['check', PLATEAU, '--budget', budget('maxPeakHeap: 120MiB\nmaxPeakRss: 200MB\nmaxSteadyGrowthPerHour: 1GiB\nleak: forbid\nforbiddenAlerts: [MemoryPeak]\n')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/budget met: 1 target/);
  });

  it('prints one line per violation (target, rule, limit, actual) and exits 1', async () => {
    const rep = await report(LEAK);
    const t = rep.targets[0]!;
    const r = await runBuiltCli(['check', LEAK, '--budget', budget('maxPeakHeap: 10MiB\nmaxPeakRss: 20MiB\nleak: forbid\n')]);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toEqual([
      `operator-sim: maxPeakHeap: limit 10.0 MiB, actual ${(t.peak.heapInuseBytes / 2 ** 20).toFixed(1)} MiB at snapshot ${t.peak.heapSnapshot}`,
      `operator-sim: maxPeakRss: limit 20.0 MiB, actual ${(t.peak.rssBytes! / 2 ** 20).toFixed(1)} MiB`,
      expect.stringMatching(/^operator-sim: leak: limit forbid, actual leak: the heap grows steadily/),
    ]);
    expect(r.stdout).not.toContain('::error');
  });

  it('per-target rules override the top level; a budget naming a target the run lacks is a violation', async () => {
    const ok = await runBuiltCli(['check', LEAK, '--budget', budget('maxPeakHeap: 10MiB\nleak: forbid\ntargets:\n  operator-sim: { maxPeakHeap: 1GiB, leak: allow }\n')]);
    expect(ok.code, ok.stderr).toBe(0);
    const missing = await runBuiltCli(['check', LEAK, '--budget', budget('targets:\n  catalogd: { maxPeakHeap: 80MiB }\n')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe('catalogd: target: limit present in the run, actual not in the run (targets: operator-sim)');
  });

  it('forbidden alerts that fired are violations', async () => {
    const dir = tmp();
    const alerts = join(dir, 'alerts.yaml');
    writeFileSync(alerts, 'groups:\n  - name: g\n    rules:\n      - alert: MemoryGrowth\n        expr: deriv(process_resident_memory_bytes[30s]) > 100000\n        for: 10s\n');
    const r = await runBuiltCli(['check', LEAK, '--alerts', alerts, '--budget', budget('forbiddenAlerts: [MemoryGrowth, MemoryPeak]\n')]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/^operator-sim: forbiddenAlerts: limit MemoryGrowth, actual fired at \+\d+s$/);
  });

  it('in GitHub Actions, violations are also ::error annotations', async () => {
    const r = await runBuiltCli(['check', LEAK, '--budget', budget('maxPeakHeap: 10MiB\n')], { ...process.env, GITHUB_ACTIONS: 'true' });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^::error title=heaplens budget \(.*budget\.yaml\)::operator-sim: maxPeakHeap: limit 10\.0 MiB, actual .* MiB at snapshot \d+$/m);
  });

  it('checks a report.json as well as a run directory', async () => {
    const file = join(tmp(), 'report.json');
    writeFileSync(file, JSON.stringify(await report(LEAK)));
    const r = await runBuiltCli(['check', file, '--budget', budget('leak: forbid\n')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/operator-sim: leak: limit forbid/);
  });

  it.each([
    ['maxPeakHeap: 120MiB\nmaxPeakHaep: 1GiB\n', /budget\.yaml:2: unknown key "maxPeakHaep"/],
    ['maxPeakHeap: lots\n', /budget\.yaml:1: maxPeakHeap: expected a size such as 120MiB or 1GB, got "lots"/],
    ['leak: never\n', /budget\.yaml:1: leak: expected forbid or allow, got "never"/],
    ['targets:\n  a:\n    maxPeakRss: -5MB\n', /budget\.yaml:3: maxPeakRss: expected a size/],
    ['forbiddenAlerts: MemoryGrowth\n', /budget\.yaml:1: forbiddenAlerts: expected a list of alert names/],
    ['maxPeakHeap: [\n', /budget\.yaml:\d+: not valid YAML/],
  ])('a bad budget file is exit 2 with file, line and key (%#)', async (text, message) => {
    const r = await runBuiltCli(['check', PLATEAU, '--budget', budget(text)]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });
});

describe('heaplens run --budget -- CMD', () => {
  let target: FaultServer;
  beforeAll(async () => {
    target = await startFaultServer();
  });
  afterAll(async () => {
    await target.close();
  });
  /** `heaplens run` with a budget; the command comes from the run directory (so it can wait on its snapshots). */
  const run = (budgetText: string, command: (runDir: string) => string[]) => {
    const dir = tmp();
    const b = join(dir, 'budget.yaml');
    writeFileSync(b, budgetText);
    return runBuiltCli(['run', '--target', `sim=${target.url}`, '--out', join(dir, 'run'), '--interval', '200ms', '--quiet', '--budget', b, '--', ...command(join(dir, 'run'))]);
  };
  const afterTwoSnapshots = (exitCode = 0) => (runDir: string) => commandUntilHeaps(runDir, 2, exitCode);

  it('applies the budget after the analysis: exit 1 on a violation when the command succeeded', async () => {
    const r = await run('maxPeakHeap: 1KiB\n', afterTwoSnapshots());
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^sim: maxPeakHeap: limit 0\.0 MiB, actual/m);
    expect((await run('maxPeakHeap: 1GiB\n', afterTwoSnapshots())).code).toBe(0);
  });

  it("the command's failure wins over the budget's", async () => {
    expect((await run('maxPeakHeap: 1KiB\n', afterTwoSnapshots(5))).code).toBe(5);
  });

  it('a bad budget stops before the command runs', async () => {
    const dir = tmp();
    const r = await run('maxPeakHeap: soon\n', () => ['touch', join(dir, 'ran')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/maxPeakHeap: expected a size/);
    expect(existsSync(join(dir, 'ran'))).toBe(false);
  });

  it('writes report.html with the other reports, and appends the step summary ($GITHUB_STEP_SUMMARY)', async () => {
    const dir = tmp();
    const summary = join(dir, 'summary.md');
    const env = { ...process.env, GITHUB_STEP_SUMMARY: summary };
    const r = await runBuiltCli(['run', '--target', `sim=${target.url}`, '--out', join(dir, 'run'), '--interval', '200ms', '--github-summary', '--', ...commandUntilHeaps(join(dir, 'run'), 2)], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`report: ${join(dir, 'run', 'report.html')} (and report.md, report.json)`);
    for (const f of ['report.html', 'report.md', 'report.json']) expect(existsSync(join(dir, 'run', f)), f).toBe(true);
    expect(readFileSync(summary, 'utf8')).toMatch(/^### heaplens: run\n\n\| Target \| Verdict /);
    // Without a file or the variable: refused before the command runs.
    const unset = { ...process.env };
    delete unset.GITHUB_STEP_SUMMARY;
    const bad = await runBuiltCli(['run', '--target', `sim=${target.url}`, '--out', join(dir, 'run2'), '--github-summary', '--', 'touch', join(dir, 'ran')], unset);
    expect(bad.code).toBe(2);
    expect(existsSync(join(dir, 'ran'))).toBe(false);
  });
});
