#!/usr/bin/env node
// Builds dist/ as bin/lvsplay.js loads it: src/cli/main.ts and everything it imports bundled into
// one CommonJS file (dist/cli/main.cjs, with its source map), V8's code cache for it
// (dist/cli/main.cjs.cache) and the ES module bin/lvsplay.js imports (dist/cli/main.js, from
// scripts/code-cache.js), which compiles the bundle with that cache; the demo,
// dist/demo/main.js; the traffic loop of `lvsplay lab traffic`, dist/lab/traffic-worker.js; and the
// delaying relay of `lvsplay lab up --delay`, dist/lab/delay-worker.js.
//
// Why this shape (docs/benchmark.md, Start-up): most of a syntax check's start-up is V8 compiling
// code the first time it runs. Node 20 keeps no compile cache of its own (module.enableCompileCache
// is 22.1+) and vm can give a cache only to a script, not to ES modules, hence one CommonJS
// script. What a command does not use is still neither run nor compiled: the modules a command
// loads with a dynamic import are initialised only when it runs (esbuild wraps each one), and V8
// compiles a function only when it is first called. The cache is made here by running a syntax
// check of playbooks/site.yaml and `--help`, so it holds what those compile; a Node whose V8
// rejects it (another version) compiles as without one.
//
// `tsc -p tsconfig.json` still emits a working, unbundled dist/ (one file per source file, its
// dist/cli/main.js replacing the loader), which is slower to start; this script removes dist/
// first, so the two layouts never mix.
//
// Usage: node scripts/build.js [--outdir DIR] [--metafile FILE] [--no-cache]
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { copyFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const root = resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: { outdir: { type: 'string' }, metafile: { type: 'string' }, 'no-cache': { type: 'boolean' } },
});
const outdir = resolve(values.outdir ?? join(root, 'dist'));

rmSync(outdir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: ['src/cli/main.ts'],
  outfile: join(outdir, 'cli/main.cjs'),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  // ssh2 loads optional native addons (its crypto binding, cpu-features) by computed paths: it
  // stays a package of node_modules, loaded only when a command connects.
  external: ['ssh2'],
  // The bundle sits two levels below the project, as src/<area>/*.ts do: the lab finds assets/ by
  // import.meta.url ('../../assets/lab/'), which must mean the same from either. (A top-level
  // await in src/ would stop this build: CommonJS has none.)
  define: {
    'import.meta.url': '__lvsplayImportMetaUrl',
    'import.meta.dirname': '__dirname',
    'import.meta.filename': '__filename',
  },
  banner: { js: "var __lvsplayImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  metafile: values.metafile !== undefined,
  logLevel: 'warning',
});
if (values.metafile) writeFileSync(values.metafile, JSON.stringify(result.metafile));

// The demo (scripts/demo.sh runs it): one ES module two levels below the project, as its source,
// so it finds the project and the lab's assets by import.meta.url; packages stay in node_modules.
await build({
  absWorkingDir: root,
  entryPoints: ['src/demo/main.ts'],
  outfile: join(outdir, 'demo/main.js'),
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  packages: 'external',
  logLevel: 'warning',
});
// The loop of `lvsplay lab traffic` and the relay of `lvsplay lab up --delay`, each a process of
// its own in a lab namespace: beside the bundle's directory, where src/lab/worker-path.ts looks.
for (const worker of ['traffic-worker', 'delay-worker']) {
  await build({
    absWorkingDir: root,
    entryPoints: [`src/lab/${worker}.ts`],
    outfile: join(outdir, `lab/${worker}.js`),
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    logLevel: 'warning',
  });
}
copyFileSync(join(root, 'scripts/code-cache.js'), join(outdir, 'cli/main.js'));

if (!values['no-cache']) {
  // A syntax check and --help, then the cache of what they compiled. Their output is not ours.
  const train = `
    const m = await import(process.argv[1]);
    for (const args of [['--help'], ['run', 'playbooks/site.yaml', '-i', 'inventory/lab.ini', '--syntax-check']])
      if ((await m.main(['node', 'lvsplay', ...args])) !== 0) throw new Error('lvsplay ' + args.join(' ') + ' failed');
    m.saveCodeCache();`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', train, join(outdir, 'cli/main.js')], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  if (r.status !== 0) {
    process.stderr.write(
      `build: making the code cache failed (lvsplay works without it, slower to start):\n${r.stderr}`,
    );
    process.exitCode = 1;
  }
}
