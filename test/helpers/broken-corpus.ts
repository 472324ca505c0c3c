// The broken-input corpus (test/fixtures/broken): one directory per mistake, read by the unit
// test (lvsplay's answer) and the differential integration test (ansible-playbook's exit code).
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Expected {
  /** lvsplay's exit code. */
  exit: number;
  file?: string;
  line?: number;
  col?: number;
  message: string;
  /** Arguments after `run site.yml -i hosts.ini`, for both tools unless ansibleArgs is given. */
  args?: string[];
  ansibleArgs?: string[];
  /** false: a real run (on `ansible_connection=local` hosts or unreachable ones), not --syntax-check. */
  syntaxCheck?: boolean;
  /** What ansible-playbook 2.14 does with the same case: its exit code, or that it never ends. */
  ansible?: { exit: number } | { hangs: true };
  /** Why lvsplay's exit code deliberately differs from ansible-playbook's. */
  differs?: string;
  /** Why ansible-playbook is not run on this case (it would exhaust this machine). */
  ansibleSkipped?: string;
}

export const CORPUS = join(import.meta.dirname, '../fixtures/broken');

export const corpusCases = (): string[] =>
  readdirSync(CORPUS, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();

export const expectedOf = (name: string): Expected =>
  JSON.parse(readFileSync(join(CORPUS, name, 'expected.json'), 'utf8')) as Expected;

export function writeExpected(name: string, exp: Expected): void {
  writeFileSync(join(CORPUS, name, 'expected.json'), `${JSON.stringify(exp, null, 2)}\n`);
}

/** The command line after the program name, for `lvsplay run` or `ansible-playbook`. */
export function caseArgs(exp: Expected, tool: 'lvsplay' | 'ansible'): string[] {
  const extra = tool === 'ansible' ? (exp.ansibleArgs ?? exp.args ?? []) : (exp.args ?? []);
  return ['site.yml', '-i', 'hosts.ini', ...(exp.syntaxCheck === false ? [] : ['--syntax-check']), ...extra];
}

export interface Ran {
  code: number | null;
  timedOut: boolean;
  out: string;
  ms: number;
}

/** Runs a command in a case's directory, killed (with its children) after `timeoutMs`. */
export function runIn(dir: string, cmd: string, args: string[], timeoutMs: number): Promise<Ran> {
  const t0 = Date.now();
  return new Promise((res) => {
    const child = spawn(cmd, args, {
      cwd: dir,
      detached: true,
      env: { ...process.env, ANSIBLE_NOCOLOR: '1', ANSIBLE_RETRY_FILES_ENABLED: '0', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let timedOut = false;
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      res({ code, timedOut, out, ms: Date.now() - t0 });
    });
  });
}

/** Runs `fn` on every item, at most `limit` at once. */
export async function pool<T, R>(items: T[], limit: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
