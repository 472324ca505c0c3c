// Running machine commands for the lab. A non-zero exit is a value; `must` turns it into an
// LvsplayError that names the command and what it printed.
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { LvsplayError, diag, type Diagnostic } from '../diagnostics.js';

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

export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<CmdResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      env: opts.env ?? process.env,
      cwd: opts.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: opts.timeoutMs,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => {
      out.push(b);
      opts.onOutput?.(b.toString());
    });
    child.stderr.on('data', (b: Buffer) => {
      err.push(b);
      opts.onOutput?.(b.toString());
    });
    child.on('error', (e) => resolve({ code: 127, stdout: '', stderr: String(e.message) }));
    child.on('close', (code, signal) =>
      resolve({
        code: code ?? (signal ? 128 + 9 : 1),
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
      }),
    );
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
  });
}

export async function must(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<string> {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) {
    const said = (r.stderr.trim() || r.stdout.trim()).split('\n').slice(-5).join('\n');
    throw new LvsplayError(diag(`lab: \`${[cmd, ...args].join(' ')}\` failed (exit ${r.code}): ${said}`));
  }
  return r.stdout;
}

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
