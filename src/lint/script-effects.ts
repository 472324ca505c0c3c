// What an init script does to the cluster, read from its syntax tree (mvdan/sh's parser, the
// one shfmt uses): addresses added or removed and on which interface, IPVS services and real
// servers, sysctls written, routes, ARP settings, services started, and the tools it calls.
// The script is not run: variables set by plain assignments are followed, `for` loops over word
// lists are unrolled, functions are entered where they are called, and `case "$1"` tells which
// action (start, stop...) each effect belongs to. What cannot be known (command output, values
// from the environment) stays as written (`$VAR`).
import { createRequire } from 'node:module';
import type Sh from 'mvdan-sh';
import type { SourcePos } from '../diagnostics.js';

export interface Effect {
  pos: SourcePos;
  /** Its place in the order the script runs (functions where called, loops unrolled). */
  seq: number;
  /** The `$1` actions it runs under (`start`...); empty when it runs whatever the action. */
  actions: string[];
}
export interface AddressEffect extends Effect {
  op: 'add' | 'del';
  /** `address` or `address/prefix`. */
  address: string;
  prefix?: number;
  /** The interface without its alias (`eth0` for `eth0:0`). */
  iface?: string;
  /** The alias or label (`eth0:0`), when one is given. */
  label?: string;
  tool: 'ip' | 'ifconfig';
}
export interface IpvsEffect extends Effect {
  op: 'clear' | 'add-service' | 'edit-service' | 'del-service' | 'add-real' | 'edit-real' | 'del-real' | 'other';
  /** `VIP:PORT` (or the fwmark) for -t/-u/-f. */
  service?: string;
  protocol?: 'tcp' | 'udp' | 'fwmark';
  scheduler?: string;
  real?: string;
  method?: 'DR' | 'NAT' | 'TUN';
  weight?: number;
}
export interface SysctlEffect extends Effect {
  /** Dotted name: `net.ipv4.ip_forward`. */
  key: string;
  value: string;
}
export interface RouteEffect extends Effect {
  op: string;
  args: string[];
}
export interface ServiceEffect extends Effect {
  name: string;
  op: string;
}
export interface CommandUse extends Effect {
  name: string;
}
export interface ScriptEffects {
  file: string;
  addresses: AddressEffect[];
  ipvs: IpvsEffect[];
  sysctls: SysctlEffect[];
  routes: RouteEffect[];
  /** arptables rules (the other way to keep a real server from answering ARP). */
  arptables: Effect[];
  services: ServiceEffect[];
  commands: CommandUse[];
  /** The actions a `Usage:` line lists, with its place. */
  usage?: { actions: string[]; pos: SourcePos };
  /** The patterns of `case "$1"`, with their places. */
  cases: Array<{ action: string; pos: SourcePos }>;
}

export class ScriptParseError extends Error {
  constructor(
    message: string,
    readonly pos: SourcePos,
  ) {
    super(message);
  }
}

/* eslint-disable @typescript-eslint/no-explicit-any -- mvdan-sh is GopherJS output without types */
type Node = any;
// Loaded on the first script only: it takes ~0.1 s, which `lvsplay run` (it lints the plan, never
// a script) should not pay.
let shLib: typeof Sh | undefined;
const sh = (): typeof Sh => (shLib ??= createRequire(import.meta.url)('mvdan-sh') as typeof Sh);
const type = (n: Node): string => sh().syntax.NodeType(n);

const MASK_PREFIX: Record<string, number> = {
  '255.255.255.255': 32,
  '255.255.255.0': 24,
  '255.255.0.0': 16,
  '255.0.0.0': 8,
};
const RDR_OUT = new Set([54, 55, 60]); // >, >>, >|
const DEFAULT_OPS = new Set([70, 71, 74, 75]); // -, :-, =, :=

