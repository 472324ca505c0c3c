// Init scripts as operators write them from blog posts: shellcheck for the shell itself, then a
// model of what the script does to the host (VIP on lo, ARP sysctls, ipvsadm services) so the
// cluster rules apply to it too.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { SourcePos } from '../diagnostics.js';
import {
  emptyModel,
  type ClusterModel,
  type Finding,
  type LintSeverity,
  type RealServerHost,
  type RuleMeta,
  type VirtualService,
} from './types.js';

export const SCRIPT_RULES: RuleMeta[] = [
  {
    id: 'script-shellcheck',
    severity: 'warning',
    title: 'shellcheck finding in an init script',
    why: 'init scripts run as root at boot, when nobody watches: quoting and portability mistakes there fail silently',
    fix: 'fix what shellcheck reports (https://www.shellcheck.net/wiki/ has a page per code)',
  },
  {
    id: 'script-broken-source',
    severity: 'error',
    title: 'a `.` (source) line that cannot work',
    why: "a sourced path split over two lines (the seed's `. /etc/rc.d/init.d/` + `functions`) sources a directory: the script fails there, and the next line runs a command named after the file",
    fix: 'join the line back: `. /etc/rc.d/init.d/functions` (and on Debian use /lib/lsb/init-functions, or nothing)',
  },
  {
    id: 'script-rhel-functions',
    severity: 'warning',
    title: 'RHEL-only init include',
    why: '/etc/rc.d/init.d/functions exists only on RHEL-like systems; on Debian the script stops at that line',
    fix: 'drop the include (use plain shell) or source /lib/lsb/init-functions on Debian',
  },
];

const SHELLCHECK_LEVEL: Record<string, LintSeverity> = {
  error: 'error',
  warning: 'warning',
  info: 'info',
  style: 'info',
};

interface ShellcheckComment {
  line: number;
  column: number;
  level: string;
  code: number;
  message: string;
}

export function shellcheckFindings(file: string): Finding[] {
  const meta = SCRIPT_RULES[0]!;
  const r = spawnSync('shellcheck', ['-f', 'json1', '-s', 'sh', file], { encoding: 'utf8', timeout: 30_000 });
  if (r.error)
    return [
      {
        rule: meta.id,
        severity: 'warning',
        message: `shellcheck could not run (${(r.error as NodeJS.ErrnoException).code ?? r.error.message})`,
        why: meta.why,
        fix: 'install shellcheck',
        pos: { file, line: 1, col: 1 },
      },
    ];
  let comments: ShellcheckComment[];
  try {
    comments = (JSON.parse(r.stdout) as { comments: ShellcheckComment[] }).comments;
  } catch {
    return [];
  }
  return comments.map((c) => ({
    rule: meta.id,
    severity: SHELLCHECK_LEVEL[c.level] ?? 'warning',
    message: `SC${c.code}: ${c.message}`,
    why: meta.why,
    fix: `see https://www.shellcheck.net/wiki/SC${c.code}`,
    pos: { file, line: c.line, col: c.column },
  }));
}

interface ScriptLine {
  text: string;
  pos: SourcePos;
}

/** Lines with `$NAME`/`${NAME}` expanded from the script's own plain assignments. */
function expandedLines(text: string, file: string): ScriptLine[] {
  const vars = new Map<string, string>();
  const out: ScriptLine[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    const expand = (s: string): string => s.replace(/\$\{?([A-Za-z_]\w*)\}?/g, (m, n: string) => vars.get(n) ?? m);
    const assign = /^([A-Za-z_]\w*)=("([^"]*)"|'([^']*)'|(\S*))$/.exec(line);
    if (assign) vars.set(assign[1]!, expand(assign[3] ?? assign[4] ?? assign[5] ?? ''));
    out.push({ text: expand(line), pos: { file, line: i + 1, col: raw.length - raw.trimStart().length + 1 } });
  });
  return out;
}

const MASK_PREFIX: Record<string, number> = {
  '255.255.255.255': 32,
  '255.255.255.0': 24,
  '255.255.0.0': 16,
  '255.0.0.0': 8,
};

export interface ScriptResult {
  model: ClusterModel;
  findings: Finding[];
}

