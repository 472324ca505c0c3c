// The shared read-only Debian base every host's root is overlaid on, and the offline apt
// repository the hosts install from. Built once, cached, rebuilt only when what it is built
// from (package lists, release, mirror, layout) changes.
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
  chmodSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type BaseDirs } from './paths.js';
import type { Release } from './host-kinds.js';
import { debianMirror, machineAptSources, oneLineSources, type DebianMirror } from './mirror.js';
import { run, sys } from './sys.js';
import { runSteps, type ProgressMode, type Step } from './progress.js';

/** In every host from the start (debootstrap minbase plus these). */
export const BASE_PACKAGES = [
  'openssh-server',
  'iproute2',
  'iptables',
  'nftables',
  'procps',
  'tini',
  'busybox-syslogd',
  'netcat-openbsd',
  'iputils-ping',
  'kmod',
  'less',
];
/** In the offline repository only: installed by playbooks, as on a real host. python3 is what
 * ansible-playbook needs on its targets (python3-apt for its apt module). */
export const REPO_PACKAGES = [
  'keepalived',
  'ipvsadm',
  'mariadb-server',
  'mariadb-client',
  'lighttpd',
  'python3',
  'python3-apt',
];
/** Also in the offline repository, added to a repository built before they were listed without
 * rebuilding the base (host disks are overlays of it): python3-pymysql is the driver Ansible's
 * community.mysql modules need on the database servers; gnupg what apt-key (the apt_key module)
 * needs; sudo what every host's admin user becomes root with (src/lab/admin.ts installs it). Kept
 * out of the spec's hash for that. */
export const REPO_ADDED_PACKAGES = ['python3-pymysql', 'gnupg', 'sudo'];
/** In every systemd host (the `systemd` kind) instead of tini and busybox's syslogd: systemd as
 * PID 1, journald for logs, D-Bus and logind as on a server. No ifupdown: the lab configures the
 * host's network namespace before it boots. */
export const SYSTEMD_BASE_PACKAGES = [
  'systemd',
  'systemd-sysv',
  'dbus',
  'libpam-systemd',
  ...BASE_PACKAGES.filter((p) => p !== 'tini' && p !== 'busybox-syslogd'),
];
/** Bump when the base's layout (files written below) changes, so cached bases are rebuilt. */
const LAYOUT_VERSION = 1;
const SYSTEMD_LAYOUT_VERSION = 1;
/** Where hosts see the repository (bind-mounted read-only). */
export const REPO_MOUNT = '/srv/lvsplay-repo';
/** Placeholder in the base; the host's boot binds the init from the state dir over it. */
export const INIT_PATH = '/usr/local/sbin/lvsplay-init';

export interface BaseSpec {
  mirror: DebianMirror;
  basePackages: string[];
  repoPackages: string[];
  layout: number;
  /** Absent: the SysV base of the namespace and UML hosts (booted by tini and lvsplay-init). */
  init?: 'systemd';
}

export function baseSpec(): BaseSpec {
  return {
    mirror: debianMirror(machineAptSources()),
    basePackages: BASE_PACKAGES,
    repoPackages: REPO_PACKAGES,
    layout: LAYOUT_VERSION,
  };
}

/** The base of the systemd hosts of one Debian release. */
export function systemdBaseSpec(release: Release): BaseSpec {
  return {
    mirror: debianMirror(machineAptSources(), release),
    basePackages: SYSTEMD_BASE_PACKAGES,
    repoPackages: REPO_PACKAGES,
    layout: SYSTEMD_LAYOUT_VERSION,
    init: 'systemd',
  };
}

export function specHash(spec: BaseSpec): string {
  return createHash('sha256').update(JSON.stringify(spec)).digest('hex');
}

export function baseIsCurrent(paths: BaseDirs, spec = baseSpec()): boolean {
  if (!existsSync(paths.baseHash) || !existsSync(join(paths.base, 'usr/sbin/sshd'))) return false;
  if (!existsSync(join(paths.repo, 'Packages'))) return false;
  return readFileSync(paths.baseHash, 'utf8').trim() === specHash(spec);
}

