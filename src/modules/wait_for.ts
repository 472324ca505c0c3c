// wait_for: polls on the target host, as Ansible's does, with one shell loop bounded by
// `timeout` (the connection's command timeout is set above it, so it never spins forever).
// Ports are tried with `nc -z` when the host has netcat; without it a local port is read from
// /proc/net/tcp{,6}. The script prints one `lvsplay-wait=<ok|timeout|...>` line and the elapsed
// seconds; `judge` turns that into the result.
import type { z } from 'zod';
import type { Revealed } from '../secret.js';
import { sh, raw, type ShellCommand } from '../transport/quote.js';
import type { ExecResult } from '../transport/types.js';
import { choice, int, moduleArgs, str } from './args.js';
import type { ActionResult, HostActionModule } from './runtime.js';

const waitArgs = moduleArgs(
  {
    host: str().optional(),
    port: int().optional(),
    path: str().optional(),
    state: choice('started', 'stopped', 'present', 'absent', 'drained').optional(),
    search_regex: str().optional(),
    timeout: int().optional(),
    connect_timeout: int().optional(),
    delay: int().optional(),
    sleep: int().optional(),
    msg: str().optional(),
  },
  { dest: 'path' },
).superRefine((a, ctx) => {
  if (a.port !== undefined && a.path !== undefined)
    ctx.addIssue({ code: 'custom', path: ['path'], message: 'cannot be used together with port' });
});

export type WaitArgs = Revealed<z.output<typeof waitArgs>>;

const LOCAL = new Set(['127.0.0.1', 'localhost', '0.0.0.0', '::', '::1', '']);

/** A grep -E pattern for /proc/net/tcp lines with local port `port` in one of `states` (hex). */
function procNetPattern(port: number, states: string): string {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  return `^ *[0-9]+: [0-9A-F]+:${hex} [0-9A-F]+:[0-9A-F]{4} (${states}) `;
}

/** The test that succeeds when the awaited condition holds. */
function condition(a: WaitArgs): ShellCommand {
  const state = a.state ?? 'started';
  const host = a.host ?? '127.0.0.1';
  const ct = a.connect_timeout ?? 5;
  if (a.path !== undefined) {
    if (state === 'absent' || state === 'stopped') return sh`[ ! -e ${a.path} ]`;
    if (a.search_regex !== undefined) return sh`grep -E -q -e ${a.search_regex} ${a.path} 2>/dev/null`;
    return sh`[ -e ${a.path} ]`;
  }
  if (a.port === undefined) return sh`false`;
  const listening = sh`cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | grep -E -q ${procNetPattern(a.port, '0A')}`;
  if (state === 'drained')
    return sh`! cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | grep -E -q ${procNetPattern(a.port, '01|02|03|04|05')}`;
  const local = LOCAL.has(host);
  // Without netcat only a port on this host can be judged; a remote one fails with a clear message.
  const probe = local
    ? sh`{ if command -v nc >/dev/null 2>&1; then nc -z -w ${ct} ${host} ${a.port} 2>/dev/null; else ${listening}; fi; }`
    : sh`nc -z -w ${ct} ${host} ${a.port} 2>/dev/null`;
  if (state === 'stopped' || state === 'absent') return sh`! ${probe}`;
  if (a.search_regex !== undefined)
    return sh`nc -d -w ${ct} ${host} ${a.port} 2>/dev/null | head -c 1048576 | grep -E -q -e ${a.search_regex}`;
  return probe;
}

/** The whole wait, as one script. */
export function waitScript(a: WaitArgs): ShellCommand {
  const timeout = a.timeout ?? 300;
  const delay = a.delay ?? 0;
  const pause = a.sleep ?? 1;
  const needsNc =
    a.port !== undefined &&
    a.path === undefined &&
    (!LOCAL.has(a.host ?? '127.0.0.1') || a.search_regex !== undefined) &&
    a.state !== 'drained';
  const guard = needsNc ? sh`command -v nc >/dev/null 2>&1 || { echo lvsplay-wait=no-nc; exit 0; };` : sh``;
  // Neither a port nor a path: Ansible just waits `timeout` seconds.
  if (a.port === undefined && a.path === undefined)
    return sh`sleep ${delay + timeout}; echo lvsplay-wait=ok; echo elapsed=${delay + timeout}`;
  return sh`${guard} sleep ${delay}; start=$(date +%s); end=$((start + ${timeout})); while :; do if ${condition(a)}; then echo lvsplay-wait=ok; break; fi; now=$(date +%s); if [ "$now" -ge "$end" ]; then echo lvsplay-wait=timeout; break; fi; sleep ${pause}; done; echo elapsed=$(( $(date +%s) - start + ${raw(String(delay))} ))`;
}

function what(a: WaitArgs): string {
  const state = a.state ?? 'started';
  if (a.path !== undefined) {
    if (state === 'absent' || state === 'stopped') return `${a.path} to be absent`;
    return a.search_regex !== undefined ? `search string ${a.search_regex} in ${a.path}` : `file ${a.path}`;
  }
  const where = `${a.host ?? '127.0.0.1'}:${a.port}`;
  if (state === 'stopped' || state === 'absent') return `${where} to stop`;
  if (state === 'drained') return `${where} to drain`;
  return a.search_regex !== undefined ? `search string ${a.search_regex} on ${where}` : where;
}

/** Pure: the script's output -> the task result. */
export function judge(a: WaitArgs, r: ExecResult): ActionResult {
  const verdict = /^lvsplay-wait=(\S+)$/m.exec(r.stdout)?.[1];
  const elapsed = Number(/^elapsed=(\d+)$/m.exec(r.stdout)?.[1] ?? Math.round(r.ms / 1000));
  const data = {
    elapsed,
    state: a.state ?? 'started',
    ...(a.port !== undefined ? { port: a.port } : {}),
    ...(a.path !== undefined ? { path: a.path } : {}),
  };
  const base = { changes: [], warnings: [], data };
  if (verdict === 'ok') return { status: 'ok', ...base };
  if (verdict === 'no-nc')
    return {
      status: 'failed',
      ...base,
      msg: `waiting for ${what(a)} needs nc (netcat) on the host; install netcat-openbsd`,
    };
  if (verdict === 'timeout' || r.timedOut)
    return { status: 'failed', ...base, msg: a.msg ?? `Timeout when waiting for ${what(a)}` };
  return {
    status: 'failed',
    ...base,
    msg: `wait_for could not run on the host (rc=${r.code ?? r.signal})${r.stderr.trim() ? `: ${r.stderr.trim().split('\n')[0]}` : ''}`,
  };
}

export const waitForModule: HostActionModule<z.output<typeof waitArgs>> = {
  name: 'wait_for',
  aliases: ['ansible.builtin.wait_for'],
  exec: 'action',
  args: waitArgs,
  async run(a, ctx) {
    if (!ctx.transport)
      return { status: 'failed', changes: [], warnings: [], msg: 'wait_for needs a connection to the host' };
    const cmd = waitScript(a);
    // The loop ends itself at `timeout`; the transport's limit is a backstop above it.
    const limitMs = ((a.delay ?? 0) + (a.timeout ?? 300) + (a.connect_timeout ?? 5) + (a.sleep ?? 1) + 30) * 1000;
    const r = await ctx.transport.run(cmd, { ...ctx.runOpts, timeoutMs: limitMs });
    return { ...judge(a, r), commands: [cmd.redacted] };
  },
};
