// What the package probe reads, for every package manager: installed versions, what would be
// installed (the candidate), and how old the package index is. One read-only command detects
// the manager and reads everything; the parser is pure and tested on real apt output.
import { sh, raw, type ShellCommand } from '../transport/quote.js';

export type PkgManager = 'apt' | 'dnf' | 'yum';

export interface PkgInfo {
  /** Installed version; undefined when not installed. */
  installed?: string;
  /** Removed but its configuration files are still on disk (dpkg's `rc`): `purge` removes them. */
  configFiles?: boolean;
  /** Version the manager would install now; undefined when no source offers the package. */
  candidate?: string;
}

export interface PackageState {
  mgr: PkgManager | 'none';
  /** Seconds since the package index was last refreshed; undefined when never. */
  cacheAge?: number;
  pkgs: Record<string, PkgInfo>;
}

// dpkg-query prints known packages only; `db:Status-Status` is installed, config-files, ...
const DPKG_FORMAT = 'pkg=${Package}\t${db:Status-Status}\t${Version}\n';
const RPM_FORMAT = 'pkg=%{NAME}\tinstalled\t%|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}\n';

/**
 * Which packages the probe asks the manager's index about (the slow part: `apt-cache policy`
 * loads the whole cache, ~50-100 ms of a host's CPU): all of them (state latest), only those
 * not installed (state present: an installed package needs no candidate), or none (absent).
 */
export type CandidateQuery = 'all' | 'missing' | 'none';

/** The probe: `use` forces a manager (Ansible's `use:`), otherwise the first one found. */
export function packageProbeCommand(
  names: string[],
  use?: PkgManager,
  candidates: CandidateQuery = 'all',
): ShellCommand {
  const has = (m: PkgManager) =>
    use ? (use === m ? 'true' : 'false') : `command -v ${m === 'apt' ? 'apt-get' : m} >/dev/null 2>&1`;
  // A name with glob characters is a pattern that may match several packages: ask about it as is.
  const ask =
    candidates === 'none' || !names.length
      ? 'none'
      : candidates === 'missing' && !names.some((n) => /[*?[]/.test(n))
        ? 'missing'
        : 'all';
  const installedList = (query: ShellCommand) =>
    ask === 'missing'
      ? sh`q=$(${query}); [ -n "$q" ] && printf '%s\n' "$q"
  lv_missing=; for n in ${names}; do case "$q" in *"pkg=$n"?installed?*) ;; *) lv_missing="$lv_missing $n";; esac; done`
      : sh`${query}`;
  const candidatesOf = (query: (list: ShellCommand) => ShellCommand) =>
    ask === 'none'
      ? sh`:`
      : ask === 'missing'
        ? sh`[ -z "$lv_missing" ] || ${query(sh`$lv_missing`)}`
        : query(sh`${names}`);
  // apt's success stamp is written by every `apt-get update` run through apt's periodic hook;
  // without it, the newest file in lists/ is when the index last changed.
  return sh`LC_ALL=C; export LC_ALL
if ${raw(has('apt'))}; then
  echo mgr=apt
  s=$(stat -c %Y /var/lib/apt/periodic/update-success-stamp 2>/dev/null || ls -t /var/lib/apt/lists/* 2>/dev/null | head -n1 | xargs -r stat -c %Y)
  [ -n "$s" ] && echo stamp=$s
  echo now=$(date +%s)
  ${names.length ? installedList(sh`dpkg-query -W -f=${DPKG_FORMAT} ${names} 2>/dev/null`) : sh`:`}
  echo @@policy
  ${candidatesOf((list) => sh`apt-cache policy ${list} 2>/dev/null`)}
elif ${raw(has('dnf'))} || ${raw(has('yum'))}; then
  if ${raw(has('dnf'))}; then echo mgr=dnf; m=dnf; else echo mgr=yum; m=yum; fi
  ${names.length ? installedList(sh`rpm -q --qf ${RPM_FORMAT} ${names} 2>/dev/null | grep ^pkg=`) : sh`:`}
  echo @@available
  ${candidatesOf((list) => sh`$m -q list available ${list} 2>/dev/null`)}
else
  echo mgr=none
fi
echo @@end`;
}

/** Parses `apt-cache policy` blocks: `name:` then `  Installed: v` / `  Candidate: v`. */
function parsePolicy(lines: string[], pkgs: Record<string, PkgInfo>): void {
  let cur: string | undefined;
  for (const l of lines) {
    const head = /^(\S+):$/.exec(l);
    if (head) {
      cur = head[1]!.replace(/:\w+$/, ''); // keepalived:amd64 -> keepalived
      continue;
    }
    const cand = /^\s+Candidate:\s+(\S+)/.exec(l);
    if (cur && cand && cand[1] !== '(none)') (pkgs[cur] ??= {}).candidate = cand[1]!;
  }
}

/** `yum list available` rows: `name.arch   version   repo` (newer than installed, or not installed). */
function parseAvailable(lines: string[], pkgs: Record<string, PkgInfo>): void {
  for (const l of lines) {
    const m = /^(\S+)\.(\w+)\s+(\S+)\s+\S+$/.exec(l);
    if (m) (pkgs[m[1]!] ??= {}).candidate = m[3]!;
  }
}

export function parsePackageProbe(stdout: string): PackageState {
  const lines = stdout.split('\n');
  if (!lines.includes('@@end')) throw new Error('the package probe did not finish');
  const kv = new Map<string, string>();
  const pkgs: Record<string, PkgInfo> = {};
  let section = '';
  const rest: string[] = [];
  for (const l of lines) {
    if (l.startsWith('@@')) {
      section = l.slice(2);
      continue;
    }
    if (section) {
      rest.push(l);
      continue;
    }
    const pkg = /^pkg=([^\t]+)\t([^\t]*)\t(.*)$/.exec(l);
    if (pkg) {
      const [, name, status, version] = pkg as unknown as [string, string, string, string];
      const p = (pkgs[name] ??= {});
      if (status === 'installed') p.installed = version;
      else if (status === 'config-files') p.configFiles = true;
      continue;
    }
    const i = l.indexOf('=');
    if (i > 0) kv.set(l.slice(0, i), l.slice(i + 1));
  }
  const mgr = (kv.get('mgr') ?? 'none') as PackageState['mgr'];
  if (mgr === 'apt') parsePolicy(rest, pkgs);
  else parseAvailable(rest, pkgs);
  const stamp = Number(kv.get('stamp'));
  const now = Number(kv.get('now'));
  return {
    mgr,
    pkgs,
    ...(kv.has('stamp') && Number.isFinite(stamp) && Number.isFinite(now) ? { cacheAge: now - stamp } : {}),
  };
}
