// sysctl: one kernel parameter, both at runtime (/proc/sys) and persisted in a sysctl file, so
// a reboot keeps what the run set. Each side is compared on its own: a rerun changes nothing,
// and a runtime value drifted back after a reboot is put right even when the file is already so.
import type { z } from 'zod';
import type { Revealed } from '../secret.js';
import { sh } from '../transport/quote.js';
import type { ExecResult } from '../transport/types.js';
import { bool, choice, moduleArgs, str } from './args.js';
import type { Change, PlanOutcome, StateModule } from './runtime.js';

/** Where values are persisted unless `sysctl_file` says otherwise (read at boot by `sysctl --system`). */
export const DEFAULT_SYSCTL_FILE = '/etc/sysctl.d/99-lvsplay.conf';

const sysctlArgs = moduleArgs(
  {
    name: str(),
    value: str().optional(),
    state: choice('present', 'absent').optional(),
    reload: bool().optional(),
    sysctl_file: str().optional(),
    sysctl_set: bool().optional(),
    ignoreerrors: bool().optional(),
  },
  { key: 'name', val: 'value' },
).superRefine((a, ctx) => {
  if (a.state !== 'absent' && a.value === undefined)
    ctx.addIssue({ code: 'custom', path: ['value'], message: 'is required with state=present' });
});

type SysctlArgs = Revealed<z.output<typeof sysctlArgs>>;

export interface SysctlState {
  /** The key exists under /proc/sys. */
  exists: boolean;
  writable: boolean;
  /** Runtime value, as the kernel prints it (tabs included). */
  runtime?: string;
  /** Persisted file content; undefined when the file does not exist. */
  file?: string;
}

/** `net.ipv4.ip_forward` -> `net/ipv4/ip_forward`; a key written with slashes stays as is. */
export const procPath = (key: string) => `/proc/sys/${key.includes('/') ? key : key.replace(/\./g, '/')}`;

/** Keys may be written with dots or slashes; they name the same parameter. */
const sameKey = (a: string, b: string) => a.replace(/\//g, '.') === b.replace(/\//g, '.');

/** Whitespace inside a value is not significant (`32768\t60999` = `32768 60999`); yes/no are 1/0 as in Ansible. */
export function normaliseValue(v: string): string {
  const s = v.trim().split(/\s+/).join(' ');
  if (/^(yes|true|on)$/i.test(s)) return '1';
  if (/^(no|false|off)$/i.test(s)) return '0';
  return s;
}

function probe(a: SysctlArgs) {
  const path = procPath(String(a.name));
  const file = a.sysctl_file ?? DEFAULT_SYSCTL_FILE;
  // base64 keeps any content (no trailing newline, odd bytes) intact through the line format.
  return {
    cmd: sh`if [ -f ${path} ]; then echo exists=1; else echo exists=0; fi
if [ -w ${path} ]; then echo writable=1; else echo writable=0; fi
if [ -r ${path} ]; then printf 'runtime='; base64 -w0 < ${path}; echo; fi
if [ -f ${file} ]; then printf 'file='; base64 -w0 < ${file}; echo; fi`,
    parse: (r: ExecResult) => parseSysctlProbe(r.stdout),
  };
}

export function parseSysctlProbe(stdout: string): SysctlState {
  const kv = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) kv.set(line.slice(0, i), line.slice(i + 1));
  }
  if (!kv.has('exists')) throw new Error('unexpected probe output');
  const b64 = (k: string) => (kv.has(k) ? Buffer.from(kv.get(k)!, 'base64').toString('utf8') : undefined);
  const runtime = b64('runtime');
  const file = b64('file');
  return {
    exists: kv.get('exists') === '1',
    writable: kv.get('writable') === '1',
    ...(runtime !== undefined ? { runtime } : {}),
    ...(file !== undefined ? { file } : {}),
  };
}

/** The file with `key = value` set (every earlier line for the key replaced by one), or removed. */
export function editSysctlFile(content: string, key: string, value: string | undefined): string {
  const lines = content === '' ? [] : content.replace(/\n$/, '').split('\n');
  const out: string[] = [];
  let placed = false;
  for (const line of lines) {
    const m = /^\s*([^#;=\s][^=]*?)\s*=\s*(.*?)\s*$/.exec(line);
    if (m && sameKey(m[1]!, key)) {
      // A line that already says the same keeps its own spelling (`key=value`, tabs).
      if (value !== undefined && !placed) out.push(normaliseValue(m[2]!) === value ? line : `${key} = ${value}`);
      placed = true;
      continue;
    }
    out.push(line);
  }
  if (value !== undefined && !placed) out.push(`${key} = ${value}`);
  return out.length ? `${out.join('\n')}\n` : '';
}

const keyLines = (content: string, key: string) =>
  content
    .split('\n')
    .filter((l) => {
      const m = /^\s*([^#;=\s][^=]*?)\s*=/.exec(l);
      return m && sameKey(m[1]!, key);
    })
    .map((l) => `${l}\n`)
    .join('');

function planSysctl(a: SysctlArgs, s: SysctlState): PlanOutcome {
  const key = a.name;
  const file = a.sysctl_file ?? DEFAULT_SYSCTL_FILE;
  const want = a.state === 'absent' ? undefined : normaliseValue(String(a.value ?? ''));
  const changes: Change[] = [];
  const before = s.runtime !== undefined ? normaliseValue(s.runtime) : undefined;
  const data = {
    name: key,
    value: want ?? null,
    ...(before !== undefined ? { runtime_value: before } : {}),
    sysctl_file: file,
  };

  const manageRuntime = want !== undefined && (a.sysctl_set ?? a.reload ?? true);
  if (manageRuntime && !s.exists && !a.ignoreerrors) {
    return {
      failed: `${key} is not a kernel parameter on this host (no ${procPath(key)}); check the name, or set ignoreerrors: yes`,
      data,
    };
  }
  if (manageRuntime && s.exists && before !== want) {
    if (!s.writable) {
      return {
        failed: `${key} is read-only on this host (${procPath(key)} cannot be written: the kernel or the container forbids it); set sysctl_set: no and reload: no to only persist it`,
        data,
      };
    }
    changes.push({
      summary: `set ${key} ${before ?? '(unset)'} -> ${want}`,
      diff: {
        before: `${key} = ${before ?? ''}\n`,
        after: `${key} = ${want}\n`,
        beforeHeader: `${key} (runtime)`,
        afterHeader: `${key} (runtime)`,
      },
      // Writing /proc/sys directly needs no sysctl binary and fails loudly, as `sysctl -w` does.
      steps: [{ run: sh`printf '%s\n' ${want} > ${procPath(key)}` }],
    });
  }

  const current = s.file ?? '';
  const next = editSysctlFile(current, key, want);
  if (next !== current && !(s.file === undefined && next === '')) {
    changes.push({
      summary: want === undefined ? `remove ${key} from ${file}` : `persist ${key} = ${want} in ${file}`,
      // The diff names this key's lines only: other tasks may edit the same file, and a check
      // run (which writes nothing) must predict exactly what the real run shows.
      diff: { before: keyLines(current, key), after: keyLines(next, key), beforeHeader: file, afterHeader: file },
      steps: [{ put: { path: file, content: next, opts: s.file === undefined ? { mode: 0o644 } : {} } }],
    });
  }
  return { changes, data };
}

export const sysctlModule: StateModule<z.output<typeof sysctlArgs>, SysctlState> = {
  name: 'sysctl',
  aliases: ['ansible.posix.sysctl'],
  exec: 'state',
  args: sysctlArgs,
  probe,
  plan: planSysctl,
};
