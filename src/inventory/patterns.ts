// Ansible's host patterns, for a play's `hosts:` and for `--limit`: `a:b` or `a,b` (union),
// `a:&b` (intersection), `a:!b` (exclusion), shell wildcards, `~regex`, subscripts `g[0]`,
// `g[1:3]`, `g[-1]`, and `@file` (one host per line, as a retry file). Results come in
// inventory order: the union in the order its parts were written, then `&` and `!` applied.
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { closest, diag, type Diagnostic, type SourcePos } from '../diagnostics.js';
import { hostsOfGroup } from './model.js';
import { parseAddress } from './ranges.js';
import type { Inventory } from './types.js';
import { hostVarsOf } from './vars.js';

export interface PatternOptions {
  /** Where `@file` names are resolved from. */
  cwd?: string;
  /** Where the pattern was written (a play's `hosts:`), for diagnostics. */
  pos?: SourcePos;
}

export interface Selection {
  hosts: string[];
  diagnostics: Diagnostic[];
}

/** Names Ansible treats as the implicit localhost when no inventory host matches them. */
export const LOCALHOST_NAMES = ['localhost', '127.0.0.1', '::1'];

const SUBSCRIPT = /^(.+)\[(?:(-?[0-9]+)|([0-9]+)([:-])([0-9]*))\]$/;

/** Ansible's split_host_pattern: commas always separate; colons do unless the whole is an address. */
export function splitHostPattern(pattern: string): string[] {
  let parts: string[];
  if (pattern.includes(',')) parts = pattern.split(',');
  else if (parseAddress(pattern)) parts = [pattern];
  else parts = pattern.match(/(?:[^\s:[\]]|\[[^\]]*\])+/g) ?? [];
  return parts.map((p) => p.trim()).filter(Boolean);
}

/** Python's fnmatch.translate, anchored at both ends and case-sensitive as Ansible uses it. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      let j = i + 1;
      if (glob[j] === '!') j++;
      if (glob[j] === ']') j++;
      while (j < glob.length && glob[j] !== ']') j++;
      if (j >= glob.length) re += '\\[';
      else {
        let body = glob.slice(i + 1, j).replace(/\\/g, '\\\\');
        if (body.startsWith('!')) body = '^' + body.slice(1);
        else if (body.startsWith('^')) body = '\\' + body;
        re += `[${body}]`;
        i = j;
      }
    } else re += c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
  }
  return new RegExp(`^(?:${re})$`, 's');
}

class PatternError extends Error {}

function matcher(pattern: string): RegExp {
  if (!pattern.startsWith('~')) return globToRegExp(pattern);
  try {
    // Python's re.match anchors at the start only.
    return new RegExp(`^(?:${pattern.slice(1)})`);
  } catch {
    throw new PatternError(`invalid regular expression in host pattern '${pattern}'`);
  }
}

function splitSubscript(pattern: string): { expr: string; sub?: [number, number | undefined] } {
  if (pattern.startsWith('~')) return { expr: pattern };
  const m = SUBSCRIPT.exec(pattern);
  if (!m) return { expr: pattern };
  if (m[2] !== undefined) return { expr: m[1]!, sub: [Number(m[2]), undefined] };
  return { expr: m[1]!, sub: [Number(m[3]), m[5] ? Number(m[5]) : -1] };
}

function applySubscript(hosts: string[], sub: [number, number | undefined] | undefined, pattern: string): string[] {
  if (!hosts.length || !sub) return hosts;
  const [start, end] = sub;
  // Ansible: an end of 0 is falsy, so `g[0:0]` picks one host like `g[0]`.
  if (end) return hosts.slice(start, (end === -1 ? hosts.length - 1 : end) + 1);
  const i = start < 0 ? hosts.length + start : start;
  if (i < 0 || i >= hosts.length) throw new PatternError(`no hosts matched the subscripted pattern '${pattern}' (the group has ${hosts.length} host(s))`);
  return [hosts[i]!];
}

function enumerate(inv: Inventory, pattern: string): { hosts: string[]; matchedGroup: boolean } {
  const re = matcher(pattern);
  const out: string[] = [];
  const groups = [...inv.groups.keys()].filter((g) => re.test(g));
  // One push per host: a spread of a 150,000-host group would overflow the call stack.
  for (const g of groups) for (const h of hostsOfGroup(inv, g)) out.push(h);
  if (!groups.length || pattern.startsWith('~') || /[.?*[]/.test(pattern)) {
    for (const h of inv.hosts.keys()) if (re.test(h)) out.push(h);
  }
  if (!out.length && !groups.length && !/[?*[~]/.test(pattern)) {
    // Beyond Ansible: a literal pattern that names no host may be a host's address.
    for (const h of inv.hosts.keys()) if (hostVarsOf(inv, h)['ansible_host'] === pattern) out.push(h);
  }
  if (!out.length && LOCALHOST_NAMES.includes(pattern)) out.push(pattern);
  return { hosts: out, matchedGroup: groups.length > 0 };
}

function readPatternFile(name: string, opts: PatternOptions, ds: Diagnostic[]): string[] {
  const path = isAbsolute(name) ? name : resolve(opts.cwd ?? process.cwd(), name);
  try {
    if (statSync(path).isDirectory()) {
      ds.push(diag(`@${name} is a directory, not a file of host names`, opts.pos, 'give a retry file: one host name per line'));
      return [];
    }
    return readFileSync(path, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
  } catch {
    ds.push(diag(`cannot find the host list file @${name}`, opts.pos, 'check the path after @ (it is resolved from the current directory)'));
    return [];
  }
}

/** The host patterns after `@file` entries are replaced by the file's lines. */
function expandFiles(pattern: string, opts: PatternOptions, ds: Diagnostic[]): string[] {
  return splitHostPattern(pattern).flatMap((p) => (p.startsWith('@') ? readPatternFile(p.slice(1), opts, ds) : [p]));
}

