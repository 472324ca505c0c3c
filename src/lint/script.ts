// Init scripts as operators write them from blog posts: shellcheck for the shell itself, then a
// model of what the script does to the host (VIP on lo, ARP sysctls, ipvsadm services) so the
// cluster rules apply to it too.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { SourcePos } from '../diagnostics.js';
import { ScriptParseError, scriptEffects, type CommandUse, type Effect, type ScriptEffects } from './script-effects.js';
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
  {
    id: 'script-parse',
    severity: 'error',
    title: 'the init script does not parse as shell',
    why: 'the shell stops at a syntax error: at boot the script does nothing from there on, and lint cannot read what it does',
    fix: 'fix the syntax at the place shown (bash -n SCRIPT says the same)',
  },
  {
    id: 'script-net-tools',
    severity: 'warning',
    title: 'net-tools command (ifconfig, route, arp, netstat) missing on Debian 12/13',
    why: 'Debian 12 and 13 do not install net-tools by default: the command is not found at boot, so the address or route it sets is missing',
    fix: 'use the ip equivalent',
  },
  {
    id: 'script-usage',
    severity: 'warning',
    title: 'the $1 actions handled match the usage line',
    why: 'an action the usage line lists but no case handles prints the usage and fails (systemd and operators call it); an unlisted one is a hidden path nobody tests',
    fix: 'handle every action the usage line lists, and list every action handled',
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

/** What a script's text does (VIP on lo, ARP sysctls, ipvsadm services, and every effect in `model.scripts`), and the findings about it. */
export function scriptModel(text: string, file: string, name = file): ScriptResult {
  const findings: Finding[] = [];
  const model = emptyModel();
  const lines = expandedLines(text, file);
  const [broken, rhel] = [SCRIPT_RULES[1]!, SCRIPT_RULES[2]!];
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
  });
  let effects: ScriptEffects;
  try {
    effects = scriptEffects(text, file);
  } catch (e) {
    if (!(e instanceof ScriptParseError)) throw e;
    const meta = SCRIPT_RULES.find((r) => r.id === 'script-parse')!;
    findings.push({ ...metaFinding(meta), message: `the shell cannot parse this script: ${e.message}`, pos: e.pos });
    return { model, findings };
  }
  findings.push(...scriptOwnFindings(effects));
  modelOfEffects(effects, name, model);
  return { model, findings };
}

const metaFinding = (m: RuleMeta): Omit<Finding, 'message'> => ({
  rule: m.id,
  severity: m.severity,
  why: m.why,
  fix: m.fix,
});

/** Effects that take place when the host boots (`start`) or whatever the action. */
const atStart = (e: Effect): boolean =>
  !e.actions.length || e.actions.some((a) => ['start', 'restart', 'reload', 'force-reload'].includes(a));

/** Classful prefix `ifconfig` gives an address written without a netmask. */
const classful = (address: string): number => {
  const first = Number(address.split('.')[0]);
  return first < 128 ? 8 : first < 192 ? 16 : 24;
};

