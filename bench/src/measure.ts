// Times one command: wall time here, CPU time and the largest single-process RSS from the
// kernel's rusage of the whole waited-for tree (through /usr/bin/time), and the peak sum of RSS
// over the live tree by sampling /proc (ansible-playbook forks a worker per host; the largest
// single process alone would flatter it).
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Sample } from './results.js';

export const TIME_BIN = '/usr/bin/time';
const PAGE_KB = 4;

export interface MeasureOpts {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** The run is killed (its whole process group) after this long, and counts as failed. */
  timeoutMs?: number;
  /** How often the process tree's RSS is summed. */
  sampleEveryMs?: number;
}

export interface Measured extends Sample {
  output: string;
}

/** "%e %U %S %M %x" as GNU time writes it: wall s, user s, sys s, max RSS KB, exit code. */
export function parseTimeLine(
  text: string,
): { userMs: number; sysMs: number; maxRssKb: number; exitCode: number } | undefined {
  const line = text.trim().split('\n').pop() ?? '';
  const m = /^([\d.]+) ([\d.]+) ([\d.]+) (\d+) (-?\d+)$/.exec(line.trim());
  if (!m) return undefined;
  return { userMs: Number(m[2]) * 1000, sysMs: Number(m[3]) * 1000, maxRssKb: Number(m[4]), exitCode: Number(m[5]) };
}

/** pid -> [parent pid, rss KB] for every process on the machine. */
function processTable(): Map<number, [number, number]> {
  const out = new Map<number, [number, number]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // gone since the listing
    }
    // the command name may hold spaces and parentheses: fields start after the last ')'
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    out.set(Number(name), [Number(f[1]), Number(f[21]) * PAGE_KB]);
  }
  return out;
}

/** Sum of RSS of `root` and all its descendants. */
export function treeRssKb(root: number, table: Map<number, [number, number]>): number {
  const children = new Map<number, number[]>();
  for (const [pid, [ppid]] of table) {
    const list = children.get(ppid);
    if (list) list.push(pid);
    else children.set(ppid, [pid]);
  }
  let sum = 0;
  const todo = [root];
  while (todo.length > 0) {
    const pid = todo.pop()!;
    sum += table.get(pid)?.[1] ?? 0;
    todo.push(...(children.get(pid) ?? []));
  }
  return sum;
}

export async function measure(argv: readonly string[], opts: MeasureOpts = {}): Promise<Measured> {
  const dir = mkdtempSync(join(tmpdir(), 'lvsplay-bench-'));
  const timeFile = join(dir, 'time');
  try {
    const t0 = process.hrtime.bigint();
    const child = spawn(TIME_BIN, ['-f', '%e %U %S %M %x', '-o', timeFile, ...argv], {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group, so a timeout ends the whole tree and nothing else
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => chunks.push(b));
    child.stderr.on('data', (b: Buffer) => chunks.push(b));
    let peak = 0;
    const sample = () => {
      if (child.pid !== undefined) peak = Math.max(peak, treeRssKb(child.pid, processTable()));
    };
    const sampler = setInterval(sample, opts.sampleEveryMs ?? 250);
    let timedOut = false;
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        }, opts.timeoutMs)
      : undefined;
    const code = await new Promise<number>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (c) => resolve(c ?? 137));
    });
    const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
    clearInterval(sampler);
    if (timer) clearTimeout(timer);
    let rusage;
    try {
      rusage = parseTimeLine(readFileSync(timeFile, 'utf8'));
    } catch {
      rusage = undefined;
    }
    const userMs = rusage?.userMs ?? Number.NaN;
    const sysMs = rusage?.sysMs ?? Number.NaN;
    const maxRssKb = rusage?.maxRssKb ?? Number.NaN;
    return {
      wallMs,
      userMs,
      sysMs,
      cpuMs: userMs + sysMs,
      maxRssKb,
      // a run shorter than one sampling period still has at least its largest process
      treeRssKb: Math.max(peak, Number.isFinite(maxRssKb) ? maxRssKb : 0),
      exitCode: timedOut ? 124 : (rusage?.exitCode ?? code),
      output: Buffer.concat(chunks).toString('utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