/** What one init script does, as the cluster model, plus the findings about the script itself. */
export function lintScript(file: string, opts: { shellcheck?: boolean; name?: string } = {}): ScriptResult {
  const findings: Finding[] = opts.shellcheck === false ? [] : shellcheckFindings(file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    findings.push({
      rule: 'lint-config',
      severity: 'error',
      message: `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
      why: 'the script was not checked',
      fix: 'check the path',
    });
    return { model: emptyModel(), findings };
  }
  const r = scriptModel(text, file, opts.name ?? file);
  return { model: r.model, findings: [...findings, ...r.findings] };
}

/** What a script's text does (VIP on lo, ARP sysctls, ipvsadm services), and the findings about its lines. */
export function scriptModel(text: string, file: string, name = file): ScriptResult {
  const findings: Finding[] = [];
  const model = emptyModel();
  const lines = expandedLines(text, file);
  const [broken, rhel] = [SCRIPT_RULES[1]!, SCRIPT_RULES[2]!];
  const rs: RealServerHost = { name, arpIgnore: {}, arpAnnounce: {}, pos: { name: { file, line: 1, col: 1 } } };
  const services = new Map<string, VirtualService>();
  lines.forEach((l, i) => {
    const src = /^(?:\.|source)\s+(\S+)$/.exec(l.text);
    if (src) {
      const path = src[1]!;
      const next = lines[i + 1]?.text ?? '';
      if (path.endsWith('/') || (/^[\w.-]+$/.test(next) && /\/$|init\.d$/.test(path)))
        findings.push({
          rule: broken.id,
          severity: broken.severity,
          message: `sources ${path}, a directory${/^[\w.-]+$/.test(next) ? ` (the rest of the path, '${next}', is on the next line)` : ''}`,
          why: broken.why,
          fix: broken.fix,
          pos: l.pos,
        });
      else if (path === '/etc/rc.d/init.d/functions')
        findings.push({
          rule: rhel.id,
          severity: rhel.severity,
          message: `sources ${path}, which exists only on RHEL-like systems`,
          why: rhel.why,
          fix: rhel.fix,
          pos: l.pos,
        });
    } else if (/^(?:\.|source)$/.test(l.text) && lines[i + 1]) {
      findings.push({
        rule: broken.id,
        severity: broken.severity,
        message: `'.' with nothing to source (the path is on the next line: '${lines[i + 1]!.text}')`,
        why: broken.why,
        fix: broken.fix,
        pos: l.pos,
      });
    }
    // The VIP on lo: `ip addr add VIP/32 dev lo` or `ifconfig lo:0 VIP netmask M`.
    const ipAdd = /\bip\s+(?:-\d\s+)?a(?:ddr(?:ess)?)?\s+add\s+(\d+\.\d+\.\d+\.\d+)(?:\/(\d+))?.*\bdev\s+lo\b/.exec(
      l.text,
    );
    const ifc = /\bifconfig\s+lo(?::\w+)?\s+(\d+\.\d+\.\d+\.\d+)(?:\/(\d+))?(.*)$/.exec(l.text);
    if (ipAdd || ifc) {
      rs.vip = (ipAdd ?? ifc)![1]!;
      const mask = ifc ? /netmask\s+(\S+)/.exec(ifc[3] ?? '')?.[1] : undefined;
      rs.vipPrefix = Number(ipAdd ? (ipAdd[2] ?? 32) : (ifc![2] ?? (mask ? (MASK_PREFIX[mask] ?? 0) : 8)));
      rs.pos.vip = l.pos;
      rs.pos.vipPrefix = l.pos;
    }
    // ARP sysctls, by /proc or sysctl.
    for (const m of l.text.matchAll(
      /(?:echo\s+"?(\d)"?\s*>\s*\/proc\/sys\/net\/ipv4\/conf\/(\w+)\/(arp_ignore|arp_announce))|(?:net\.ipv4\.conf\.(\w+)\.(arp_ignore|arp_announce)\s*=\s*"?(\d))/g,
    )) {
      const [dev, key, value] = m[1] ? [m[2]!, m[3]!, Number(m[1])] : [m[4]!, m[5]!, Number(m[6])];
      const target = key === 'arp_ignore' ? rs.arpIgnore : rs.arpAnnounce;
      target[dev] = value;
      rs.pos[key === 'arp_ignore' ? 'arpIgnore' : 'arpAnnounce'] ??= l.pos;
    }
    // ipvsadm: -A -t VIP:PORT -s SCHED, -a -t VIP:PORT -r RIP[:PORT] -g|-m|-i -w W.
    const ipvs = /\bipvsadm\s+(.*)$/.exec(l.text);
    if (ipvs) {
      const args = ipvs[1]!;
      const svc = /-[tu]\s+(\d+\.\d+\.\d+\.\d+):(\d+)/.exec(args);
      if (!svc) return;
      const key = `${svc[1]}:${svc[2]}`;
      let s = services.get(key);
      if (!s)
        services.set(
          key,
          (s = { owner: name, vip: svc[1]!, port: Number(svc[2]), realServers: [], pos: { vip: l.pos } }),
        );
      if (/(^|\s)-A\b/.test(args)) {
        const sched = /-s\s+(\w+)/.exec(args)?.[1];
        if (sched) {
          s.algorithm = sched;
          s.pos.algorithm = l.pos;
        }
      }
      const real = /-r\s+(\d+\.\d+\.\d+\.\d+)(?::(\d+))?/.exec(args);
      if (/(^|\s)-a\b/.test(args) && real) {
        const kind = /\s-g\b/.test(args) ? 'DR' : /\s-i\b/.test(args) ? 'TUN' : /\s-m\b/.test(args) ? 'NAT' : undefined;
        if (kind) s.kind = kind;
        const w = /-w\s+(\d+)/.exec(args);
        s.realServers.push({
          address: real[1]!,
          ...(real[2] ? { port: Number(real[2]) } : {}),
          weight: w ? Number(w[1]) : 1,
          checks: [],
          pos: { address: l.pos, port: l.pos, weight: l.pos },
        });
      }
    }
  });
  if (rs.vip) model.realServerHosts.push(rs);
  // ipvsadm's default forwarding method is gatewaying (-g, DR).
  for (const s of services.values()) model.services.push({ ...s, kind: s.kind ?? 'DR' });
  return { model, findings };
}
