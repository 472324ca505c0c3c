// ansible.builtin.iptables, differentially: each case's tasks are run by ansible-playbook 2.14 in
// one fresh network namespace and by lvsplay in another (local connection, the kernel's
// per-namespace rules; nothing of this machine's own rules is read or touched, no packet is
// sent). Each tool runs the case in check mode, then for real, then again; per task the changed
// flags must be equal in all three runs, and the rules left (iptables-save) identical.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bounded, runTool } from '../helpers/compat.js';

const BIN = join(import.meta.dirname, '../../bin/lvsplay.js');

/** Case name -> its tasks (YAML, under `tasks:`). Chains are made by a first command where needed. */
const CASES: Record<string, string> = {
  'append a rule with a comment, then the same rule again': `
    - iptables: { chain: INPUT, protocol: tcp, destination_port: "22", jump: ACCEPT, comment: "ssh from 'anywhere'" }
    - iptables: { chain: INPUT, protocol: tcp, destination_port: "22", jump: ACCEPT, comment: "ssh from 'anywhere'" }`,
  'insert at a position, negated source': `
    - iptables: { chain: INPUT, protocol: udp, destination_port: "53", jump: ACCEPT }
    - iptables: { chain: INPUT, action: insert, rule_num: "1", protocol: tcp, source: "!10.0.0.0/8", destination_port: "80", jump: DROP }`,
  'remove a rule that is there and one that is not': `
    - iptables: { chain: FORWARD, protocol: icmp, icmp_type: echo-request, jump: ACCEPT }
    - iptables: { chain: FORWARD, protocol: icmp, icmp_type: echo-request, jump: ACCEPT, state: absent }
    - iptables: { chain: FORWARD, protocol: tcp, destination_port: "25", jump: REJECT, state: absent }`,
  'conntrack states, multiport and a port range': `
    - iptables: { chain: INPUT, ctstate: [ESTABLISHED, RELATED], jump: ACCEPT }
    - iptables: { chain: INPUT, protocol: tcp, destination_ports: ["80", "443", "8000:8080"], jump: ACCEPT }
    - iptables: { chain: INPUT, match: [state], ctstate: NEW, protocol: tcp, destination_port: "3306", jump: ACCEPT }`,
  'vrrp by number, an interface, reject_with without jump': `
    - iptables: { chain: INPUT, protocol: "112", in_interface: lo, jump: ACCEPT }
    - iptables: { chain: OUTPUT, protocol: tcp, destination_port: "23", reject_with: tcp-reset }`,
  'nat table: dnat and snat': `
    - iptables: { table: nat, chain: PREROUTING, protocol: tcp, destination: 192.0.2.10, destination_port: "80", jump: DNAT, to_destination: "192.0.2.20:8080" }
    - iptables: { table: nat, chain: POSTROUTING, out_interface: lo, jump: SNAT, to_source: 192.0.2.1 }`,
  'policy set twice': `
    - iptables: { chain: FORWARD, policy: DROP }
    - iptables: { chain: FORWARD, policy: DROP }
    - iptables: { chain: OUTPUT, policy: ACCEPT }`,
  'flush a chain (always a change)': `
    - iptables: { chain: INPUT, protocol: tcp, destination_port: "1", jump: DROP }
    - iptables: { chain: INPUT, flush: true }`,
  'a user chain with chain_management, a jump to it, then removed': `
    - iptables: { chain: LVS, chain_management: true, protocol: tcp, destination_port: "80", jump: ACCEPT }
    - iptables: { chain: INPUT, jump: LVS }
    - iptables: { chain: INPUT, jump: LVS, state: absent }
    - iptables: { chain: LVS, protocol: tcp, destination_port: "80", jump: ACCEPT, state: absent }
    - iptables: { chain: LVS, chain_management: true, state: absent }`,
  'limit, syn, tcp flags and a log prefix (LOG implied)': `
    - iptables: { chain: INPUT, protocol: tcp, syn: match, limit: 10/second, limit_burst: "20", jump: ACCEPT }
    - iptables: { chain: INPUT, protocol: tcp, tcp_flags: { flags: [ALL], flags_set: [ACK, SYN] }, jump: DROP }
    - iptables: { chain: INPUT, protocol: tcp, destination_port: "8443", log_prefix: "lvs: ", log_level: "4" }`,
  'iprange and an owner match on output': `
    - iptables: { chain: INPUT, src_range: 192.0.2.1-192.0.2.9, jump: DROP }
    - iptables: { chain: OUTPUT, uid_owner: "0", protocol: tcp, destination_port: "9999", jump: ACCEPT }`,
  'iptables_state saved: a new file, unchanged, then a rule later': `
    - iptables: { chain: INPUT, protocol: tcp, destination_port: "22", jump: ACCEPT }
    - community.general.iptables_state: { state: saved, path: "{{ out }}/rules.v4" }
    - community.general.iptables_state: { state: saved, path: "{{ out }}/rules.v4" }
    - iptables: { chain: INPUT, protocol: tcp, destination_port: "80", jump: ACCEPT }
    - community.general.iptables_state: { state: saved, path: "{{ out }}/sub/dir/rules.v4", table: filter }`,
  'iptables_state saved from an empty namespace, ipv6 and nat': `
    - community.general.iptables_state: { state: saved, path: "{{ out }}/empty.v4" }
    - community.general.iptables_state: { state: saved, path: "{{ out }}/nat.v4", table: nat }
    - community.general.iptables_state: { state: saved, ip_version: ipv6, path: "{{ out }}/rules.v6" }`,
  'ipv6 rule': `
    - iptables: { ip_version: ipv6, chain: INPUT, protocol: tcp, source: "2001:db8::/32", destination_port: "22", jump: ACCEPT }
    - iptables: { ip_version: ipv6, chain: INPUT, protocol: ipv6-icmp, icmp_type: echo-request, jump: ACCEPT }`,
};