/** Reads a script's effects; throws ScriptParseError (with its place) when the shell cannot parse it. */
export function scriptEffects(text: string, file: string): ScriptEffects {
  let tree: Node;
  try {
    const { syntax } = sh();
    tree = syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(text, file);
  } catch (e) {
    const err = e as { Error?: () => string; Text?: string; Pos?: { Line(): number; Col(): number } };
    const line = err.Pos?.Line?.() ?? 1;
    const col = err.Pos?.Col?.() ?? 1;
    throw new ScriptParseError(err.Text ?? err.Error?.() ?? String(e), { file, line, col });
  }
  const out: ScriptEffects = {
    file,
    addresses: [],
    ipvs: [],
    sysctls: [],
    routes: [],
    arptables: [],
    services: [],
    commands: [],
    cases: [],
  };
  const vars = new Map<string, string>();
  const funcs = new Map<string, Node>();
  let seq = 0;
  const active = new Set<string>();
  const posOf = (n: Node): SourcePos => ({ file, line: n.Pos().Line(), col: n.Pos().Col() });

  const wordParts = (parts: Node[]): string =>
    parts
      .map((p) => {
        switch (type(p)) {
          case 'Lit':
            return p.Value as string;
          case 'SglQuoted':
            return p.Value as string;
          case 'DblQuoted':
            return wordParts(p.Parts);
          case 'ParamExp': {
            const name = p.Param.Value as string;
            const value = vars.get(name);
            // ${V:-d} ${V-d} ${V:=d} ${V=d}: the default when V is not known
            if (value === undefined && p.Exp?.Word && DEFAULT_OPS.has(p.Exp.Op)) return word(p.Exp.Word);
            return p.Exp || p.Length ? `$${name}` : (value ?? `$${name}`);
          }
          default:
            return '$(...)';
        }
      })
      .join('');
  const word = (w: Node): string => wordParts(w.Parts);
  /** A command's words, an unquoted lone `$VAR` split on blanks as the shell does. */
  const fields = (ws: Node[]): string[] =>
    ws.flatMap((w) => {
      const v = word(w);
      return w.Parts.length === 1 && type(w.Parts[0]) === 'ParamExp' ? v.split(/\s+/).filter(Boolean) : [v];
    });

  const stmts = (list: Node[] | undefined, actions: string[]): void => {
    for (const s of list ?? []) stmt(s, actions);
  };
  const stmt = (s: Node, actions: string[]): void => {
    if (!s) return;
    for (const r of s.Redirs ?? []) {
      if (!RDR_OUT.has(r.Op) || (r.N && r.N.Value !== '1')) continue;
      const target = word(r.Word);
      const m = /^\/proc\/sys\/(.+)$/.exec(target);
      const cmd = s.Cmd && type(s.Cmd) === 'CallExpr' ? fields(s.Cmd.Args) : [];
      if (m && (cmd[0] === 'echo' || cmd[0] === 'printf'))
        out.sysctls.push({
          key: m[1]!.replace(/\//g, '.'),
          value: cmd
            .slice(1)
            .filter((a) => !a.startsWith('-'))
            .join(' '),
          pos: posOf(s),
          actions,
          seq: seq++,
        });
    }
    const c = s.Cmd;
    if (!c) return;
    switch (type(c)) {
      case 'CallExpr':
        return call(c, actions);
      case 'FuncDecl':
        funcs.set(c.Name.Value as string, c.Body);
        return;
      case 'ForClause': {
        const loop = c.Loop;
        if (type(loop) === 'WordIter') {
          const name = loop.Name.Value as string;
          const items = fields(loop.Items);
          const saved = vars.get(name);
          for (const it of items.length ? items : ['$' + name]) {
            vars.set(name, it);
            stmts(c.Do, actions);
          }
          if (saved === undefined) vars.delete(name);
          else vars.set(name, saved);
        } else stmts(c.Do, actions);
        return;
      }
      case 'CaseClause': {
        const subject = word(c.Word);
        const onAction = subject === '$1';
        for (const item of c.Items) {
          const pats = item.Patterns.map((p: Node) => word(p));
          if (onAction)
            for (const [i, p] of pats.entries())
              if (p !== '*') out.cases.push({ action: p, pos: posOf(item.Patterns[i]) });
          const acts = onAction ? pats.filter((p: string) => p !== '*') : actions;
          stmts(item.Stmts, onAction && pats.includes('*') ? actions : acts);
        }
        return;
      }
      case 'IfClause': {
        let ic = c;
        while (ic) {
          stmts(ic.Cond, actions);
          stmts(ic.Then, actions);
          ic = ic.Else;
        }
        return;
      }
      case 'WhileClause':
        stmts(c.Cond, actions);
        stmts(c.Do, actions);
        return;
      case 'Block':
      case 'Subshell':
        stmts(c.Stmts, actions);
        return;
      case 'BinaryCmd':
        stmt(c.X, actions);
        stmt(c.Y, actions);
        return;
      default:
        return;
    }
  };

  const call = (c: Node, actions: string[]): void => {
    for (const a of c.Assigns ?? []) if (a.Name && a.Value) vars.set(a.Name.Value as string, word(a.Value));
    const args = fields(c.Args ?? []);
    if (!args.length) return;
    const pos = posOf(c);
    const name = args[0]!.replace(/^.*\//, '');
    const rest = args.slice(1);
    const fn = funcs.get(args[0]!);
    if (fn && !active.has(args[0]!)) {
      active.add(args[0]!);
      stmt(fn, actions);
      active.delete(args[0]!);
      return;
    }
    out.commands.push({ name, pos, actions, seq: seq++ });
    if ((name === 'echo' || name === 'printf') && /usage:/i.test(rest.join(' '))) {
      const m = /\{([^}]+)\}/.exec(rest.join(' ')) ?? /usage:\s*\S+\s+([\w|-]+)/i.exec(rest.join(' '));
      if (m) out.usage = { actions: m[1]!.split('|').map((x) => x.trim()), pos };
    }
    if (/^\/etc\/(rc\.d\/)?init\.d\//.test(args[0]!)) {
      if (rest[0]) out.services.push({ name, op: rest[0], pos, actions, seq: seq++ });
      return;
    }
    switch (name) {
      case 'ip':
        return ipCommand(rest, pos, actions);
      case 'ifconfig':
        return ifconfig(rest, pos, actions);
      case 'ipvsadm':
        return ipvsadm(rest, pos, actions);
      case 'sysctl':
        for (const a of rest) {
          const m = /^([\w.$/-]+)\s*=\s*(.*)$/.exec(a);
          if (m) out.sysctls.push({ key: m[1]!.replace(/\//g, '.'), value: m[2]!, pos, actions, seq: seq++ });
        }
        return;
      case 'route':
        if (rest[0] === 'add' || rest[0] === 'del')
          out.routes.push({ op: rest[0], args: rest.slice(1), pos, actions, seq: seq++ });
        return;
      case 'arptables':
        out.arptables.push({ pos, actions, seq: seq++ });
        return;
      case 'systemctl': {
        const op = rest.find((a) => !a.startsWith('-'));
        for (const unit of rest.filter((a) => !a.startsWith('-')).slice(1))
          out.services.push({ name: unit.replace(/\.service$/, ''), op: op!, pos, actions, seq: seq++ });
        return;
      }
      case 'service':
      case 'invoke-rc.d':
        if (rest[0] && rest[1]) out.services.push({ name: rest[0], op: rest[1], pos, actions, seq: seq++ });
        return;
    }
  };

  const iface = (dev: string | undefined): string | undefined => dev?.replace(/:.*$/, '');

  const ipCommand = (rest: string[], pos: SourcePos, actions: string[]): void => {
    const a = rest.filter((x) => !/^-\d$|^-[a-z]$/.test(x));
    const obj = a[0] ?? '';
    const op = a[1] ?? '';
    if ('address'.startsWith(obj) && obj.length && ['add', 'del', 'delete', 'a', 'd'].includes(op)) {
      const addr = a[2];
      if (!addr) return;
      const devAt = a.indexOf('dev');
      const [address, prefix] = addr.split('/');
      out.addresses.push({
        op: op.startsWith('a') ? 'add' : 'del',
        address: address!,
        ...(prefix !== undefined && /^\d+$/.test(prefix) ? { prefix: Number(prefix) } : {}),
        ...(devAt >= 0 && a[devAt + 1] ? { iface: iface(a[devAt + 1]) } : {}),
        ...(a.includes('label') && a[a.indexOf('label') + 1] ? { label: a[a.indexOf('label') + 1] } : {}),
        tool: 'ip',
        pos,
        actions,
        seq: seq++,
      });
    } else if ('route'.startsWith(obj) && obj.length && op)
      out.routes.push({ op, args: a.slice(2), pos, actions, seq: seq++ });
  };

  const ifconfig = (rest: string[], pos: SourcePos, actions: string[]): void => {
    const [dev, addr, ...more] = rest;
    if (!dev) return;
    if (addr === 'down' && dev.includes(':')) {
      out.addresses.push({
        op: 'del',
        address: '',
        iface: iface(dev),
        label: dev,
        tool: 'ifconfig',
        pos,
        actions,
        seq: seq++,
      });
      return;
    }
    if (!addr || !/^[\d.$]/.test(addr) || addr === 'up') return;
    const [address, p] = addr.split('/');
    const mask = more[more.indexOf('netmask') + 1];
    const prefix = p !== undefined ? Number(p) : more.includes('netmask') && mask ? MASK_PREFIX[mask] : undefined;
    out.addresses.push({
      op: 'add',
      address: address!,
      ...(prefix !== undefined ? { prefix } : {}),
      iface: iface(dev),
      ...(dev.includes(':') ? { label: dev } : {}),
      tool: 'ifconfig',
      pos,
      actions,
      seq: seq++,
    });
  };

  const ipvsadm = (rest: string[], pos: SourcePos, actions: string[]): void => {
    const flag = (...names: string[]): string | undefined => {
      const i = rest.findIndex((x) => names.includes(x));
      return i >= 0 ? rest[i + 1] : undefined;
    };
    const has = (...names: string[]): boolean => rest.some((x) => names.includes(x));
    const op: IpvsEffect['op'] = has('-C', '--clear')
      ? 'clear'
      : has('-A', '--add-service')
        ? 'add-service'
        : has('-E', '--edit-service')
          ? 'edit-service'
          : has('-D', '--delete-service')
            ? 'del-service'
            : has('-a', '--add-server')
              ? 'add-real'
              : has('-e', '--edit-server')
                ? 'edit-real'
                : has('-d', '--delete-server')
                  ? 'del-real'
                  : 'other';
    const tcp = flag('-t', '--tcp-service');
    const udp = flag('-u', '--udp-service');
    const fw = flag('-f', '--fwmark-service');
    const e: IpvsEffect = { op, pos, actions, seq: seq++ };
    if (tcp ?? udp ?? fw) {
      e.service = (tcp ?? udp ?? fw)!;
      e.protocol = tcp ? 'tcp' : udp ? 'udp' : 'fwmark';
    }
    const sched = flag('-s', '--scheduler');
    if (sched) e.scheduler = sched;
    const real = flag('-r', '--real-server');
    if (real) e.real = real;
    if (has('-g', '--gatewaying')) e.method = 'DR';
    else if (has('-m', '--masquerading')) e.method = 'NAT';
    else if (has('-i', '--ipip')) e.method = 'TUN';
    const w = flag('-w', '--weight');
    if (w !== undefined && /^\d+$/.test(w)) e.weight = Number(w);
    out.ipvs.push(e);
  };

  stmts(tree.Stmts, []);
  return out;
}

/** What a script does, in words, per `$1` action (`always` for what runs whatever the action). */
export function describeEffects(e: ScriptEffects): string {
  const all: Array<{ x: Effect; text: string }> = [];
  const say = (x: Effect, text: string): void => void all.push({ x, text });
  for (const a of e.addresses)
    say(
      a,
      a.op === 'add'
        ? `adds ${a.address}${a.prefix !== undefined ? `/${a.prefix}` : ''} on ${a.label ?? a.iface ?? '?'}`
        : a.address
          ? `removes ${a.address} from ${a.iface ?? '?'}`
          : `takes ${a.label ?? a.iface ?? '?'} down`,
    );
  for (const x of e.ipvs) {
    const what: Record<IpvsEffect['op'], string> = {
      clear: 'clears the IPVS table',
      'add-service': `adds IPVS service ${x.service ?? '?'}${x.scheduler ? ` (${x.scheduler})` : ''}`,
      'edit-service': `changes IPVS service ${x.service ?? '?'}`,
      'del-service': `removes IPVS service ${x.service ?? '?'}`,
      'add-real': `adds real server ${x.real ?? '?'} to ${x.service ?? '?'} (${x.method ?? 'DR'}, weight ${x.weight ?? 1})`,
      'edit-real': `changes real server ${x.real ?? '?'} of ${x.service ?? '?'}`,
      'del-real': `removes real server ${x.real ?? '?'} from ${x.service ?? '?'}`,
      other: 'runs ipvsadm',
    };
    say(x, what[x.op]);
  }
  for (const s of e.sysctls) say(s, `sets ${s.key}=${s.value}`);
  for (const r of e.routes) say(r, `route ${r.op} ${r.args.join(' ')}`);
  for (const s of e.services) say(s, `${s.op} ${s.name}`);
  // In the order the script does them, grouped by action in the order the actions first act.
  const said = new Map<string, string[]>();
  all.sort((a, b) => a.x.seq - b.x.seq);
  for (const { x, text } of all) {
    const key = x.actions.length ? x.actions.join('|') : 'always';
    const list = said.get(key) ?? [];
    if (!list.includes(text)) list.push(text);
    said.set(key, list);
  }
  return [...said].map(([action, list]) => `${action}: ${list.join(', ')}`).join('; ');
}
