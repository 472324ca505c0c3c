// dist/cli/main.js of the bundled build (scripts/build.js copies this file there): compiles the
// CommonJS bundle beside it (main.cjs) with V8's code cache (main.cjs.cache) and gives its main().
// A cache V8 rejects (made by another Node) or a missing one only costs the time to compile.
// Under --enable-source-maps the bundle loads as an ordinary CommonJS module instead: Node 20
// maps the stack traces of those, not of code compiled through vm.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { URL, fileURLToPath } from 'node:url';
import vm from 'node:vm';

const file = fileURLToPath(new URL('./main.cjs', import.meta.url));
const cacheFile = `${file}.cache`;
const require = createRequire(file);

/** @type {vm.Script | undefined} */
let script;
/** @type {'accepted' | 'rejected' | 'none' | 'off'} what became of the code cache */
export let codeCache = 'off';
/** @type {{ main: (argv: string[]) => Promise<number> }} */
let bundle;
if (process.sourceMapsEnabled) {
  bundle = require(file);
} else {
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  script = new vm.Script(Module.wrap(readFileSync(file, 'utf8')), {
    filename: file,
    cachedData,
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  codeCache = cachedData === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'accepted';
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, require, mod, file, dirname(file));
  bundle = mod.exports;
}

export const main = bundle.main;

/** Writes the cache of what has been compiled so far (the build calls it after a few commands). */
export function saveCodeCache() {
  if (!script) throw new Error('no code cache under --enable-source-maps');
  writeFileSync(`${cacheFile}.tmp`, script.createCachedData());
  renameSync(`${cacheFile}.tmp`, cacheFile);
}
