// package: apt, dnf and yum behind one name; the probe finds which one the host has. The plan
// compares installed versions and candidates with what is asked, so a rerun installs nothing
// and check mode names the exact versions a real run would install or remove.
import type { Revealed } from '../secret.js';
import type { z } from 'zod';
import { sh, type ShellCommand } from '../transport/quote.js';
import type { ExecResult } from '../transport/types.js';
import { bool, choice, given, int, list, moduleArgs, str } from './args.js';
import {
  packageProbeCommand,
  parsePackageProbe,
  type PackageState,
  type PkgInfo,
  type PkgManager,
} from './pkg-state.js';
import type { Change, PlanOutcome, StateModule } from './runtime.js';

type PackageArgs = Revealed<z.output<typeof packageSchema>>;

/** apt takes `name=version`; the probe asks about the name. */
const splitSpec = (spec: string) => {
  const i = spec.indexOf('=');
  return i > 0 ? { name: spec.slice(0, i), pin: spec.slice(i + 1) } : { name: spec, pin: undefined };
};

const forcedManager = (use: string | undefined): PkgManager | undefined =>
  use === 'apt' || use === 'dnf' || use === 'yum' ? use : undefined;

const show = (p: PkgInfo | undefined) =>
  p?.installed ?? (p?.configFiles ? '(removed, config files left)' : '(not installed)');

function installCommand(mgr: PkgManager, specs: string[], a: PackageArgs, upgrade: boolean): ShellCommand {
  if (mgr !== 'apt') return upgrade ? sh`${mgr} -y -q upgrade ${specs}` : sh`${mgr} -y -q install ${specs}`;
  const rec =
    a.install_recommends === undefined
      ? sh``
      : a.install_recommends
        ? sh`--install-recommends`
        : sh`--no-install-recommends`;
  // Keep the host's own edits of config files on upgrade, and never stop at a debconf prompt.
  return sh`DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold ${rec} ${specs}`;
}

function removeCommand(mgr: PkgManager, names: string[], purge: boolean): ShellCommand {
  if (mgr !== 'apt') return sh`${mgr} -y -q remove ${names}`;
  return purge
    ? sh`DEBIAN_FRONTEND=noninteractive apt-get purge -y -q ${names}`
    : sh`DEBIAN_FRONTEND=noninteractive apt-get remove -y -q ${names}`;
}

// apt-get update leaves the list files alone when the sources did not change; the stamp (what
// Debian's periodic job writes) is what makes cache_valid_time mean "updated N seconds ago".
const updateCommand = (mgr: PkgManager): ShellCommand =>
  mgr === 'apt'
    ? sh`apt-get update -q && mkdir -p /var/lib/apt/periodic && touch /var/lib/apt/periodic/update-success-stamp`
    : sh`${mgr} -q makecache`;

const POLICY_RC_D = '/usr/sbin/policy-rc.d';

/**
 * apt's policy_rc_d: /usr/sbin/policy-rc.d says `exit N` while the command runs (101 keeps
 * maintainer scripts from starting services), and what was there before comes back however the
 * command ends: its exit, a failure, or the shell being hung up or killed by a signal it can trap.
 */
export function withPolicyRcD(code: number | undefined, cmd: ShellCommand, path = POLICY_RC_D): ShellCommand {
  if (code === undefined) return cmd;
  // The old file is put back if it was moved aside; ours is removed only once it may exist.
  return sh`( lv_b=$(mktemp -d) || exit 1; lv_w=0
lv_back() { if [ -e "$lv_b/p" ] || [ -L "$lv_b/p" ]; then mv -f -- "$lv_b/p" ${path}; elif [ $lv_w = 1 ]; then rm -f -- ${path}; fi; rmdir -- "$lv_b"; }
trap 'lv_rc=$?; lv_back; exit $lv_rc' EXIT; trap 'exit 129' HUP; trap 'exit 130' INT; trap 'exit 141' PIPE; trap 'exit 143' TERM
if [ -e ${path} ] || [ -L ${path} ]; then mv -f -- ${path} "$lv_b/p" || exit 1; fi
lv_w=1; printf '#!/bin/sh\\nexit %d\\n' ${String(code)} > ${path} && chmod 0755 ${path} || exit 1
${cmd} )`;
}

interface Wanted {
  install: Array<{ spec: string; name: string; to: string }>;
  upgrade: Array<{ spec: string; name: string; to: string }>;
  remove: string[];
}

function wanted(a: PackageArgs, s: PackageState, cacheStale: boolean): Wanted | { failed: string } {
  const state = a.state === 'installed' ? 'present' : a.state === 'removed' ? 'absent' : (a.state ?? 'present');
  const w: Wanted = { install: [], upgrade: [], remove: [] };
  for (const spec of (a.name ?? []).map(String)) {
    const { name, pin } = s.mgr === 'apt' ? splitSpec(spec) : { name: spec, pin: undefined };
    const p = s.pkgs[name];
    if (state === 'absent') {
      if (p?.installed || (a.purge && p?.configFiles)) w.remove.push(name);
      continue;
    }
    const installed = p?.installed;
    const needs =
      !installed ||
      (pin !== undefined && installed !== pin) ||
      (state === 'latest' && p?.candidate !== undefined && p.candidate !== installed);
    if (!needs) continue;
    const to = pin ?? p?.candidate;
    // After a cache refresh the package may appear: only a fresh index can say it does not exist.
    if (to === undefined && !cacheStale)
      return { failed: `No package matching '${name}' is available (check the name, or set update_cache: yes)` };
    (installed ? w.upgrade : w.install).push({ spec, name, to: to ?? '(newest after the cache update)' });
  }
  return w;
}