const CHROOT_ENV = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  DEBIAN_FRONTEND: 'noninteractive',
  LC_ALL: 'C',
  HOME: '/root',
};

// The root, the script and the read-only binds (FROM TO pairs) arrive as positional parameters.
const CHROOT = `root=$1 script=$2
shift 2
mount -t proc proc "$root/proc"
while [ $# -gt 0 ]; do mount --bind -o ro "$1" "$root$2"; shift 2; done
exec chroot "$root" sh -euc "$script"`;

/** The SysV base's boot: tini as /sbin/init, lvsplay-init runs the rc scripts. */
const SYSV_SETUP = [
  // invoke-rc.d starts services on install only when it sees an init and a runlevel
  '[ -e /sbin/runlevel ] && dpkg-divert --local --rename --add /sbin/runlevel >/dev/null',
  'printf \'#!/bin/sh\\n# lab hosts have no sysvinit: report runlevel 2 so invoke-rc.d starts enabled services\\necho "N 2"\\n\' > /sbin/runlevel',
  'chmod 755 /sbin/runlevel',
  'ln -sf /usr/bin/tini /sbin/init',
  // klogd would drain the kernel log the whole machine shares
  'update-rc.d -f busybox-klogd remove >/dev/null 2>&1 || rm -f /etc/rc?.d/[SK]??busybox-klogd',
];
/** The systemd base: each host gets its own machine-id (and host key) at its first boot. */
const SYSTEMD_SETUP = ['rm -f /var/lib/dbus/machine-id', ': > /etc/machine-id'];

/** Runs a script chrooted in `root`, with /proc mounted in a throw-away mount namespace. */
function inChroot(
  root: string,
  script: string,
  note: (l: string) => void,
  binds: [string, string][] = [],
): Promise<string> {
  const { must } = sys({ env: CHROOT_ENV, onOutput: (c) => note(lastLine(c)) });
  return must`unshare --mount --fork --propagation private sh -euc ${CHROOT} sh ${root} ${script} ${binds.flat()}`;
}

function lastLine(chunk: string): string {
  const lines = chunk.trim().split('\n');
  return (lines[lines.length - 1] ?? '').slice(0, 100);
}

/** Builds base + repo into side directories and swaps them in only when complete. */
export async function buildBase(paths: BaseDirs, progress: ProgressMode, spec = baseSpec()): Promise<void> {
  const newBase = `${paths.base}.new`;
  const newRepo = `${paths.repo}.new`;
  rmSync(newBase, { recursive: true, force: true });
  rmSync(newRepo, { recursive: true, force: true });
  mkdirSync(dirname(paths.base), { recursive: true });
  const aptNoRecommends = '-o APT::Install-Recommends=false';
  const steps: Step[] = [
    {
      title: `debootstrap ${spec.mirror.suite} (minbase) from ${spec.mirror.mirror}`,
      run: async (note) => {
        const include = `--include=${spec.basePackages.join(',')}`;
        await sys({ onOutput: (c) => note(lastLine(c)) })
          .must`debootstrap --variant=minbase ${include} ${spec.mirror.suite} ${newBase} ${spec.mirror.mirror}`;
      },
    },
    {
      title: `upgrade the base and download ${spec.repoPackages.join(', ')} with their dependencies`,
      run: async (note) => {
        writeFileSync(join(newBase, 'etc/apt/sources.list'), oneLineSources(spec.mirror.sources));
        // no service may start inside the build chroot
        writeFileSync(join(newBase, 'usr/sbin/policy-rc.d'), '#!/bin/sh\nexit 101\n', { mode: 0o755 });
        await inChroot(
          newBase,
          [
            'apt-get -q update',
            `apt-get -q -y ${aptNoRecommends} dist-upgrade`,
            'apt-get -q clean',
            `apt-get -q -y ${aptNoRecommends} --download-only install ${[...spec.repoPackages, ...REPO_ADDED_PACKAGES].join(' ')}`,
          ].join('\n'),
          note,
        );
      },
    },
    {
      title: 'index the offline repository',
      run: async () => {
        mkdirSync(newRepo, { recursive: true });
        const archives = join(newBase, 'var/cache/apt/archives');
        for (const f of readdirSync(archives)) if (f.endsWith('.deb')) renameSync(join(archives, f), join(newRepo, f));
        await sys({ cwd: newRepo }).must`dpkg-scanpackages -m . /dev/null > Packages 2>/dev/null; gzip -9kf Packages`;
      },
    },
    {
      title: `configure the base (sshd, ${spec.init === 'systemd' ? 'systemd' : 'SysV'} boot, offline apt)`,
      run: async (note) => {
        configureBaseFiles(newBase);
        if (spec.init === 'systemd') configureSystemdFiles(newBase);
        else writeFileSync(join(newBase, INIT_PATH.slice(1)), '');
        mkdirSync(join(newBase, REPO_MOUNT.slice(1)), { recursive: true });
        await inChroot(
          newBase,
          [
            'rm -rf /var/lib/apt/lists/*',
            'apt-get -q update',
            ...(spec.init === 'systemd' ? SYSTEMD_SETUP : SYSV_SETUP),
            'rm -f /etc/ssh/ssh_host_* /usr/sbin/policy-rc.d',
            'apt-get -q clean',
          ].join('\n'),
          note,
          [[newRepo, REPO_MOUNT]],
        );
      },
    },
  ];
  await runSteps(steps, progress);
  // swap in: the old base goes only once the new one is whole
  rmSync(paths.base, { recursive: true, force: true });
  rmSync(paths.repo, { recursive: true, force: true });
  renameSync(newRepo, paths.repo);
  renameSync(newBase, paths.base);
  writeFileSync(paths.baseHash, `${specHash(spec)}\n`);
}

