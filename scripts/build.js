#!/usr/bin/env node
// Builds dist/ as bin/lvsplay.js loads it: src/cli/main.ts and everything it imports bundled into
// one ES module (dist/cli/main.js) plus chunks (dist/chunks/) for what a command loads by a dynamic
// import, so `lvsplay --help` reads a few files instead of some 300, and parses none of the code
// of the commands it does not run. Source maps beside each file (`node --enable-source-maps
// bin/lvsplay.js ...` gives stack traces in src/*.ts).
//
// `tsc -p tsconfig.json` still emits a working, unbundled dist/ (one file per source file), which
// is slower to start; this script removes it first, so the two layouts never mix.
//
// Usage: node scripts/build.js [--outdir DIR] [--metafile FILE]
import { build } from 'esbuild';
import { rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const root = resolve(import.meta.dirname, '..');
const { values } = parseArgs({ options: { outdir: { type: 'string' }, metafile: { type: 'string' } } });
const outdir = resolve(values.outdir ?? join(root, 'dist'));

rmSync(outdir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: { 'cli/main': 'src/cli/main.ts' },
  outdir,
  // Chunks sit two levels below the project, as src/<area>/*.ts do: the lab finds assets/ by
  // import.meta.url ('../../assets/lab/'), which must mean the same from either.
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  // ssh2 loads optional native addons (its crypto binding, cpu-features) by computed paths: it
  // stays a package of node_modules, loaded only when a command connects.
  external: ['ssh2'],
  // CommonJS packages in the bundle (commander, nunjucks, ...) call require() for Node's own
  // modules; an ES module has no require of its own.
  banner: {
    js: "import { createRequire as __lvsplayRequire } from 'node:module';\nconst require = __lvsplayRequire(import.meta.url);",
  },
  metafile: values.metafile !== undefined,
  logLevel: 'warning',
});
if (values.metafile) writeFileSync(values.metafile, JSON.stringify(result.metafile));
