// Bundles report.html's script and style (src/web, with uPlot) into
// dist/web/report-app.{js,css}: the renderer inlines them, so the report
// needs no network at view time. esbuild runs at build time only.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
await build({
  entryPoints: [`${root}src/web/report-app.ts`],
  outfile: `${root}dist/web/report-app.js`,
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['chrome100', 'firefox100', 'safari15'],
  legalComments: 'none',
  logLevel: 'warning',
});
// The script is inlined in a <script> element: it must not contain what would end it early.
const js = readFileSync(`${root}dist/web/report-app.js`, 'utf8');
if (/<\/script|<!--/i.test(js)) throw new Error('dist/web/report-app.js contains "</script" or "<!--": it cannot be inlined safely');
