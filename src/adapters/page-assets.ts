import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { PageAssets } from '../render/report-html.js';
import { packageFile } from './package-root.js';

/** The bundle `npm run build` makes (scripts/build-web.mjs); the same place from src/ (tests) and dist/ (the installed CLI). */
const WEB_DIR = packageFile('dist/web/');

export class PageAssetsError extends Error {
  override readonly name = 'PageAssetsError';
}

let cached: PageAssets | null = null;

/** report.html's inlined script and style, with the script's hash for the page's Content-Security-Policy. */
export function loadPageAssets(): PageAssets {
  if (cached) return cached;
  const js = `${WEB_DIR}report-app.js`;
  const css = `${WEB_DIR}report-app.css`;
  if (!existsSync(js) || !existsSync(css)) throw new PageAssetsError(`${js}: the report page's bundle is missing (run npm run build)`);
  const script = readFileSync(js, 'utf8');
  cached = { script, style: readFileSync(css, 'utf8'), scriptSha256: createHash('sha256').update(script, 'utf8').digest('base64') };
  return cached;
}