const isCacheStale = (a: PackageArgs, s: PackageState) =>
  !!a.update_cache && (a.cache_valid_time === undefined || s.cacheAge === undefined || s.cacheAge > a.cache_valid_time);

function planPackages(a: PackageArgs, s: PackageState): PlanOutcome {
  if (s.mgr === 'none') return { failed: 'no supported package manager on this host (apt-get, dnf or yum)' };
  const mgr = s.mgr;
  if (a.policy_rc_d !== undefined && mgr !== 'apt')
    return { failed: `policy_rc_d is an option of apt (Debian's invoke-rc.d policy); this host uses ${mgr}` };
  const policy = (cmd: ShellCommand) => withPolicyRcD(a.policy_rc_d, cmd);
  const cacheStale = isCacheStale(a, s);
  const w = wanted(a, s, cacheStale);
  if ('failed' in w) return w;
  const update = cacheStale ? [{ run: updateCommand(mgr) }] : [];
  const changes: Change[] = [];
  const listOf = (xs: Array<{ name: string; to: string }>) => xs.map((x) => `${x.name} ${x.to}`).join(', ');
  const diffOf = (names: string[], after: (n: string) => string) => ({
    before: names.map((n) => `${n} ${show(s.pkgs[n])}\n`).join(''),
    after: names.map((n) => `${n} ${after(n)}\n`).join(''),
    beforeHeader: 'packages before',
    afterHeader: 'packages after',
  });
  const add = [...w.install, ...w.upgrade];
  if (add.length) {
    const to = new Map(add.map((x) => [x.name, x.to]));
    changes.push({
      summary: [
        w.install.length ? `install ${listOf(w.install)}` : '',
        w.upgrade.length ? `upgrade ${listOf(w.upgrade)}` : '',
      ]
        .filter(Boolean)
        .join('; '),
      diff: diffOf([...to.keys()], (n) => to.get(n)!),
      steps: [
        ...update,
        ...(w.install.length || mgr === 'apt'
          ? [
              {
                run: policy(
                  installCommand(
                    mgr,
                    add.map((x) => x.spec),
                    a,
                    false,
                  ),
                ),
              },
            ]
          : []),
        ...(mgr !== 'apt' && w.upgrade.length
          ? [
              {
                run: installCommand(
                  mgr,
                  w.upgrade.map((x) => x.spec),
                  a,
                  true,
                ),
              },
            ]
          : []),
      ],
    });
  } else if (update.length && !(a.name ?? []).length) {
    // Only a cache update that was asked for alone is a change of its own (as Ansible reports it);
    // beside packages that are already right it would be a change on every run.
    // The summary says why, not the exact age: a check run and the real run a second later
    // must describe the same change.
    const why =
      s.cacheAge === undefined
        ? ' (never updated)'
        : a.cache_valid_time !== undefined
          ? ` (older than ${a.cache_valid_time} s)`
          : '';
    changes.push({ summary: `update the ${mgr} package index${why}`, steps: update });
  }
  if (w.remove.length) {
    const purge = !!a.purge;
    changes.push({
      summary: `${purge && mgr === 'apt' ? 'purge' : 'remove'} ${w.remove.map((n) => `${n} ${show(s.pkgs[n])}`).join(', ')}`,
      diff: diffOf(w.remove, () => '(not installed)'),
      steps: [{ run: policy(removeCommand(mgr, w.remove, purge)) }],
    });
  }
  return { changes, data: { cache_updated: false, ...(s.cacheAge !== undefined ? { cache_age: s.cacheAge } : {}) } };
}

function collect(a: PackageArgs, s: PackageState, applied: ExecResult[]) {
  const last = applied.at(-1);
  const out = applied.map((r) => r.stdout).join('');
  return {
    data: {
      cache_updated: isCacheStale(a, s) && applied.length > 0,
      stdout: out,
      stdout_lines: out.split('\n').filter((l) => l !== ''),
      stderr: last?.stderr ?? '',
    },
  };
}

export const packageArgs = moduleArgs(
  {
    name: list().optional(),
    state: choice('present', 'installed', 'latest', 'absent', 'removed').optional(),
    update_cache: bool().optional(),
    cache_valid_time: int().optional(),
    install_recommends: bool().optional(),
    purge: bool().optional(),
    use: str().optional(),
    policy_rc_d: int().optional(),
  },
  { pkg: 'name', package: 'name', 'update-cache': 'update_cache', 'install-recommends': 'install_recommends' },
);

const packageSchema = packageArgs.superRefine((a, ctx) => {
  if (!given(a, 'name') && !a.update_cache)
    ctx.addIssue({ code: 'custom', path: ['name'], message: 'is required (or set update_cache: yes alone)' });
});

export const packageModule: StateModule<z.output<typeof packageSchema>, PackageState> = {
  name: 'package',
  aliases: [
    'apt',
    'dnf',
    'yum',
    'ansible.builtin.package',
    'ansible.builtin.apt',
    'ansible.builtin.dnf',
    'ansible.builtin.yum',
  ],
  exec: 'state',
  args: packageSchema,
  probe: (a) => {
    const names = (a.name ?? []).map((n) => splitSpec(String(n)).name);
    const state = a.state === 'installed' ? 'present' : a.state === 'removed' ? 'absent' : (a.state ?? 'present');
    const candidates = state === 'latest' ? 'all' : state === 'absent' ? 'none' : 'missing';
    return {
      cmd: packageProbeCommand(names, forcedManager(a.use), candidates),
      parse: (r: ExecResult) => parsePackageProbe(r.stdout),
    };
  },
  plan: planPackages,
  collect,
};
