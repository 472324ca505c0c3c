// community.general.iptables_state, state=saved: the running rules written to a file as the
// collection's module writes them (iptables-save's text without the dates of its comment lines,
// counters as [0:0] unless `counters`, no empty lines), so the file is rewritten only when the
// rules changed. Like the collection's module, a host with no table yet gets one listed first
// (`iptables -L -n`), so the file is never empty. state=restored (which the collection runs with
// a timed rollback) is not implemented: the task fails on the host with a message saying so.
import type { z } from 'zod';
import type { Revealed } from '../secret.js';
import { sh } from '../transport/quote.js';
import type { ExecResult } from '../transport/types.js';
import { bool, choice, int, moduleArgs, str } from './args.js';
import type { PlanOutcome, StateModule } from './runtime.js';

const TABLES = ['filter', 'mangle', 'nat', 'raw', 'security'] as const;

const iptablesStateArgs = moduleArgs({
  path: str(),
  state: choice('saved', 'restored'),
  table: choice(...TABLES).optional(),
  noflush: bool().optional(),
  counters: bool().optional(),
  modprobe: str().optional(),
  ip_version: choice('ipv4', 'ipv6').optional(),
  wait: int().optional(),
});

type IptablesStateArgs = Revealed<z.output<typeof iptablesStateArgs>>;

export interface IptablesSaveState {
  /** iptables-save's output (after the empty-state initialisation). */
  saved: string;
  /** The file's text; undefined when it does not exist. */
  file?: string;
  /** The file's directory exists. */
  dirExists: boolean;
}

const tool = (a: IptablesStateArgs, name: 'iptables' | 'iptables-save' | 'iptables-restore') =>
  a.ip_version === 'ipv6' ? name.replace('iptables', 'ip6tables') : name;

function saveWords(a: IptablesStateArgs): string[] {
  const w: string[] = [];
  if (a.counters) w.push('--counters');
  if (a.table) w.push('--table', a.table);
  if (a.modprobe) w.push('--modprobe', String(a.modprobe));
  return w;
}

function probe(a: IptablesStateArgs) {
  if (a.state !== 'saved') return undefined;
  const ipt = tool(a, 'iptables');
  const save = tool(a, 'iptables-save');
  const restore = tool(a, 'iptables-restore');
  const table = a.table ?? 'filter';
  const path = String(a.path);
  const dir = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) || '/' : '.';
  return {
    cmd: sh`LC_ALL=C; export LC_ALL
command -v ${save} >/dev/null 2>&1 || { echo missing=1; exit 0; }
# a table no rule has touched yet is not in the output: listing it makes it, or else restoring
# an empty one, as the collection does (without a table named: only when there is no table at all)
has() { if [ -n ${a.table ?? ''} ]; then ${save} | grep -qx ${`*${table}`}; else [ -n "$(${save})" ]; fi; }
if ! has; then
  ${ipt} -L -n -t ${table} >/dev/null 2>&1
  has || printf '*%s\\n:OUTPUT ACCEPT\\nCOMMIT\\n' ${table} | ${restore}
fi
printf 'saved='; ${save} ${saveWords(a)} | base64 -w0; echo
if [ -d ${dir} ]; then echo dir=1; fi
if [ -f ${path} ]; then printf 'file='; base64 -w0 < ${path}; echo; fi
echo end=1`,
    parse: (r: ExecResult): IptablesSaveState => parseIptablesStateProbe(r.stdout),
  };
}

export function parseIptablesStateProbe(stdout: string): IptablesSaveState {
  if (/^missing=1$/m.test(stdout)) throw new Error('iptables-save is not installed on this host');
  const kv = new Map<string, string>();
  for (const l of stdout.split('\n')) {
    const i = l.indexOf('=');
    if (i > 0) kv.set(l.slice(0, i), l.slice(i + 1));
  }
  if (kv.get('end') !== '1') throw new Error('the iptables_state probe did not finish');
  const text = (k: string) => Buffer.from(kv.get(k) ?? '', 'base64').toString('utf8');
  const s: IptablesSaveState = { saved: text('saved'), dirExists: kv.get('dir') === '1' };
  if (kv.has('file')) s.file = text('file');
  return s;
}

/** filter_and_format_state(): the lines the collection writes. */
export function formatState(saved: string, counters: boolean): string[] {
  let s = saved.replace(/((^|\n)# (Generated|Completed)[^\n]*) on [^\n]*/g, '$1');
  if (!counters) s = s.replace(/\[[0-9]+:[0-9]+\]/g, '[0:0]');
  return s.split('\n').filter((l) => l !== '');
}

/** per_table_state(): each table's rules without its header, COMMIT and counters. */
function perTable(lines: string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  let current: string[] | undefined;
  for (const l of lines) {
    const head = /^\*(\w+)$/.exec(l);
    if (head) {
      current = out[head[1]!] = [];
      continue;
    }
    if (!current || l === 'COMMIT' || l.startsWith('# Generated') || l.startsWith('# Completed')) continue;
    const bare = l.replace(/ *\[[0-9]+:[0-9]+\] */g, '');
    if (bare !== '') current.push(bare);
  }
  return out;
}

function planIptablesState(a: IptablesStateArgs, s: IptablesSaveState | undefined): PlanOutcome {
  if (a.state !== 'saved' || !s)
    return {
      failed:
        'iptables_state state=restored is not implemented by lvsplay: restore with a command task (iptables-restore FILE), or save with state=saved',
    };
  const path = String(a.path);
  if (!path.startsWith('/')) return { failed: `path must be absolute, got ${path}` };
  const lines = formatState(s.saved, a.counters ?? false);
  const content = `${lines.join('\n')}\n`;
  const data = {
    cmd: [tool(a, 'iptables-save'), ...saveWords(a)].join(' '),
    tables: perTable(lines),
    initial_state: lines,
    saved: lines,
  };
  if (s.file === content) return { changes: [], data };
  const dir = path.slice(0, path.lastIndexOf('/')) || '/';
  return {
    changes: [
      {
        // no diff, as the collection gives none: in check mode the rules a task before this one
        // would add are not running yet, so the text shown could not be the text written
        summary: `save the running ${tool(a, 'iptables')} rules to ${path}`,
        steps: [
          ...(s.dirExists ? [] : [{ run: sh`mkdir -p ${dir}` }]),
          // a new file is made under the collection's umask 077; an existing one keeps its mode
          { put: { path, content, opts: s.file === undefined ? { mode: 0o600 } : {} } },
        ],
      },
    ],
    data,
  };
}

export const iptablesStateModule: StateModule<z.output<typeof iptablesStateArgs>, IptablesSaveState | undefined> = {
  name: 'community.general.iptables_state',
  aliases: ['community.general.system.iptables_state'],
  exec: 'state',
  args: iptablesStateArgs,
  probe,
  plan: planIptablesState,
};