/** The cluster model of what a script sets up at start: the VIP on lo, ARP sysctls, ipvsadm services. */
function modelOfEffects(effects: ScriptEffects, name: string, model: ClusterModel): void {
  const file = effects.file;
  const rs: RealServerHost = { name, arpIgnore: {}, arpAnnounce: {}, pos: { name: { file, line: 1, col: 1 } } };
  for (const a of effects.addresses.filter(atStart)) {
    if (a.op !== 'add' || a.iface !== 'lo' || !a.address) continue;
    rs.vip = a.address;
    rs.vipPrefix = a.prefix ?? (a.tool === 'ip' ? 32 : classful(a.address));
    rs.pos.vip = a.pos;
    rs.pos.vipPrefix = a.pos;
  }
  for (const s of effects.sysctls.filter(atStart)) {
    const m = /^net\.ipv4\.conf\.([^.]+)\.(arp_ignore|arp_announce)$/.exec(s.key);
    if (!m || !/^\d+$/.test(s.value.trim())) continue;
    (m[2] === 'arp_ignore' ? rs.arpIgnore : rs.arpAnnounce)[m[1]!] = Number(s.value.trim());
    rs.pos[m[2] === 'arp_ignore' ? 'arpIgnore' : 'arpAnnounce'] ??= s.pos;
  }
  if (rs.vip) model.realServerHosts.push(rs);
  const services = new Map<string, VirtualService>();
  for (const e of effects.ipvs.filter(atStart)) {
    const svc = e.protocol !== 'fwmark' ? /^(\d+\.\d+\.\d+\.\d+):(\d+)$/.exec(e.service ?? '') : null;
    if (!svc) continue;
    let s = services.get(e.service!);
    if (!s)
      services.set(
        e.service!,
        (s = { owner: name, vip: svc[1]!, port: Number(svc[2]), realServers: [], pos: { vip: e.pos } }),
      );
    if ((e.op === 'add-service' || e.op === 'edit-service') && e.scheduler) {
      s.algorithm = e.scheduler;
      s.pos.algorithm = e.pos;
    }
    const real = /^(\d+\.\d+\.\d+\.\d+)(?::(\d+))?$/.exec(e.real ?? '');
    if (e.op === 'add-real' && real) {
      if (e.method) s.kind = e.method;
      s.realServers.push({
        address: real[1]!,
        ...(real[2] ? { port: Number(real[2]) } : {}),
        weight: e.weight ?? 1,
        checks: [],
        pos: { address: e.pos, port: e.pos, weight: e.pos },
      });
    }
  }
  // ipvsadm's default forwarding method is gatewaying (-g, DR).
  for (const s of services.values()) model.services.push({ ...s, kind: s.kind ?? 'DR' });
  model.scripts = [{ name, effects }];
}

/** ip equivalents of the net-tools commands Debian 12 and 13 no longer install by default. */
const NET_TOOLS: Record<string, string> = {
  ifconfig: 'ip addr add ADDR/PREFIX dev IFACE label IFACE:N (and ip link set IFACE up)',
  route: 'ip route add|del ...',
  arp: 'ip neigh',
  netstat: 'ss',
};

/** The ip command doing what this ifconfig line does, when it set an address. */
function equivalent(e: ScriptEffects, c: CommandUse): string | undefined {
  if (c.name !== 'ifconfig') return undefined;
  const a = e.addresses.find((x) => x.pos.line === c.pos.line && x.pos.col === c.pos.col);
  if (!a?.address) return undefined;
  const label = a.label && a.label !== a.iface ? ` label ${a.label}` : '';
  return a.op === 'add'
    ? `ip addr add ${a.address}/${a.prefix ?? classful(a.address)} dev ${a.iface}${label}`
    : undefined;
}

/** Findings about the script alone: tools missing on the target release, $1 actions against the usage line. */
function scriptOwnFindings(e: ScriptEffects): Finding[] {
  const out: Finding[] = [];
  const [tools, usage] = [
    SCRIPT_RULES.find((r) => r.id === 'script-net-tools')!,
    SCRIPT_RULES.find((r) => r.id === 'script-usage')!,
  ];
  for (const c of e.commands.filter((x) => NET_TOOLS[x.name] !== undefined))
    out.push({
      ...metaFinding(tools),
      message: `'${c.name}' is not installed on Debian 12 or 13 by default (net-tools is not in a standard installation)`,
      fix: `use ${equivalent(e, c) ?? NET_TOOLS[c.name]}`,
      pos: c.pos,
    });
  if (e.usage && e.cases.length) {
    const handled = new Set(e.cases.map((c) => c.action));
    for (const c of e.cases.filter((x) => !e.usage!.actions.includes(x.action)))
      out.push({
        ...metaFinding(usage),
        message: `the script handles '${c.action}', which its usage line (${e.usage.actions.join('|')}) does not list`,
        pos: c.pos,
      });
    for (const a of e.usage.actions.filter((x) => !handled.has(x)))
      out.push({
        ...metaFinding(usage),
        message: `the usage line lists '${a}', which no case of "$1" handles (it falls to the usage message)`,
        pos: e.usage.pos,
      });
  }
  return out;
}
