// firewall: one rule, present or absent, with Ansible's iptables arguments. The running rule is
// probed with `iptables -C` (on Debian 12 iptables is iptables-nft: the rules live in nftables
// and `nft list ruleset` shows them). The running rules are saved with iptables-save to
// /etc/iptables/rules.v4 (rules.v6), and a small SysV boot script loads them at boot, so a
// reboot keeps the rule. The file is compared with the running rules, so a rerun saves nothing.
import type { z } from 'zod';
import type { Revealed } from '../secret.js';
import { sh, type ShellCommand } from '../transport/quote.js';
import type { ExecResult } from '../transport/types.js';
import { bool, choice, int, list, moduleArgs, str } from './args.js';
import { BOOT_SCRIPT, BOOT_SCRIPT_TEXT, RULES_DIR, ruleText, ruleWords } from './fw-rule.js';
import type { Change, PlanOutcome, StateModule } from './runtime.js';

const firewallArgs = moduleArgs({
  table: choice('filter', 'nat', 'mangle', 'raw', 'security').optional(),
  state: choice('present', 'absent').optional(),
  action: choice('append', 'insert').optional(),
  rule_num: int().optional(),
  ip_version: choice('ipv4', 'ipv6', 'both').optional(),
  chain: str().optional(),
  protocol: str().optional(),
  source: str().optional(),
  destination: str().optional(),
  src_range: str().optional(),
  dst_range: str().optional(),
  match: list().optional(),
  jump: str().optional(),
  in_interface: str().optional(),
  out_interface: str().optional(),
  source_port: str().optional(),
  destination_port: str().optional(),
  destination_ports: list().optional(),
  ctstate: list().optional(),
  icmp_type: str().optional(),
  reject_with: str().optional(),
  limit: str().optional(),
  comment: str().optional(),
  wait: str().optional(),
  numeric: bool().optional(),
});

type FirewallArgs = Revealed<z.output<typeof firewallArgs>>;

export interface FirewallState {
  backend: 'iptables' | 'nft-only' | 'none';
  /** `iptables -C`: 0 the rule is there, 1 it is not, other: the rule or chain is wrong. */
  checkRc?: number;
  checkErr?: string;
  /** The chain exists in the table (iptables-nft answers "Bad rule" for a missing chain). */
  chain?: boolean;
  /** iptables-save output now, and the saved file (undefined when absent). */
  running?: string;
  file?: string;
  boot?: string;
  bootEnabled: boolean;
  /** The rules file this task's ip version saves to. */
  rulesFile?: string;
}

const tools = (v6: boolean) =>
  v6
    ? { ipt: 'ip6tables', save: 'ip6tables-save', file: `${RULES_DIR}/rules.v6` }
    : { ipt: 'iptables', save: 'iptables-save', file: `${RULES_DIR}/rules.v4` };

/** Comments carry timestamps and counters move with traffic: neither makes the file stale. */
export const normaliseSave = (text: string) =>
  text
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
    .map((l) => l.replace(/\[\d+:\d+\]/g, '[0:0]'))
    .join('\n');

function probe(a: FirewallArgs) {
  const t = tools(a.ip_version === 'ipv6');
  const table = a.table ?? 'filter';
  const words = ruleWords(a);
  const b64 = (key: string, cmd: ShellCommand) => sh`printf '%s=' ${key}; ${cmd} | base64 -w0; echo`;
  return {
    cmd: sh`LC_ALL=C; export LC_ALL
if command -v ${t.ipt} >/dev/null 2>&1; then
  echo backend=iptables
  if ${t.ipt} -w -t ${table} -S ${a.chain ?? ''} >/dev/null 2>&1; then echo chain=1; else echo chain=0; fi
  err=$(${t.ipt} -w -t ${table} -C ${a.chain ?? ''} ${words} 2>&1 >/dev/null); echo check_rc=$?
  ${b64('check_err', sh`printf %s "$err"`)}
  ${b64('running', sh`${t.save} 2>/dev/null`)}
  if [ -f ${t.file} ]; then ${b64('file', sh`cat ${t.file}`)}; fi
elif command -v nft >/dev/null 2>&1; then echo backend=nft-only
else echo backend=none; fi
if [ -f ${BOOT_SCRIPT} ]; then ${b64('boot', sh`cat ${BOOT_SCRIPT}`)}; fi
e=0; for f in /etc/rc[S2345].d/S[0-9][0-9]lvsplay-firewall; do [ -e "$f" ] && e=1; done; echo boot_enabled=$e
echo end=1`,
    parse: (r: ExecResult): FirewallState => ({ ...parseFirewallProbe(r.stdout), rulesFile: t.file }),
  };
}