/** The package names an offline repository's index lists. */
export function repoPackageNames(packagesIndex: string): Set<string> {
  return new Set([...packagesIndex.matchAll(/^Package: (\S+)$/gm)].map((m) => m[1]!));
}

/**
 * Downloads the REPO_ADDED_PACKAGES a repository lacks (from the base's Debian release, with a
 * throw-away apt state so the machine's own apt is left alone) with the dependencies the base
 * lacks, and indexes the repository again.
 */
export async function ensureRepoPackages(paths: BaseDirs, spec: BaseSpec, progress: ProgressMode): Promise<void> {
  const index = join(paths.repo, 'Packages');
  if (!existsSync(index)) return;
  const have = repoPackageNames(readFileSync(index, 'utf8'));
  const missing = REPO_ADDED_PACKAGES.filter((p) => !have.has(p));
  if (missing.length) await downloadIntoRepo(paths, spec, missing, progress);
  // Hosts made from the base read its apt lists: they must list the added packages too, or an
  // install fails with "no package matching" although the repository has it.
  const listed = baseListedPackages(paths.base);
  if (REPO_ADDED_PACKAGES.every((p) => listed.has(p))) return;
  await runSteps(
    [
      {
        title: "refresh the base's package lists from the offline repository",
        run: async (note) => {
          await inChroot(paths.base, 'apt-get -q update', note, [[paths.repo, REPO_MOUNT]]);
        },
      },
    ],
    progress,
  );
}

/** The packages the base's apt lists know of (its own offline repository's index among them). */
export function baseListedPackages(base: string): Set<string> {
  const dir = join(base, 'var/lib/apt/lists');
  if (!existsSync(dir)) return new Set();
  const names = new Set<string>();
  for (const f of readdirSync(dir))
    if (f.endsWith('_Packages')) for (const n of repoPackageNames(readFileSync(join(dir, f), 'utf8'))) names.add(n);
  return names;
}

