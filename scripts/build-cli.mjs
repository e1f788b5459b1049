// Bundles the CLI (src/cli/main.ts and everything it imports, commander and
// yaml included) into dist/cli/main.js and a few chunks next to it
// (dist/cli/chunk-*.js), replacing tsc's module of that name: Node then loads
// a handful of files instead of ~150 modules, which took ~0.2 s of every
// command's start-up (BENCHMARKS.md). The entry imports either `top`/`diff`
// alone or the whole CLI, so code splitting keeps what only the other
// commands use (analysis, renderers, yaml) out of `top`'s start-up. tsc's
// other modules stay in dist/ for the library entry, the top worker thread,
// and the Kubernetes client, which is loaded on demand only (it costs ~0.8 s
// to load).
import { build } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The modules that `import()` loads on demand stay separate files (tsc's), so their cost is paid only when used. */
const onDemand = {
  name: 'on-demand-modules',
  setup(b) {
    b.onResolve({ filter: /\/adapters\/k8s\/(kube-api|k8s-targets)\.js$/ }, (args) => (args.kind === 'dynamic-import' ? { path: `../adapters/k8s/${args.path.split('/').pop()}`, external: true } : undefined));
  },
};

// Chunks of an earlier build would linger under other hashes.
for (const f of readdirSync(`${root}dist/cli`)) if (/^chunk-.*\.js$/.test(f)) rmSync(`${root}dist/cli/${f}`);

await build({
  entryPoints: [`${root}src/cli/main.ts`],
  outdir: `${root}dist/cli`,
  // Next to main.js, so that the on-demand modules' relative paths hold from every chunk.
  chunkNames: 'chunk-[hash]',
  splitting: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['@kubernetes/client-node'],
  plugins: [onDemand],
  // Bundled CommonJS dependencies call require(); ESM has none of its own.
  banner: { js: "import { createRequire as __heaplensRequire } from 'node:module'; const require = __heaplensRequire(import.meta.url);" },
  legalComments: 'none',
  logLevel: 'warning',
});
