// iptables: ansible.builtin.iptables as ansible-core 2.14 runs it. One rule present or absent
// (found with `iptables -C`, added with -A or -I), a chain's policy, a flush, a user chain made
// or removed (chain_management), in the running rules only: like Ansible's, it saves nothing, so
// a reboot forgets the rules (lvsplay's own `firewall` module also saves and loads them at boot).
import type { z } from 'zod';
import type { Revealed } from '../secret.js';
import { sh } from '../transport/quote.js';
import type { ExecResult } from '../transport/types.js';
import { bool, choice, dict, list, moduleArgs, str } from './args.js';
import { iptablesRuleWords, type IptablesRuleArgs } from './iptables-rule.js';
import type { Change, PlanOutcome, StateModule } from './runtime.js';

const LOG_LEVELS = ['0', '1', '2', '3', '4', '5', '6', '7'] as const;

const iptablesArgs = moduleArgs({
  table: choice('filter', 'nat', 'mangle', 'raw', 'security').optional(),
  state: choice('present', 'absent').optional(),
  action: choice('append', 'insert').optional(),
  ip_version: choice('ipv4', 'ipv6').optional(),
  chain: str().optional(),
  rule_num: str().optional(),
  protocol: str().optional(),
  wait: str().optional(),
  source: str().optional(),
  to_source: str().optional(),
  destination: str().optional(),
  to_destination: str().optional(),
  match: list().optional(),
  tcp_flags: dict().optional(),
  jump: str().optional(),
  gateway: str().optional(),
  log_prefix: str().optional(),
  log_level: choice(...LOG_LEVELS, 'emerg', 'alert', 'crit', 'error', 'warning', 'notice', 'info', 'debug').optional(),
  goto: str().optional(),
  in_interface: str().optional(),
  out_interface: str().optional(),
  fragment: str().optional(),
  set_counters: str().optional(),
  source_port: str().optional(),
  destination_port: str().optional(),
  destination_ports: list().optional(),
  to_ports: str().optional(),
  set_dscp_mark: str().optional(),
  set_dscp_mark_class: str().optional(),
  comment: str().optional(),
  ctstate: list().optional(),
  src_range: str().optional(),
  dst_range: str().optional(),
  match_set: str().optional(),
  match_set_flags: choice('src', 'dst', 'src,dst', 'dst,src').optional(),
  limit: str().optional(),
  limit_burst: str().optional(),
  uid_owner: str().optional(),
  gid_owner: str().optional(),
  reject_with: str().optional(),
  icmp_type: str().optional(),
  syn: choice('ignore', 'match', 'negate').optional(),
  flush: bool().optional(),
  policy: choice('ACCEPT', 'DROP', 'QUEUE', 'RETURN').optional(),
  chain_management: bool().optional(),
}).superRefine((a, ctx) => {
  if (a.set_dscp_mark !== undefined && a.set_dscp_mark_class !== undefined)
    ctx.addIssue({ code: 'custom', message: 'set_dscp_mark and set_dscp_mark_class are mutually exclusive' });
  if (a.flush && a.policy !== undefined)
    ctx.addIssue({ code: 'custom', message: 'flush and policy are mutually exclusive' });
  if (typeof a.jump === 'string' && a.jump.toLowerCase() === 'tee' && a.gateway === undefined)
    ctx.addIssue({ code: 'custom', path: ['gateway'], message: 'is required with jump: TEE' });
});

type IptablesArgs = Revealed<z.output<typeof iptablesArgs>>;

export interface IptablesState {
  /** `iptables -C` of the rule: 0 it is there. */
  ruleRc: number;
  /** `iptables -L CHAIN`: 0 the chain exists. */
  chainRc: number;
  /** The policy in the chain's header line (built-in chains only). */
  policy?: string;
}

const strings = (v: unknown[] | undefined) => (v ?? []).map(String);

/** The arguments as Ansible's construct_rule sees them (LOG implied by log_prefix/log_level). */
function ruleArgs(a: IptablesArgs): IptablesRuleArgs {
  const r: IptablesRuleArgs = {
    match: strings(a.match),
    destination_ports: strings(a.destination_ports),
    ctstate: strings(a.ctstate),
  };
  for (const k of [
    'ip_version',
    'wait',
    'protocol',
    'source',
    'destination',
    'jump',
    'gateway',
    'log_prefix',
    'log_level',
    'to_destination',
    'to_source',
    'goto',
    'in_interface',
    'out_interface',
    'fragment',
    'set_counters',
    'source_port',
    'destination_port',
    'to_ports',
    'set_dscp_mark',
    'set_dscp_mark_class',
    'syn',
    'src_range',
    'dst_range',
    'match_set',
    'match_set_flags',
    'limit',
    'limit_burst',
    'uid_owner',
    'gid_owner',
    'reject_with',
    'icmp_type',
    'comment',
  ] as const) {
    const v = a[k];
    if (v !== undefined) (r as Record<string, unknown>)[k] = String(v);
  }
  if (a.tcp_flags) {
    const f = a.tcp_flags;
    r.tcp_flags = {
      ...(Array.isArray(f.flags) ? { flags: f.flags.map(String) } : {}),
      ...(Array.isArray(f.flags_set) ? { flags_set: f.flags_set.map(String) } : {}),
    };
  }
  if ((r.log_prefix || r.log_level) && r.jump === undefined) r.jump = 'LOG';
  return r;
}

