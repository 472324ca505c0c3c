// Running machine commands for the lab, through zx's `$`: every interpolated value is one
// POSIX single-quoted word (src/transport/quote.ts, never zx's bash-only `$'...'`), an array
// several words. A non-zero exit is a value; `must` turns it into an LvsplayError that names the
// command and what it printed. Commands for remote hosts never come from here.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { $ as zx, type ProcessOutput } from 'zx/core';
import { LvsplayError, diag, type Diagnostic } from '../diagnostics.js';
import { quote } from '../transport/quote.js';

export interface CmdResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: string | Buffer;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
  /** Called with each chunk of combined output (progress of long builds). */
  onOutput?: (chunk: string) => void;
}

type Tag<T> = (pieces: TemplateStringsArray, ...values: unknown[]) => Promise<T>;

export interface Sys {
  /** Runs the command; its exit code, stdout and stderr, whatever the code. */
  run: Tag<CmdResult>;
  /** Runs the command; its stdout, or an LvsplayError naming it and what it printed. */
  must: Tag<string>;
}

// zx leaves a command's stdin an open pipe when it is given no input: a command that reads it
// (cat, ssh into a UML guest) would wait for ever. Without input, stdin is /dev/null.
const NO_STDIN = ['ignore', 'pipe', 'pipe'] as ['ignore', 'pipe', 'pipe'];
const LAB = { quote, quiet: true, nothrow: true, verbose: false, stdio: NO_STDIN };

/** zx's `$` as the lab uses it: POSIX quoting, quiet, a failure is a value, stdin closed. */
export const $ = zx(LAB);

/** `run` and `must` with options (stdin, environment, directory, a time limit, live output). */
export function sys(opts: RunOptions = {}): Sys {
  const shell = zx({
    ...LAB,
    // (an empty input is /dev/null: zx would leave the pipe open)
    ...(opts.input !== undefined && opts.input.length > 0 && { input: opts.input, stdio: 'pipe' as const }),
    ...(opts.env && { env: opts.env }),
    ...(opts.cwd && { cwd: opts.cwd }),
    ...(opts.timeoutMs !== undefined && { timeout: opts.timeoutMs, timeoutSignal: 'SIGKILL' as const }),
  });
  const run: Tag<CmdResult> = async (pieces, ...values) => {
    const p = shell(pieces, ...values);
    // a command that exits without reading all of its input is no error of ours
    p.stdin?.on('error', () => {});
    if (opts.onOutput) {
      const on = opts.onOutput;
      p.stdout.on('data', (b: Buffer) => on(b.toString()));
      p.stderr.on('data', (b: Buffer) => on(b.toString()));
    }
    const out: ProcessOutput = await p;
    return { code: out.exitCode ?? (out.signal ? 128 + 9 : 1), stdout: out.stdout, stderr: out.stderr };
  };
  const must: Tag<string> = async (pieces, ...values) => {
    const r = await run(pieces, ...values);
    if (r.code === 0) return r.stdout;
    const said = (r.stderr.trim() || r.stdout.trim()).split('\n').slice(-5).join('\n');
    const cmd = String.raw({ raw: pieces }, ...values.map((v) => (Array.isArray(v) ? v.join(' ') : String(v))));
    throw new LvsplayError(diag(`lab: \`${cmd}\` failed (exit ${r.code}): ${said}`));
  };
  return { run, must };
}

export const { run, must } = sys();

export function which(tool: string): string | undefined {
  const path = (process.env.PATH ?? '') + delimiter + '/usr/sbin:/sbin';
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, tool);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

/** Tool -> the Debian package that provides it. */
const TOOL_PACKAGES: Record<string, string> = {
  ip: 'iproute2',
  unshare: 'util-linux',
  nsenter: 'util-linux',
  setpriv: 'util-linux',
  'ssh-keygen': 'openssh-client',
  ssh: 'openssh-client',
  debootstrap: 'debootstrap',
  'dpkg-scanpackages': 'dpkg-dev',
  nft: 'nftables',
  socat: 'socat',
  uml_mconsole: 'uml-utilities',
  'linux.uml': 'user-mode-linux',
  'mkfs.ext4': 'e2fsprogs',
};

/** What stops the lab from running here (not root, tools missing), with what to do; none when ready. */
export function rootAndToolsProblem(
  uid: number | undefined,
  tools: readonly string[],
  find: (t: string) => string | undefined = which,
): Diagnostic | undefined {
  if (uid !== undefined && uid !== 0) {
    return diag(
      'lab: needs root (it creates network namespaces, mounts and bridges)',
      undefined,
      'run it as root, e.g. `sudo lvsplay lab up`',
    );
  }
  const missing = tools.filter((t) => !find(t));
  if (missing.length === 0) return undefined;
  const pkgs = [...new Set(missing.map((t) => TOOL_PACKAGES[t] ?? t))];
  return diag(
    `lab: missing tool${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`,
    undefined,
    `install ${pkgs.join(' ')} (e.g. \`apt-get install ${pkgs.join(' ')}\` or \`scripts/install-deps.sh\`)`,
  );
}

/** Fails before anything is made when not root or a tool is missing. */
export function requireRootAndTools(tools: readonly string[]): void {
  const problem = rootAndToolsProblem(process.getuid?.(), tools);
  if (problem) throw new LvsplayError(problem);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
