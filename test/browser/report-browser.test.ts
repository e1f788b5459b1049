import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, launchChromium, openPage, screenshot } from '../helpers/browser.js';
import { HOSTILE_NAMES, hostileRun } from '../helpers/hostile-run.js';
import { runBuiltCli } from '../helpers/run-cli.js';
import { hasTool } from '../helpers/tools.js';
import { startWorkload } from '../helpers/workload.js';

/**
 * report.html in a real Chromium (Debian's, headless): for every example
 * run the page draws its charts and flame graphs without a console error or
 * a network request, the flame graphs zoom on click and highlight on
 * search, and a profile full of hostile names runs no script of its own.
 * Screenshots go to test-artifacts/browser/.
 */
const haveChromium = hasTool(CHROMIUM, ['--version']);
const RUNS = ['leak', 'plateau', 'spike', 'sawtooth'];

async function report(run: string, extra: string[] = []): Promise<string> {
  const out = mkdtempSync(join(tmpdir(), 'heaplens-html-'));
  const r = await runBuiltCli(['analyze', run, '--out', out, '--format', 'html,json', ...extra]);
  expect(r.code, r.stderr).toBe(0);
  return join(out, 'report.html');
}

/** Painted pixels of a chart's canvas: a drawn chart has thousands. */
async function paintedPixels(page: Page, chart: string): Promise<number> {
  return page.evaluate((selector) => {
    const canvas = document.querySelector<HTMLCanvasElement>(`${selector} canvas`);
    if (!canvas) return -1;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
    return n;
  }, chart);
}

interface FrameBox {
  node: string;
  text: string;
  width: string;
}

async function frames(page: Page, flame: string): Promise<FrameBox[]> {
  return page.$$eval(`[data-flame="${flame}"] .frame`, (els) => els.map((e) => ({ node: (e as HTMLElement).dataset.node!, text: e.textContent!, width: (e as HTMLElement).style.width })));
}

/** Clicks the widest frame below the root that is narrower than the whole graph, and checks the zoom; Escape zooms out. */
async function checkZoom(page: Page, flame: string): Promise<void> {
  const host = page.locator(`[data-flame="${flame}"]`);
  const before = await frames(page, flame);
  const target = before.filter((f) => f.node !== '0' && parseFloat(f.width) < 99).sort((a, b) => parseFloat(b.width) - parseFloat(a.width))[0]!;
  expect(target, 'a frame to zoom into').toBeDefined();
  await host.locator(`.frame[data-node="${target.node}"]`).click();
  expect(await host.getAttribute('data-zoom')).toBe(target.text);
  const after = await frames(page, flame);
  expect(parseFloat(after.find((f) => f.node === target.node)!.width)).toBeCloseTo(100, 3);
  // Frames outside the zoomed subtree (but not its callers) are gone.
  expect(after.length).toBeLessThanOrEqual(before.length);
  await host.press('Escape');
  expect(await host.getAttribute('data-zoom')).toBe('');
}

/** Types a function name into the search box: the frames named so are highlighted, and only they. */
async function checkSearch(page: Page, flame: string, query: string, expected: (name: string) => boolean): Promise<number> {
  const host = page.locator(`[data-flame="${flame}"]`);
  await host.locator('.flame-search').fill(query);
  const all = await frames(page, flame);
  const marked = await page.$$eval(`[data-flame="${flame}"] .frame.match`, (els) => els.map((e) => e.textContent!));
  expect(marked.length).toBeGreaterThan(0);
  expect(marked.every(expected)).toBe(true);
  expect(all.filter((f) => expected(f.text)).length).toBe(marked.length);
  expect(Number(await host.getAttribute('data-matches'))).toBeGreaterThanOrEqual(marked.length);
  await host.locator('.flame-search').fill('');
  expect(await page.$$eval(`[data-flame="${flame}"] .frame.match`, (els) => els.length)).toBe(0);
  return marked.length;
}

