// Where the lab keeps its state on the machine, and the names it gives to what it creates.
// Every name the lab creates on the machine begins with `lvsplay-`, so cleanup can find
// exactly its own things and nothing else.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Release } from './host-kinds.js';

export const NAME_PREFIX = 'lvsplay-';
/** Network namespace holding the lab's bridge (the "switch"). */
export const SWITCH_NS = 'lvsplay-sw';
export const BRIDGE = 'lvsplay-br0';
/** The controller namespace: the only place lab traffic comes from; it has no default route. */
export const CONTROLLER_NS = 'lvsplay-ctl';
/** The switch port of the controller. */
export const CONTROLLER_PORT = 'lvsplay-ctl';
/** The seed cluster's subnet (the first of subnets.ts); the controller takes .1. */
export const CONTROLLER_ADDRESS = '10.0.7.1';

/** A cached base and the offline repository built with it. */
export interface BaseDirs {
  base: string;
  repo: string;
  /** Hash of the package list and setup the cached base + repo were built from. */
  baseHash: string;
}

export interface LabPaths extends BaseDirs {
  stateDir: string;
  keysDir: string;
  /** The controller's private key, authorised for root on every lab host. */
  key: string;
  knownHosts: string;
  sshConfig: string;
  binDir: string;
  /** ProxyCommand helper: route guard + byte pipe, run inside the controller namespace. */
  connect: string;
  hostsDir: string;
  /** `/etc/hosts`-style table of the lab's hosts, read by the connect helper. */
  hostsTable: string;
  lock: string;
  /** The UML guests' shared root image (ext4, read-only backing of each guest's COW disk). */
  umlImage: string;
  umlImageHash: string;
}

export function labStateDir(): string {
  return process.env.LVSPLAY_LAB_DIR || '/var/lib/lvsplay/lab';
}

export function labPaths(stateDir = labStateDir()): LabPaths {
  const keysDir = join(stateDir, 'keys');
  const binDir = join(stateDir, 'bin');
  return {
    stateDir,
    base: join(stateDir, 'base'),
    repo: join(stateDir, 'repo'),
    baseHash: join(stateDir, 'base.hash'),
    keysDir,
    key: join(keysDir, 'id_ed25519'),
    knownHosts: join(stateDir, 'known_hosts'),
    sshConfig: join(stateDir, 'ssh_config'),
    binDir,
    connect: join(binDir, 'lvsplay-connect'),
    hostsDir: join(stateDir, 'hosts'),
    hostsTable: join(stateDir, 'hosts.table'),
    lock: join(stateDir, 'lock'),
    umlImage: join(stateDir, 'uml', 'root.img'),
    umlImageHash: join(stateDir, 'uml', 'root.hash'),
  };
}

/** The base and repository of the systemd hosts of one release (apart from the SysV base). */
export function systemdBaseDirs(p: LabPaths, release: Release): BaseDirs {
  const dir = join(p.stateDir, `systemd-${release}`);
  return { base: join(dir, 'base'), repo: join(dir, 'repo'), baseHash: join(dir, 'base.hash') };
}

/** A systemd host of one release: its disk (an overlay over that release's base) and its driver. */
export interface SystemdHostPaths {
  dir: string;
  upper: string;
  work: string;
  root: string;
  /** Pid of the host's driver (lvsplay-nspawn, which runs systemd-nspawn again after a reboot). */
  pidFile: string;
  console: string;
}

export function systemdHostPaths(name: string, release: Release, stateDir = labStateDir()): SystemdHostPaths {
  const dir = join(labPaths(stateDir).hostsDir, name, `systemd-${release}`);
  return { ...overlayDisk(dir), console: join(dir, 'console.log') };
}

export interface HostPaths {
  dir: string;
  upper: string;
  work: string;
  root: string;
  /** Host-side pid of the host's init (PID 1 of its pid namespace). */
  pidFile: string;
  /** Pid of the `unshare` parent that holds the pid namespace open. */
  parentPidFile: string;
  bootLog: string;
  /** Everything of the host as a UML guest, apart from its namespace-host disk. */
  uml: UmlHostPaths;
}

export interface UmlHostPaths {
  dir: string;
  /** The guest's own disk: a UML copy-on-write file over the shared root image. */
  cow: string;
  /** The only host directory the guest can mount (hostfs): its boot files, and what it reports. */
  xchg: string;
  /** What the guest writes back: its host key, its addresses, the booted marker. */
  out: string;
  /** UML's run directory (uml_dir), holding the guest's mconsole socket. */
  run: string;
  pidFile: string;
  console: string;
}

/** A host's disk as an overlay (upper and work directories, the mount point) and its pid file. */
function overlayDisk(dir: string) {
  return {
    dir,
    upper: join(dir, 'upper'),
    work: join(dir, 'work'),
    root: join(dir, 'root'),
    pidFile: join(dir, 'pid'),
  };
}

export function hostPaths(name: string, stateDir = labStateDir()): HostPaths {
  const dir = join(labPaths(stateDir).hostsDir, name);
  return {
    ...overlayDisk(dir),
    parentPidFile: join(dir, 'parent.pid'),
    bootLog: join(dir, 'boot.log'),
    uml: {
      dir: join(dir, 'uml'),
      cow: join(dir, 'uml', 'root.cow'),
      xchg: join(dir, 'uml', 'xchg'),
      out: join(dir, 'uml', 'xchg', 'out'),
      run: join(dir, 'uml', 'run'),
      pidFile: join(dir, 'uml', 'pid'),
      console: join(dir, 'uml', 'console.log'),
    },
  };
}

export function hostNetns(host: string): string {
  return `${NAME_PREFIX}${host}`;
}

/**
 * The host's port on the lab bridge. Interface names are limited to 15 bytes; a host name too
 * long for `lvsplay-<name>` gets a stable short hash instead.
 */
export function hostPort(host: string): string {
  const plain = `${NAME_PREFIX}${host}`;
  if (plain.length <= 15) return plain;
  return `${NAME_PREFIX}${createHash('sha256').update(host).digest('hex').slice(0, 7)}`;
}
