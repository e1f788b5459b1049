import { resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, launchChromium } from '../helpers/browser.js';
import { mermaidBlocks, summaryOf } from '../helpers/summary.js';
import { hasTool } from '../helpers/tools.js';

/**
 * The step summary's charts, parsed and drawn by mermaid itself (the npm
 * package GitHub's renderer is built on) in Chromium: every block parses,
 * and renders an SVG with a plotted line and the title.
 */
const MERMAID = resolve('node_modules/mermaid/dist/mermaid.min.js');

interface Rendered {
  ok: boolean;
  error: string | null;
  svg: string;
}

async function renderAll(page: Page, blocks: readonly string[]): Promise<Rendered[]> {
  return page.evaluate(async (codes) => {
    const m = (window as unknown as { mermaid: { initialize(o: object): void; parse(c: string): Promise<unknown>; render(id: string, c: string): Promise<{ svg: string }> } }).mermaid;
    m.initialize({ startOnLoad: false });
    const out: Rendered[] = [];
    for (let i = 0; i < codes.length; i++) {
      try {
        await m.parse(codes[i]!);
        out.push({ ok: true, error: null, svg: (await m.render(`chart${i}`, codes[i]!)).svg });
      } catch (e) {
        out.push({ ok: false, error: String((e as Error).message ?? e), svg: '' });
      }
    }
    return out;
  }, blocks);
}

describe.runIf(hasTool(CHROMIUM, ['--version']))('GitHub summary charts in mermaid', () => {
  let browser: Browser;
  let page: Page;
  beforeAll(async () => {
    browser = await launchChromium();
    page = await browser.newPage();
    await page.addScriptTag({ path: MERMAID });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it.each(['leak', 'plateau', 'spike', 'sawtooth'])('%s run: every xychart parses and draws its line', async (name) => {
    const { text } = await summaryOf(`test/fixtures/runs/${name}`);
    const blocks = mermaidBlocks(text);
    expect(blocks).toHaveLength(3);
    const rendered = await renderAll(page, blocks);
    rendered.forEach((r, i) => {
      expect(r.error, blocks[i]).toBeNull();
      expect(r.svg).toMatch(/class="line-plot-0"/);
      expect(r.svg).toMatch(/<path d="M[\d.,\sLM-]+"/);
      expect(r.svg).toContain(/title "([^"]*)"/.exec(blocks[i]!)![1]!);
    });
  });

  it('the check can fail: a malformed block is refused', async () => {
    const [bad] = await renderAll(page, ['xychart-beta\n  title "x"\n  x-axis "minutes" 0 --> 1\n  line [1, , 2]\n']);
    expect(bad!.ok).toBe(false);
  });
});