describe.runIf(haveChromium)('report.html in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it.each(RUNS)('%s run: charts drawn, flame graphs zoom and search, no errors, no requests', async (name) => {
    const file = await report(`test/fixtures/runs/${name}`);
    const json = JSON.parse(readFileSync(join(file, '..', 'report.json'), 'utf8')) as { targets: { peak: { heapInuseBytes: number }; staleSnapshots: number; series: unknown[]; phases: { kind: string }[] }[] };
    const t = json.targets[0]!;
    const { page, problems } = await openPage(browser, file);
    await page.waitForSelector('body[data-ready="true"]');
    // What the memory chart drew, as it tells screen readers: every snapshot, the stale ones, the phases.
    const label = (await page.locator('[data-chart="memory"]').getAttribute('aria-label'))!;
    expect(label).toContain(`Heap in use and RSS over ${t.series.length} snapshots (${t.staleSnapshots} stale); phases: ${t.phases.map((p) => p.kind).join(', ')};`);
    for (const chart of ['memory', 'rate', 'components']) expect(await paintedPixels(page, `[data-chart="${chart}"]`), chart).toBeGreaterThan(5000);
    // Hovering the memory chart shows the values at the cursor in the legend.
    const over = page.locator('[data-chart="memory"] .u-over');
    const box = (await over.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2);
    const legend = await page.locator('[data-chart="memory"] .u-legend').innerText();
    expect(legend).toMatch(/heap in use:?\s*[\d.]+ (MiB|KiB)/);
    // The flame graph's root is the peak profile's total (checked against top elsewhere), shown as such.
    const status = await page.locator('[data-flame="peak"] .flame-status').innerText();
    expect(status).toBe(`${(t.peak.heapInuseBytes / 2 ** 20).toFixed(1)} MiB in all`);
    await checkZoom(page, 'peak');
    await checkZoom(page, 'diff');
    await checkSearch(page, 'peak', 'encoding/json', (n) => /encoding\/json/i.test(n));
    // Hover a frame: the tooltip names it with its bytes and share.
    const frame = page.locator('[data-flame="peak"] .frame[data-node="1"]');
    await frame.hover();
    const tip = await page.locator('[data-flame="peak"] .flame-tip').innerText();
    expect(tip).toContain(await frame.innerText());
    expect(tip).toMatch(/% of all/);
    // The diff graph switches its widths to the base profile and back.
    const side = page.locator('[data-flame="diff"] .flame-side');
    await side.click();
    expect(await side.innerText()).toBe('Widths: base profile');
    await side.click();
    await screenshot(page, `report-${name}`);
    expect(problems).toEqual({ console: [], dialogs: [], requests: [] });
    await page.close();
  });

  it('fired alerts are marked on the memory chart at their first firing', async () => {
    const rules = join(mkdtempSync(join(tmpdir(), 'heaplens-rules-')), 'rules.yaml');
    writeFileSync(rules, 'groups:\n- name: t\n  rules:\n  - alert: HeapAbove30MB\n    expr: heaplens_heap_inuse_bytes > 30000000\n    for: 5s\n');
    const file = await report('test/fixtures/runs/leak', ['--alerts', rules]);
    const json = JSON.parse(readFileSync(join(file, '..', 'report.json'), 'utf8')) as { targets: { series: { t: number }[]; alerts: { name: string; firstFiredAt: number }[] }[] };
    const t = json.targets[0]!;
    const firedAt = Math.round((t.alerts[0]!.firstFiredAt - t.series[0]!.t) / 1000);
    const { page, problems } = await openPage(browser, file);
    await page.waitForSelector('body[data-ready="true"]');
    const label = await page.locator('[data-chart="memory"]').getAttribute('aria-label');
    expect(label).toContain(`fired: HeapAbove30MB at +${firedAt}s`);
    expect(label).toContain('thresholds: HeapAbove30MB > 30.0 MB');
    await screenshot(page, 'report-leak-fired-alert');
    expect(problems).toEqual({ console: [], dialogs: [], requests: [] });
    await page.close();
  });

  it('hostile names: shown as text, searchable, and no script, dialog or image of theirs', async () => {
    const file = await report(hostileRun());
    const { page, problems } = await openPage(browser, file);
    await page.waitForSelector('body[data-ready="true"]');
    const names = (await frames(page, 'peak')).map((f) => f.text);
    expect(names).toContain(HOSTILE_NAMES[0]);
    expect(names).toContain(HOSTILE_NAMES[1]);
    expect(names).toContain(HOSTILE_NAMES[2]);
    // Control and bidi characters are shown as escapes, not obeyed.
    expect(names).toContain('main.bidi\\u202egnp.exe');
    expect(await checkSearch(page, 'peak', '<script>', (n) => n.includes('<script>'))).toBeGreaterThan(0);
    await checkZoom(page, 'peak');
    for (const f of await frames(page, 'peak')) {
      await page.locator(`[data-flame="peak"] .frame[data-node="${f.node}"]`).hover();
    }
    const dom = await page.evaluate(() => ({
      images: document.querySelectorAll('img').length,
      scripts: document.querySelectorAll('script').length,
      handlers: [...document.querySelectorAll('*')].filter((e) => [...e.attributes].some((a) => a.name.startsWith('on'))).length,
      links: [...document.querySelectorAll('a')].map((a) => a.getAttribute('href')),
    }));
    expect(dom).toEqual({ images: 0, scripts: 2, handlers: 0, links: [] });
    await screenshot(page, 'report-hostile');
    expect(problems).toEqual({ console: [], dialogs: [], requests: [] });
    await page.close();
  });

  it('compare.html of two hostile runs: tables as text, nothing runs, nothing loads', async () => {
    const out = mkdtempSync(join(tmpdir(), 'heaplens-compare-html-'));
    const r = await runBuiltCli(['compare', hostileRun(), hostileRun(), '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const { page, problems } = await openPage(browser, join(out, 'compare.html'));
    const cells = await page.$$eval('table.components td:first-child', (els) => els.map((e) => e.textContent!));
    expect(cells.some((c) => c.includes(HOSTILE_NAMES[0]!)), cells.join('\n')).toBe(true);
    expect(await page.evaluate(() => document.querySelectorAll('img, script').length)).toBe(0);
    await screenshot(page, 'compare-hostile');
    expect(problems).toEqual({ console: [], dialogs: [], requests: [] });
    await page.close();
  });

  it.runIf(hasTool('go'))('a collected run of 100+ snapshots: report.html under 2 MB, drawn', async () => {
    const w = await startWorkload('spike');
    const dir = join(mkdtempSync(join(tmpdir(), 'heaplens-html-100-')), 'run');
    try {
      const r = await runBuiltCli(['collect', '--target', `sim=${w.url}`, '--out', dir, '--interval', '100ms', '--duration', '11s', '--quiet']);
      expect(r.code, r.stderr).toBe(0);
    } finally {
      w.stop();
    }
    const file = await report(dir);
    const json = JSON.parse(readFileSync(join(file, '..', 'report.json'), 'utf8')) as { run: { snapshots: number } };
    expect(json.run.snapshots).toBeGreaterThanOrEqual(100);
    expect(statSync(file).size).toBeLessThan(2 * 1024 * 1024);
    const { page, problems } = await openPage(browser, file);
    await page.waitForSelector('body[data-ready="true"]');
    expect(await paintedPixels(page, '[data-chart="memory"]')).toBeGreaterThan(5000);
    await checkZoom(page, 'peak');
    await screenshot(page, 'report-collected-100');
    expect(problems).toEqual({ console: [], dialogs: [], requests: [] });
    await page.close();
  });
});
