// The root image of the lab's UML guests: the shared Debian base plus the guest kernel's
// modules (IPVS among them) and a tiny init, as one ext4 file made with `mkfs.ext4 -d`. Each
// guest boots a copy-on-write file over it (its own disk, block-level, real ownership), so the
// image is built once per base and kernel, and never written afterwards.
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import type { LabPaths } from './paths.js';
import { hostPaths } from './paths.js';
import { must, which } from './sys.js';

export const UML_MODULES_ROOT = '/usr/lib/uml/modules';
/** Where the guest mounts its exchange directory (hostfs) and finds its boot script. */
export const GUEST_XCHG = '/lvsplay';
/** Sparse: only what the base and the guest write takes room on the machine. */
const IMAGE_SIZE = '2G';
/** Bump when the files added to the image change. */
const IMAGE_LAYOUT = 2;

/** The init baked into the image: everything else comes from the exchange directory at each
 * boot, so the lab's guest boot can change without rebuilding the image. */
export const GUEST_STUB = `#!/bin/sh
# init of a lab UML guest: mount the lab's exchange directory (hostfs, confined to this guest's
# own directory by the kernel's hostfs=) and run the lab's guest boot from it
mount -t proc proc /proc
mount -t hostfs none ${GUEST_XCHG} && exec /bin/sh ${GUEST_XCHG}/lvsplay-uml-boot
echo "lvsplay-uml-stub: no ${GUEST_XCHG}/lvsplay-uml-boot; powering off"
exec busybox poweroff -f
`;
export const GUEST_STUB_PATH = '/usr/local/sbin/lvsplay-uml-stub';

export interface UmlKernel {
  binary: string;
  /** Kernel release, also the name of its modules directory. */
  release: string;
  modules: string;
}

/** Debian's user-mode-linux kernel and its modules, when installed. */
export function umlKernel(): UmlKernel | undefined {
  const binary = which('linux.uml');
  if (!binary || !existsSync(UML_MODULES_ROOT)) return undefined;
  const releases = readdirSync(UML_MODULES_ROOT)
    .filter((d) => existsSync(join(UML_MODULES_ROOT, d, 'modules.dep')))
    .sort();
  const release = releases[releases.length - 1];
  return release ? { binary, release, modules: join(UML_MODULES_ROOT, release) } : undefined;
}

function imageHash(p: LabPaths, k: UmlKernel): string {
  const base = readFileSync(p.baseHash, 'utf8').trim();
  return createHash('sha256')
    .update(JSON.stringify({ base, release: k.release, stub: GUEST_STUB, layout: IMAGE_LAYOUT }))
    .digest('hex');
}

/**
 * Builds the image when missing or out of date. A rebuilt image invalidates every guest's COW
 * disk (UML refuses a backing file that changed), so those are removed with it.
 */
export async function ensureUmlImage(p: LabPaths, k: UmlKernel, hostNames: string[]): Promise<boolean> {
  const hash = imageHash(p, k);
  if (existsSync(p.umlImage) && existsSync(p.umlImageHash) && readFileSync(p.umlImageHash, 'utf8').trim() === hash)
    return false;
  const dir = dirname(p.umlImage);
  const extra = join(dir, 'extra');
  const merged = join(dir, 'merged');
  rmSync(extra, { recursive: true, force: true });
  mkdirSync(join(extra, 'usr/lib/modules'), { recursive: true });
  mkdirSync(join(extra, GUEST_XCHG.slice(1)), { recursive: true });
  mkdirSync(join(extra, dirname(GUEST_STUB_PATH).slice(1)), { recursive: true });
  mkdirSync(merged, { recursive: true });
  await must`cp -a ${k.modules} ${join(extra, 'usr/lib/modules/')}`;
  writeFileSync(join(extra, GUEST_STUB_PATH.slice(1)), GUEST_STUB);
  chmodSync(join(extra, GUEST_STUB_PATH.slice(1)), 0o755);
  legacyIptables(p.base, extra);
  const img = `${p.umlImage}.new`;
  rmSync(img, { force: true });
  // the base plus the extra files, seen as one tree by mkfs, through an overlay that lives
  // only in this command's own mount namespace
  await must`unshare --mount --propagation private sh -euc ${'mount -t overlay overlay -o "lowerdir=$1:$2" "$3"; mkfs.ext4 -q -F -L lvsplay-root -d "$3" "$4" "$5"'} sh ${[extra, p.base, merged, img, IMAGE_SIZE]}`;
  rmSync(extra, { recursive: true, force: true });
  for (const name of hostNames) rmSync(hostPaths(name, p.stateDir).uml.cow, { force: true });
  renameSync(img, p.umlImage);
  writeFileSync(p.umlImageHash, `${hash}\n`);
  return true;
}

/**
 * The guest kernel has the classic iptables tables (IP_NF_IPTABLES, IP6_NF_IPTABLES) but not
 * nf_tables for ip/ip6 (NF_TABLES_IPV4 unset), so iptables-nft fails there with "TABLE_ADD
 * failed": point the alternatives at iptables-legacy, set by hand so an upgrade keeps them.
 */
function legacyIptables(base: string, extra: string): void {
  for (const name of ['iptables', 'ip6tables']) {
    const state = join(base, 'var/lib/dpkg/alternatives', name);
    if (!existsSync(state)) continue;
    const lines = readFileSync(state, 'utf8').split('\n');
    lines[0] = 'manual';
    mkdirSync(join(extra, 'var/lib/dpkg/alternatives'), { recursive: true });
    writeFileSync(join(extra, 'var/lib/dpkg/alternatives', name), lines.join('\n'));
    mkdirSync(join(extra, 'etc/alternatives'), { recursive: true });
    for (const suffix of ['', '-restore', '-save']) {
      symlinkSync(`/usr/sbin/${name}-legacy${suffix}`, join(extra, 'etc/alternatives', `${name}${suffix}`));
    }
  }
}
