// command and shell: a command line as free form (`command: ls -l chdir=/tmp`) or `cmd:`.
// `creates`/`removes` are read first, so a rerun that has nothing to do says so; otherwise
// running the command is the change. Check mode cannot know what a command would do: the
// module is marked unpredictable and the executor reports "unknown" instead of guessing.
import { shlexSplit } from '../shlex.js';
import type { z } from 'zod';
import type { Revealed } from '../secret.js';
import { sh, raw, type ShellCommand } from '../transport/quote.js';
import type { ExecResult } from '../transport/types.js';
import { bool, given, list, moduleArgs, str } from './args.js';
import type { Change, StateModule } from './runtime.js';

const common = {
  cmd: str().optional(),
  chdir: str().optional(),
  creates: str().optional(),
  removes: str().optional(),
  stdin: str().optional(),
  stdin_add_newline: bool().optional(),
  strip_empty_ends: bool().optional(),
};

const needsCommand = (
  a: Record<string, unknown>,
  ctx: { addIssue: (i: { code: 'custom'; path: string[]; message: string }) => void },
) => {
  if (!given(a, 'cmd') && !given(a, 'argv'))
    ctx.addIssue({ code: 'custom', path: ['cmd'], message: 'is required: give the command as free form or cmd' });
};

const commandArgs = moduleArgs({ ...common, argv: list().optional() }, { _raw_params: 'cmd' }).superRefine(
  needsCommand,
);
const shellArgs = moduleArgs({ ...common, executable: str().optional() }, { _raw_params: 'cmd' }).superRefine(
  needsCommand,
);

/** What command and shell share: one has argv, the other executable. */
type CommandArgs = Revealed<z.output<typeof commandArgs> & z.output<typeof shellArgs>>;

interface Guards {
  createsExists?: boolean;
  removesExists?: boolean;
}

/** Reads `creates`/`removes` (relative to chdir, as Ansible does); nothing to read otherwise. */
function probeGuards(a: CommandArgs) {
  if (a.creates === undefined && a.removes === undefined) return undefined;
  const test = (p: string | undefined, tag: string): ShellCommand =>
    p === undefined ? sh`:` : sh`if [ -e ${p} ]; then echo ${tag}=1; else echo ${tag}=0; fi`;
  const cd = a.chdir ? sh`cd ${a.chdir} 2>/dev/null;` : sh``;
  return {
    cmd: sh`${cd} ${test(a.creates, 'creates')}; ${test(a.removes, 'removes')}`,
    parse(r: ExecResult): Guards {
      const g: Guards = {};
      for (const line of r.stdout.split('\n')) {
        const [k, v] = line.split('=');
        if (k === 'creates') g.createsExists = v === '1';
        if (k === 'removes') g.removesExists = v === '1';
      }
      return g;
    },
  };
}

function commandLine(a: CommandArgs, viaShell: boolean): ShellCommand {
  const cd = a.chdir ? sh`cd ${a.chdir} && ` : sh``;
  if (viaShell) {
    const script = a.cmd ?? '';
    // The script is the operator's own shell text: run as written, by the chosen shell.
    return a.executable ? sh`${cd}${a.executable} -c ${script}` : sh`${cd}${raw(`{\n${script}\n}`)}`;
  }
  // command: no shell features; every word is passed literally, as Ansible's command does.
  const words = a.argv ? a.argv.map((w) => String(w)) : shlexSplit(a.cmd ?? '');
  return sh`${cd}${raw('exec')} ${words}`;
}

/** cmd as Ansible reports it: the argv list for command, the script for shell. */
function reportedCmd(a: CommandArgs, viaShell: boolean): string | string[] {
  return viaShell ? (a.cmd ?? '') : (a.argv?.map((w) => String(w)) ?? shlexSplit(a.cmd ?? ''));
}

/** What Ansible returns when creates/removes kept the command from running. */
function notRun(a: CommandArgs, viaShell: boolean, stdout: string) {
  return { cmd: reportedCmd(a, viaShell), rc: 0, stdout, stderr: '', start: null, end: null, delta: null };
}

function planCommand(viaShell: boolean) {
  return (a: CommandArgs, g: Guards | undefined) => {
    if (a.creates !== undefined && g?.createsExists) {
      return {
        changes: [],
        msg: `Did not run command since '${a.creates}' exists`,
        data: notRun(a, viaShell, `skipped, since ${a.creates} exists`),
      };
    }
    if (a.removes !== undefined && g && !g.removesExists) {
      return {
        changes: [],
        msg: `Did not run command since '${a.removes}' does not exist`,
        data: notRun(a, viaShell, `skipped, since ${a.removes} does not exist`),
      };
    }
    const line = commandLine(a, viaShell);
    const stdin = a.stdin !== undefined ? `${a.stdin}${a.stdin_add_newline === false ? '' : '\n'}` : undefined;
    // A subshell keeps `exec` and `exit` in the command from ending the host's session shell.
    const change: Change = {
      summary: `run: ${line.redacted}`,
      steps: [{ run: sh`( ${line} )`, okCodes: 'any', ...(stdin !== undefined ? { stdin } : { stdin: '' }) }],
    };
    return { changes: [change] };
  };
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Ansible's times: the host's local time as `YYYY-MM-DD HH:MM:SS.ffffff`, a delta as `H:MM:SS.ffffff`. */
function stamp(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds() * 1000, 6)}`;
}

function delta(ms: number): string {
  const us = Math.round(ms * 1000);
  const s = Math.floor(us / 1e6);
  return `${Math.floor(s / 3600)}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}.${pad(us % 1e6, 6)}`;
}

/**
 * The result as Ansible's command module returns it: cmd (the argv list for command, the script
 * for shell), rc, stdout, stderr, start, end, delta, msg; a command that ran counts as changed
 * even when it failed. The times are the controller's clock around the command (the host's
 * own clock would cost a process per command).
 */
function collector(viaShell: boolean) {
  return (a: CommandArgs, _g: unknown, applied: ExecResult[]) => {
    const r = applied.at(-1);
    const strip = (s: string) => (a.strip_empty_ends === false ? s : s.replace(/\n+$/, ''));
    const rc = r?.code ?? -1;
    const end = Date.now();
    const ms = r?.ms ?? 0;
    const cmd = reportedCmd(a, viaShell);
    const failed = r?.timedOut ? 'the command timed out' : rc === 0 ? undefined : 'non-zero return code';
    const data = {
      changed: true,
      cmd,
      rc,
      stdout: strip(r?.stdout ?? ''),
      stderr: strip(r?.stderr ?? ''),
      start: stamp(end - ms),
      end: stamp(end),
      delta: delta(ms),
      msg: failed ?? '',
    };
    return failed ? { data, failed } : { data };
  };
}

export const commandModule: StateModule<z.output<typeof commandArgs>, Guards | undefined> = {
  name: 'command',
  aliases: ['ansible.builtin.command'],
  freeForm: 'cmd',
  rawFreeForm: true,
  predictable: false,
  exec: 'state',
  args: commandArgs,
  probe: probeGuards,
  plan: planCommand(false),
  collect: collector(false),
};

export const shellModule: StateModule<z.output<typeof shellArgs>, Guards | undefined> = {
  name: 'shell',
  aliases: ['ansible.builtin.shell'],
  freeForm: 'cmd',
  rawFreeForm: true,
  predictable: false,
  exec: 'state',
  args: shellArgs,
  probe: probeGuards,
  plan: planCommand(true),
  collect: collector(true),
};