let dir: string;
const namespaces: string[] = [];

function netns(tag: string): string {
  const name = `lvsplay-ipt-${process.pid}-${namespaces.length}-${tag}`;
  execFileSync('ip', ['netns', 'add', name]);
  namespaces.push(name);
  return name;
}

/** The rules left in a namespace, without the comments and counters that differ by run. */
function rules(ns: string): string {
  const dump = (save: string) =>
    execFileSync('ip', ['netns', 'exec', ns, save], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => l.replace(/\[\d+:\d+\]/g, '[0:0]'))
      .join('\n');
  return `${dump('iptables-save')}\n--- ipv6\n${dump('ip6tables-save')}`;
}

interface ToolOutcome {
  check: string[];
  run: string[];
  rerun: string[];
  rules: string;
  /** The files the case wrote under {{ out }}: path (relative), mode and content. */
  files: string;
}

/** Every file under `root`, with its mode and text, sorted. */
function filesUnder(root: string): string {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((x, y) => x.name.localeCompare(y.name))) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(`${relative(root, p)} ${(statSync(p).mode & 0o7777).toString(8)}\n${readFileSync(p, 'utf8')}`);
    }
  };
  walk(root);
  return out.join('\n');
}

interface JsonRun {
  plays: Array<{ tasks: Array<{ hosts: Record<string, { changed?: boolean; failed?: boolean; msg?: string }> }> }>;
}

/** One tool's run of a case in `ns`: per task, 'changed', 'ok' or 'failed: msg'. */
async function runIn(
  tool: 'ansible' | 'lvsplay',
  ns: string,
  book: string,
  check: boolean,
  out: string,
): Promise<string[]> {
  const args =
    tool === 'ansible'
      ? [
          'netns',
          'exec',
          ns,
          'env',
          'ANSIBLE_STDOUT_CALLBACK=json',
          'ansible-playbook',
          '-i',
          'localhost,',
          '-c',
          'local',
          book,
        ]
      : ['netns', 'exec', ns, process.execPath, BIN, 'run', book, '-i', 'localhost,', '-o', 'json'];
  args.push('-e', `out=${out}`);
  if (check) args.push('--check');
  const r = await runTool('ip', args, dir);
  let doc: JsonRun;
  try {
    doc = JSON.parse(r.out.slice(r.out.indexOf('{'))) as JsonRun;
  } catch {
    throw new Error(`${tool} gave no JSON (exit ${r.code}): ${r.out.slice(0, 500)} ${r.err.slice(0, 500)}`);
  }
  return doc.plays.flatMap((p) =>
    p.tasks.map((t) => {
      const h = t.hosts.localhost!;
      return h.failed ? 'failed' : h.changed ? 'changed' : 'ok';
    }),
  );
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lvsplay-ipt-'));
  writeFileSync(join(dir, 'ansible.cfg'), '[defaults]\nretry_files_enabled = False\n');
});

afterAll(() => {
  for (const ns of namespaces) execFileSync('ip', ['netns', 'delete', ns]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('ansible.builtin.iptables against ansible-playbook 2.14, in private network namespaces', () => {
  it('changes, predicts and leaves the rules as Ansible does, case by case', async () => {
    const names = Object.keys(CASES);
    const results = await bounded(
      names.map((name, i) => async () => {
        const book = join(dir, `case${i}.yml`);
        writeFileSync(book, `- hosts: localhost\n  gather_facts: false\n  tasks:${CASES[name]}\n`);
        const out: Partial<Record<'ansible' | 'lvsplay', ToolOutcome>> = {};
        for (const tool of ['ansible', 'lvsplay'] as const) {
          const ns = netns(tool);
          const files = join(dir, `out-${i}-${tool}`);
          mkdirSync(files);
          const check = await runIn(tool, ns, book, true, files);
          const run = await runIn(tool, ns, book, false, files);
          const rerun = await runIn(tool, ns, book, false, files);
          out[tool] = { check, run, rerun, rules: rules(ns), files: filesUnder(files) };
        }
        return { name, ...out };
      }),
      2,
    );
    for (const r of results) {
      const a = r.ansible!;
      console.log(`${r.name}: check ${a.check.join(',')} | run ${a.run.join(',')} | rerun ${a.rerun.join(',')}`);
      const l = r.lvsplay!;
      expect({ check: l.check, run: l.run, rerun: l.rerun }, r.name).toEqual({
        check: a.check,
        run: a.run,
        rerun: a.rerun,
      });
      expect(l.rules, r.name).toBe(a.rules);
      expect(l.files, r.name).toBe(a.files);
    }
    // the oracle is not degenerate: rules were made, and some tasks changed nothing
    expect(results.filter((r) => r.ansible!.rules.includes('-A ')).length).toBeGreaterThanOrEqual(8);
    expect(results.some((r) => r.ansible!.run.includes('ok'))).toBe(true);
  }, 600_000);
});