async function downloadIntoRepo(
  paths: BaseDirs,
  spec: BaseSpec,
  missing: string[],
  progress: ProgressMode,
): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'lvsplay-repo-'));
  try {
    mkdirSync(join(tmp, 'lists/partial'), { recursive: true });
    mkdirSync(join(tmp, 'cache/archives/partial'), { recursive: true });
    writeFileSync(join(tmp, 'sources.list'), oneLineSources(spec.mirror.sources));
    const opts = [
      `-o=Dir::Etc::SourceList=${join(tmp, 'sources.list')}`,
      '-o=Dir::Etc::SourceParts=-',
      `-o=Dir::State::Lists=${join(tmp, 'lists')}`,
      `-o=Dir::Cache=${join(tmp, 'cache')}`,
      `-o=Dir::State::Status=${join(tmp, 'status')}`,
      '-o=Debug::NoLocking=1',
    ];
    // The base's own package state: apt then fetches the added packages' dependencies that the
    // base lacks (gnupg's gpg, gpg-agent...), and none that every host already has.
    const baseStatus = join(paths.base, 'var/lib/dpkg/status');
    writeFileSync(join(tmp, 'status'), existsSync(baseStatus) ? readFileSync(baseStatus) : '');
    mkdirSync(join(tmp, 'archives/partial'), { recursive: true });
    await runSteps(
      [
        {
          title: `add ${missing.join(', ')} to the offline repository (${spec.mirror.suite})`,
          run: async (note) => {
            const { must } = sys({
              cwd: paths.repo,
              env: { ...process.env, LC_ALL: 'C' },
              onOutput: (c) => note(lastLine(c)),
            });
            await must`apt-get -q ${opts} update`;
            await must`apt-get -q -y ${opts} ${`-o=Dir::Cache::Archives=${join(tmp, 'archives')}`} --no-install-recommends --download-only install ${missing}`;
            await must`sh -c ${'cp -n "$1"/*.deb .'} sh ${join(tmp, 'archives')}`;
            await must`sh -c ${'dpkg-scanpackages -m . /dev/null > Packages 2>/dev/null; gzip -9kf Packages'}`;
          },
        },
      ],
      progress,
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function configureBaseFiles(root: string): void {
  const put = (p: string, text: string, mode = 0o644) => {
    writeFileSync(join(root, p), text);
    chmodSync(join(root, p), mode);
  };
  put(
    'etc/apt/sources.list',
    `# lab hosts install from the lab's offline repository only\ndeb [trusted=yes] file:${REPO_MOUNT} ./\n`,
  );
  // the repository holds no Recommends: say so rather than let apt find them missing
  put('etc/apt/apt.conf.d/90lvsplay-lab', 'APT::Install-Recommends "false";\n');
  put(
    'etc/ssh/sshd_config.d/lvsplay-lab.conf',
    [
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'UseDNS no',
      // one host key type, generated at first boot (RSA generation would slow every first boot)
      'HostKey /etc/ssh/ssh_host_ed25519_key',
      '',
    ].join('\n'),
  );
  // no DNS in the lab: fail fast on loopback instead of timing out
  put('etc/resolv.conf', 'nameserver 127.0.0.1\n');
  const syslog = join(root, 'etc/default/busybox-syslogd');
  if (existsSync(syslog)) {
    writeFileSync(
      syslog,
      readFileSync(syslog, 'utf8').replace(/^SYSLOG_OPTS=.*$/m, 'SYSLOG_OPTS="-O /var/log/syslog"'),
    );
  }
  mkdirSync(join(root, 'root/.ssh'), { recursive: true, mode: 0o700 });
}

/** What a systemd host needs beside the common files: nothing mounts from fstab (the container's
 * file systems are set up by systemd-nspawn), and no getty on a console nobody reads. */
function configureSystemdFiles(root: string): void {
  writeFileSync(join(root, 'etc/fstab'), '# lab systemd hosts mount nothing from fstab\n');
  for (const unit of ['console-getty.service', 'getty@.service']) {
    const link = join(root, 'etc/systemd/system', unit);
    rmSync(link, { force: true });
    symlinkSync('/dev/null', link);
  }
}

export async function ensureBase(paths: BaseDirs, progress: ProgressMode, spec = baseSpec()): Promise<boolean> {
  if (baseIsCurrent(paths, spec)) return false;
  await buildBase(paths, progress, spec);
  return true;
}

export async function baseSize(paths: BaseDirs): Promise<{ base: string; repo: string }> {
  const du = async (p: string) => ((await run`du -sh ${p}`).stdout.split('\t')[0] ?? '?').trim();
  return { base: await du(paths.base), repo: await du(paths.repo) };
}