function evaluate(inv: Inventory, patterns: string[], whole: string, opts: PatternOptions, ds: Diagnostic[]): string[] {
  const regular = patterns.filter((p) => p[0] !== '!' && p[0] !== '&');
  const ordered = [...(regular.length ? regular : ['all']), ...patterns.filter((p) => p[0] === '&'), ...patterns.filter((p) => p[0] === '!')];
  let hosts: string[] = [];
  for (const p of ordered) {
    if (inv.hosts.has(p)) {
      if (!hosts.includes(p)) hosts.push(p);
      continue;
    }
    const bare = p[0] === '!' || p[0] === '&' ? p.slice(1) : p;
    let that: string[];
    try {
      const { expr, sub } = splitSubscript(bare);
      const found = enumerate(inv, expr);
      that = applySubscript(found.hosts, sub, bare);
      if (!found.hosts.length && !found.matchedGroup && bare !== 'all') {
        const guess = closest(bare, [...inv.groups.keys(), ...inv.hosts.keys()]);
        ds.push(
          diag(`host pattern '${bare}' matches no host or group${whole !== bare ? ` (in '${whole}')` : ''}`, opts.pos, guess ? `did you mean '${guess}'?` : 'check the name against `lvsplay inventory --graph`', 'warning'),
        );
      }
    } catch (e) {
      if (!(e instanceof PatternError)) throw e;
      ds.push(diag(e.message, opts.pos, 'fix the pattern'));
      continue;
    }
    if (p[0] === '!') {
      const drop = new Set(that);
      hosts = hosts.filter((h) => !drop.has(h));
    } else if (p[0] === '&') {
      const keep = new Set(that);
      hosts = hosts.filter((h) => keep.has(h));
    } else {
      const have = new Set(hosts);
      for (const h of that) {
        if (!have.has(h)) {
          have.add(h);
          hosts.push(h);
        }
      }
    }
  }
  return hosts;
}

/** The hosts a pattern selects. An empty selection is an error that names the pattern. */
export function selectHosts(inv: Inventory, pattern: string, opts: PatternOptions = {}): Selection {
  const ds: Diagnostic[] = [];
  const hosts = evaluate(inv, expandFiles(pattern, opts, ds), pattern, opts, ds);
  if (!hosts.length && !ds.some((d) => d.severity === 'error')) {
    ds.push(diag(`host pattern '${pattern}' matches no hosts`, opts.pos, 'check the pattern against `lvsplay inventory --graph`'));
  }
  if (hosts.length) return { hosts, diagnostics: ds };
  // The per-part warnings only repeat what the error says.
  return { hosts, diagnostics: ds.filter((d) => d.severity === 'error') };
}

/**
 * `--limit`: keeps the hosts (in their order) that the limit pattern selects. A limit that
 * leaves no host is an error naming it.
 */
export function limitHosts(inv: Inventory, hosts: string[], limit: string | undefined, opts: PatternOptions = {}): Selection {
  if (limit === undefined || limit === '') return { hosts, diagnostics: [] };
  const ds: Diagnostic[] = [];
  const allowed = new Set(evaluate(inv, expandFiles(limit, opts, ds), limit, opts, ds));
  const kept = hosts.filter((h) => allowed.has(h));
  if (!kept.length && !ds.some((d) => d.severity === 'error')) {
    ds.push(diag(`--limit '${limit}' leaves no hosts to run on`, opts.pos, 'check the limit against `lvsplay inventory --graph`'));
  }
  return { hosts: kept, diagnostics: kept.length ? ds : ds.filter((d) => d.severity === 'error') };
}
