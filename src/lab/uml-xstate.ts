// The ptrace shim every UML guest's kernel runs with (assets/lab/lvsplay-uml-xstate.c says why:
// Debian's linux.uml 6.1 cannot restore a guest's FPU state on hosts whose XSAVE area is larger
// than its buffer, as on CPUs with AMX). Compiled once per machine with the C compiler into the
// lab's bin directory, again only when its source changes.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LvsplayError, diag } from '../diagnostics.js';
import type { LabPaths } from './paths.js';
import { run } from './sys.js';

const SOURCE = fileURLToPath(new URL('../../assets/lab/lvsplay-uml-xstate.c', import.meta.url));

let building: Promise<string> | undefined;

/** Path of the compiled shim (built now if missing or older than its source). Guests booted
 * together share one build. */
export function umlXstateShim(p: LabPaths): Promise<string> {
  building ??= build(p).finally(() => (building = undefined));
  return building;
}

async function build(p: LabPaths): Promise<string> {
  const out = `${p.binDir}/lvsplay-uml-xstate.so`;
  const source = readFileSync(SOURCE);
  const hash = createHash('sha256').update(source).digest('hex');
  const hashFile = `${out}.hash`;
  if (existsSync(out) && existsSync(hashFile) && readFileSync(hashFile, 'utf8') === hash) return out;
  // written beside, then renamed: a guest booting meanwhile (another lab command) never loads
  // half a library
  const tmp = `${out}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const r = await run`cc -O2 -shared -fPIC -o ${tmp} ${SOURCE} -ldl`;
  if (r.code !== 0)
    throw new LvsplayError(
      diag(
        `lab: cannot build the UML guests' ptrace shim (cc exited ${r.code}): ${r.stderr.trim()}`,
        undefined,
        'install a C compiler and the C library headers (gcc, libc6-dev: scripts/install-deps.sh)',
      ),
    );
  renameSync(tmp, out);
  writeFileSync(hashFile, hash);
  return out;
}