const binary = (a: IptablesArgs) => (a.ip_version === 'ipv6' ? 'ip6tables' : 'iptables');

function probe(a: IptablesArgs) {
  if (a.flush || !a.chain) return undefined;
  const ipt = binary(a);
  const table = a.table ?? 'filter';
  return {
    cmd: sh`LC_ALL=C; export LC_ALL
command -v ${ipt} >/dev/null 2>&1 || { echo missing=1; exit 0; }
${ipt} -t ${table} -C ${a.chain} ${iptablesRuleWords(ruleArgs(a))} >/dev/null 2>&1; echo rule_rc=$?
${ipt} -t ${table} -n -L ${a.chain} >/dev/null 2>&1; echo chain_rc=$?
printf 'head=%s\\n' "$(${ipt} -t ${table} -n -L ${a.chain} 2>/dev/null | head -n 1)"`,
    parse: (r: ExecResult): IptablesState => parseIptablesProbe(r.stdout),
  };
}

export function parseIptablesProbe(stdout: string): IptablesState {
  if (/^missing=1$/m.test(stdout)) throw new Error('iptables is not installed on this host');
  const last = (k: string) => [...stdout.matchAll(new RegExp(`^${k}=(.*)$`, 'gm'))].pop()?.[1];
  const s: IptablesState = { ruleRc: Number(last('rule_rc') ?? 2), chainRc: Number(last('chain_rc') ?? 1) };
  const policy = /\(policy ([A-Z]+)\)/.exec(last('head') ?? '');
  if (policy) s.policy = policy[1]!;
  return s;
}

function planIptables(a: IptablesArgs, s: IptablesState | undefined): PlanOutcome {
  const ipt = binary(a);
  const table = a.table ?? 'filter';
  const rule = ruleArgs(a);
  if ((a.log_prefix !== undefined || a.log_level !== undefined) && rule.jump !== 'LOG')
    return { failed: 'Logging options can only be used with the LOG jump target.' };
  const words = iptablesRuleWords(rule);
  const state = a.state ?? 'present';
  const data = {
    ip_version: a.ip_version ?? 'ipv4',
    table,
    chain: a.chain ?? null,
    flush: a.flush ?? false,
    rule: words.join(' '),
    state,
    chain_management: a.chain_management ?? false,
  };
  const chainWords = a.chain !== undefined ? [a.chain] : [];
  if (!a.flush && a.chain === undefined) return { failed: 'Either chain or flush parameter must be specified.' };
  const change = (summary: string, cmd: ReturnType<typeof sh>): Change => ({ summary, steps: [{ run: cmd }] });
  if (a.flush) {
    // Ansible reports a flush as a change every time, without looking
    return {
      changes: [change(`flush ${table} ${a.chain ?? '(every chain)'}`, sh`${ipt} -t ${table} -F ${chainWords}`)],
      data,
    };
  }
  const st = s!;
  const chain = a.chain!;
  if (a.policy !== undefined) {
    if (!st.policy) return { failed: "Can't detect current policy" };
    if (st.policy === a.policy) return { changes: [], data };
    return {
      changes: [
        {
          summary: `set the policy of ${table} ${chain} to ${a.policy}`,
          diff: {
            before: `${st.policy}\n`,
            after: `${a.policy}\n`,
            beforeHeader: `${table} ${chain} policy`,
            afterHeader: `${table} ${chain} policy`,
          },
          steps: [{ run: sh`${ipt} -t ${table} -P ${chain} ${a.policy}` }],
        },
      ],
      data,
    };
  }
  const chainPresent = st.chainRc === 0;
  if (state === 'absent' && words.length === 0) {
    if (!chainPresent) return { changes: [], data };
    return {
      changes: [
        a.chain_management
          ? change(`delete chain ${table} ${chain}`, sh`${ipt} -t ${table} -X ${chain}`)
          : // Ansible reports the change and does nothing without chain_management
            { summary: `chain ${table} ${chain} is present (chain_management is off: left as it is)`, steps: [] },
      ],
      data,
    };
  }
  const present = st.ruleRc === 0;
  const wanted = state === 'present';
  if (present === wanted) return { changes: [], data };
  const text = `-A ${chain} ${words.join(' ')}`.trim();
  const diff = {
    before: present ? `${text}\n` : '',
    after: wanted ? `${text}\n` : '',
    beforeHeader: `${table} ${chain} (running)`,
    afterHeader: `${table} ${chain} (running)`,
  };
  if (!wanted)
    return {
      changes: [
        {
          summary: `delete rule ${table}: ${text}`,
          diff,
          steps: [{ run: sh`${ipt} -t ${table} -D ${chain} ${words}` }],
        },
      ],
      data,
    };
  const steps = [];
  if (!chainPresent && a.chain_management) steps.push({ run: sh`${ipt} -t ${table} -N ${chain}` });
  steps.push({
    run:
      a.action === 'insert'
        ? sh`${ipt} -t ${table} -I ${chain} ${a.rule_num !== undefined && a.rule_num !== '' ? [String(a.rule_num)] : []} ${words}`
        : sh`${ipt} -t ${table} -A ${chain} ${words}`,
  });
  return { changes: [{ summary: `add rule ${table}: ${text}`, diff, steps }], data };
}

export const iptablesModule: StateModule<z.output<typeof iptablesArgs>, IptablesState | undefined> = {
  name: 'ansible.builtin.iptables',
  aliases: ['iptables'],
  exec: 'state',
  args: iptablesArgs,
  probe,
  plan: planIptables,
};