export function parseFirewallProbe(stdout: string): FirewallState {
  const kv = new Map<string, string>();
  for (const l of stdout.split('\n')) {
    const i = l.indexOf('=');
    if (i > 0) kv.set(l.slice(0, i), l.slice(i + 1));
  }
  if (kv.get('end') !== '1') throw new Error('the firewall probe did not finish');
  const text = (k: string) => (kv.has(k) ? Buffer.from(kv.get(k)!, 'base64').toString('utf8') : undefined);
  const s: FirewallState = {
    backend: (kv.get('backend') ?? 'none') as FirewallState['backend'],
    bootEnabled: kv.get('boot_enabled') === '1',
  };
  if (kv.has('check_rc')) s.checkRc = Number(kv.get('check_rc'));
  if (kv.has('chain')) s.chain = kv.get('chain') === '1';
  for (const k of ['checkErr', 'running', 'file', 'boot'] as const) {
    const v = text(k === 'checkErr' ? 'check_err' : k);
    if (v !== undefined) s[k] = v;
  }
  return s;
}

function planFirewall(a: FirewallArgs, s: FirewallState): PlanOutcome {
  if (a.ip_version === 'both')
    return { failed: 'ip_version: both is not supported; write one task for ipv4 and one for ipv6' };
  if (s.backend === 'nft-only')
    return {
      failed:
        'this host has nftables but no iptables command: install the iptables package (iptables-nft), which manages the same kernel rules',
    };
  if (s.backend === 'none') return { failed: 'neither iptables nor nft is installed on this host' };
  if (!a.chain) return { failed: 'chain is required to manage a rule (e.g. chain: INPUT)' };
  const t = tools(a.ip_version === 'ipv6');
  const table = a.table ?? 'filter';
  const words = ruleWords(a);
  const text = ruleText(a.chain, words);
  if (s.chain === false)
    return {
      failed: `chain ${a.chain} does not exist in the ${table} table; use a built-in chain (INPUT, FORWARD, OUTPUT...) or create it first`,
    };
  if (s.checkRc !== 0 && s.checkRc !== 1) {
    return {
      failed: `${t.ipt} cannot check this rule (${text}): ${(s.checkErr ?? '').trim() || `exit ${s.checkRc}`}; check the chain and the arguments`,
    };
  }
  const present = s.checkRc === 0;
  const want = (a.state ?? 'present') === 'present';
  const changes: Change[] = [];
  const ruleDiff = (before: boolean, after: boolean) => ({
    before: before ? `${text}\n` : '',
    after: after ? `${text}\n` : '',
    beforeHeader: `${table} ${a.chain} (running)`,
    afterHeader: `${table} ${a.chain} (running)`,
  });
  if (want !== present) {
    const cmd = !want
      ? sh`${t.ipt} -w -t ${table} -D ${a.chain} ${words}`
      : a.action === 'insert'
        ? sh`${t.ipt} -w -t ${table} -I ${a.chain} ${a.rule_num !== undefined ? [String(a.rule_num)] : []} ${words}`
        : sh`${t.ipt} -w -t ${table} -A ${a.chain} ${words}`;
    changes.push({
      summary: `${want ? 'add' : 'delete'} rule ${table}: ${text}`,
      diff: ruleDiff(present, want),
      steps: [{ run: cmd }],
    });
  }
  // Saved rules: after a rule change the file needs the new running set; without one, only
  // when the file and the running rules differ (a host whose rules were added by hand). The
  // boot script rides along with the save, so each rule task reports the same changes whether
  // an earlier task (or a check run, which writes nothing) already installed it.
  const fileNow = s.file ?? '';
  const ruleChanged = changes.length > 0;
  const stale = ruleChanged || normaliseSave(fileNow) !== normaliseSave(s.running ?? '');
  const bootOk = s.boot === BOOT_SCRIPT_TEXT && s.bootEnabled;
  const bootSteps = bootOk
    ? []
    : [
        ...(s.boot !== BOOT_SCRIPT_TEXT
          ? [
              {
                put: {
                  path: BOOT_SCRIPT,
                  content: BOOT_SCRIPT_TEXT,
                  opts: { mode: 0o755, owner: 'root', group: 'root' },
                },
              },
            ]
          : []),
        {
          run: sh`if command -v update-rc.d >/dev/null 2>&1; then update-rc.d lvsplay-firewall defaults >/dev/null; elif command -v chkconfig >/dev/null 2>&1; then chkconfig --add lvsplay-firewall; fi`,
        },
      ];
  if (stale) {
    changes.push({
      summary: `save the running ${t.ipt} rules to ${t.file}, loaded at boot by ${BOOT_SCRIPT}`,
      // Shown as compared: without timestamps and packet counters, which move on their own.
      ...(ruleChanged
        ? {}
        : {
            diff: {
              before: `${normaliseSave(fileNow)}\n`,
              after: `${normaliseSave(s.running ?? '')}\n`,
              beforeHeader: t.file,
              afterHeader: `${t.file} (running rules)`,
            },
          }),
      steps: [
        {
          // written beside the file and renamed over it; the temp file goes if the shell is ended first
          run: sh`mkdir -p ${RULES_DIR} && ( f=$(mktemp ${`${t.file}.XXXXXX`}) || exit 1; trap 'rm -f "$f"' EXIT; trap 'exit 129' HUP; trap 'exit 141' PIPE; trap 'exit 143' TERM; ${t.save} > "$f" && chmod 0640 "$f" && mv -f "$f" ${t.file} )`,
          writes: { path: t.file, content: s.running ?? '' },
        },
        ...bootSteps,
      ],
    });
  } else if (!bootOk) {
    changes.push({
      summary: `load the saved rules at boot (${BOOT_SCRIPT})`,
      diff: {
        before: s.boot ?? '',
        after: BOOT_SCRIPT_TEXT,
        beforeHeader: s.boot === undefined ? `${BOOT_SCRIPT} (absent)` : BOOT_SCRIPT,
        afterHeader: BOOT_SCRIPT,
      },
      steps: bootSteps,
    });
  }
  return {
    changes,
    data: {
      rule: text,
      table,
      chain: a.chain,
      state: want ? 'present' : 'absent',
      ip_version: a.ip_version ?? 'ipv4',
      rules_file: t.file,
    },
  };
}

export const firewallModule: StateModule<z.output<typeof firewallArgs>, FirewallState> = {
  name: 'firewall',
  // not ansible.builtin.iptables: that one only changes the running rules (see iptables.ts)
  aliases: [],
  exec: 'state',
  args: firewallArgs,
  probe,
  plan: planFirewall,
  // A check run saves nothing; after an earlier task's predicted save the file holds the running
  // rules, as it would after the real save, so this task does not report the same save again.
  overlay: (s, predicted) =>
    s.rulesFile !== undefined && predicted.has(s.rulesFile)
      ? { ...s, file: s.running ?? '', boot: BOOT_SCRIPT_TEXT, bootEnabled: true }
      : s,
};
