// The fault suite: real faults on the lab while `lvsplay run playbooks/site.yaml` changes it.
//  - kills: the controller killed with SIGKILL at a random point of a run that has files to
//    rewrite (managed files changed on the hosts beforehand). After each kill: every managed
//    file holds its old or its converged content, no temp file of an atomic write is left, the
//    run lock is free on every host, no helper process of the controller lives on, and every
//    file the killed run rewrote has its handler run or still journaled. At the end a rerun
//    runs the journaled handlers and converges, and the next rerun changes nothing.
//  - disk: a size-limited tmpfs, full, over the directory a template writes to: the run fails
//    on that host naming host, task and what to do; the old file is intact, no temp file left.
//  - link: a host unplugged from the lab switch mid-task: that host is unreachable (exit 4, as
//    ansible-playbook), the others finish.
// Random points come from a printed seed, so a run can be repeated.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { labExec, labPlug, labUnplug } from '../../src/lab/index.js';

/** The project root: bench/src in the sources, bench/.build/bench/src once compiled. */
export const PROJECT = resolve(
  import.meta.dirname,
  existsSync(resolve(import.meta.dirname, '../../package.json')) ? '../..' : '../../../..',
);
const BIN = join(PROJECT, 'bin/lvsplay.js');

/** The files site.yaml manages, by group (from the roles' tasks); `notify` is the handler a rewrite notifies. */
interface Managed {
  path: string;
  notify?: string;
  /** Rewritten whole by template: the suite changes it before a run so the run has work. */
  rewrite?: boolean;
}
const MANAGED: Record<string, Managed[]> = {
  directors: [
    { path: '/etc/keepalived/keepalived.conf', notify: 'reload keepalived', rewrite: true },
    { path: '/etc/keepalived/vrrp_auth.conf', notify: 'reload keepalived', rewrite: true },
    { path: '/etc/default/keepalived' },
    { path: '/etc/sysctl.d/60-lvs-director.conf' },
    { path: '/etc/modules-load.d/lvs-director.conf' },
  ],
  realservers: [
    { path: '/var/www/html/index.html', rewrite: true },
    { path: '/etc/init.d/realserver', notify: 'restart realserver', rewrite: true },
    { path: '/etc/sysctl.d/60-lvs-realserver.conf' },
  ],
  dbservers: [{ path: '/etc/mysql/mariadb.conf.d/60-replication.cnf', notify: 'restart mariadb', rewrite: true }],
};
/** Notifications the roles' handlers answer by `listen:` (director's restart is stop, wait, start). */
const LISTENERS: Record<string, string> = { 'restart keepalived': 'start keepalived' };
/** The hosts of inventory/lab.ini by group. */
const GROUPS: Record<string, string[]> = {
  directors: ['lvs1', 'lvs2'],
  realservers: ['web1', 'web2'],
  dbservers: ['db1', 'db2'],
};
const HOSTS = Object.values(GROUPS).flat();
const filesOf = (host: string) => Object.entries(GROUPS).flatMap(([g, hs]) => (hs.includes(host) ? MANAGED[g]! : []));
const LOCK = '/run/lock/lvsplay.lock';
/** Where atomic writes put their temp files (the managed files' directories) and /tmp. */
const TEMP_DIRS = ['/etc', '/var/www', '/tmp', '/root'];

export interface FaultOptions {
  kills: number;
  seed: number;
  /** Stop starting kill runs after this many seconds (the rest is reported as not run). */
  timeLimitSec: number;
  disk: boolean;
  link: boolean;
  log?: (line: string) => void;
}

export interface FaultFigures {
  seed: number;
  killRuns: number;
  /** Kill runs that ended by themselves before their kill point. */
  finishedBeforeKill: number;
  filesChecked: number;
  filesRewrittenByKilledRuns: number;
  /** Handlers left journaled after each kill, summed over the kills. */
  handlersJournaledAtKills: number;
  handlersCarriedOver: number;
  lockReleaseMaxMs: number;
  runMs: number;
  disk?: { exitCode: number | null; message: string };
  link?: { exitCode: number | null; ms: number; recap: Record<string, Record<string, number>> };
  findings: string[];
}

/** mulberry32: a small seeded generator, so the random points can be repeated. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

async function onHost(host: string, script: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return labExec(host, ['sh', '-c', script]);
}

/** path -> sha256 of each managed file of the host ('-' when missing). */
async function hashes(host: string): Promise<Map<string, string>> {
  const paths = filesOf(host).map((f) => f.path);
  const r = await onHost(host, paths.map((p) => `sha256sum ${q(p)} 2>/dev/null || echo "- ${p}"`).join('; '));
  const out = new Map<string, string>();
  for (const line of r.stdout.trim().split('\n')) {
    const [sum, ...rest] = line.split(/\s+/);
    out.set(rest.join(' '), sum!);
  }
  return out;
}

async function allHashes(): Promise<Map<string, Map<string, string>>> {
  return new Map(await Promise.all(HOSTS.map(async (h) => [h, await hashes(h)] as const)));
}

interface ControllerRun {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  ms: number;
  events: Record<string, unknown>[];
  /** What it printed that is not an event (an error message), the last lines. */
  errors: string[];
  killed: boolean;
  /** Processes the controller had started that still lived 10 s after it was killed. */
  orphans: string[];
}

/**
 * One `lvsplay run playbooks/site.yaml -o jsonl`, killed with SIGKILL after `killAfterMs` (if
 * given) or when `onEvent` says so; the jsonl goes to a file, written as events happen.
 */
export async function controller(
  stateDir: string,
  o: { killAfterMs?: number; extra?: string[]; limitMs?: number; onEvent?: (e: Record<string, unknown>) => void },
): Promise<ControllerRun> {
  mkdirSync(stateDir, { recursive: true });
  const outFile = join(stateDir, `run-${Date.now()}.jsonl`);
  const fd = openSync(outFile, 'w');
  const t0 = Date.now();
  const child = spawn(
    process.execPath,
    [BIN, 'run', 'playbooks/site.yaml', '-i', 'inventory/lab.ini', '-o', 'jsonl', ...(o.extra ?? [])],
    { cwd: PROJECT, stdio: ['ignore', fd, fd], env: { ...process.env, LVSPLAY_STATE_DIR: stateDir, NO_COLOR: '1' } },
  );
  closeSync(fd);
  const done = new Promise<[number | null, NodeJS.Signals | null]>((r) => child.once('close', (c, s) => r([c, s])));
  let killed = false;
  let children: number[] = [];
  const kill = () => {
    if (killed || child.exitCode !== null) return;
    children = childPids(child.pid!);
    killed = true;
    child.kill('SIGKILL');
  };
  const timer = o.killAfterMs !== undefined ? setTimeout(kill, o.killAfterMs) : undefined;
  let seen = 0;
  const watch = o.onEvent
    ? setInterval(() => {
        const evs = readEvents(outFile);
        for (const e of evs.slice(seen)) o.onEvent!(e);
        seen = evs.length;
      }, 200)
    : undefined;
  const hang = setTimeout(kill, o.limitMs ?? 600_000);
  const [exitCode, signal] = await done;
  const ms = Date.now() - t0;
  clearTimeout(timer);
  clearTimeout(hang);
  if (watch) clearInterval(watch);
  const orphans: string[] = [];
  if (killed) {
    const until = Date.now() + 10_000;
    let alive = children.filter(isAlive);
    while (alive.length && Date.now() < until) {
      await sleep(250);
      alive = alive.filter(isAlive);
    }
    for (const pid of alive) {
      orphans.push(`${pid} ${cmdline(pid)}`);
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
  }
  const text = existsSync(outFile) ? readFileSync(outFile, 'utf8') : '';
  const errors = text
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('{'))
    .slice(-6);
  return { exitCode, signal, ms, events: readEvents(outFile), errors, killed, orphans };
}

function readEvents(file: string): Record<string, unknown>[] {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const out: Record<string, unknown>[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      out.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // the last line, cut by the kill
    }
  }
  return out;
}

function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
const isAlive = (pid: number) => existsSync(`/proc/${pid}`);
const cmdline = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Handler runs (by notify name) a run's events show, per host. */
function handlersRan(events: Record<string, unknown>[]): Set<string> {
  const out = new Set<string>();
  for (const e of events) {
    if (e.type !== 'taskResult') continue;
    const task = e.task as { name: string; handler?: boolean };
    const status = (e.result as { status: string }).status;
    if (!task.handler || (status !== 'ok' && status !== 'changed')) continue;
    out.add(`${e.host as string}\0${task.name.replace(/^.* : /, '')}`);
  }
  return out;
}

/** host \0 handler pending in the journal. */
function journaled(stateDir: string): Set<string> {
  const f = join(stateDir, 'pending-handlers.json');
  if (!existsSync(f)) return new Set();
  const j = JSON.parse(readFileSync(f, 'utf8')) as { pending: { host: string; handler: string }[] };
  return new Set(j.pending.map((p) => `${p.host}\0${p.handler}`));
}

async function tempFilesLeft(host: string): Promise<string[]> {
  // A write the dead controller had started may still be ending on the host: give it 15 s.
  const until = Date.now() + 15_000;
  for (;;) {
    const r = await onHost(host, `find ${TEMP_DIRS.join(' ')} -xdev -name '.lvsplay.*' 2>/dev/null`);
    const left = r.stdout.trim().split('\n').filter(Boolean);
    if (!left.length || Date.now() > until) return left;
    await sleep(1000);
  }
}

/** Milliseconds until the run lock is free on the host, or -1 if it stays held for 60 s. */
async function lockFreeAfter(host: string): Promise<number> {
  const t0 = Date.now();
  while (Date.now() - t0 < 60_000) {
    const r = await onHost(host, `[ ! -e ${LOCK} ] || flock -n ${LOCK} true`);
    if (r.code === 0) return Date.now() - t0;
    await sleep(500);
  }
  return -1;
}

function recapOf(events: Record<string, unknown>[]): Record<string, Record<string, number>> | undefined {
  const end = events.find((e) => e.type === 'runEnd');
  return end?.recap as Record<string, Record<string, number>> | undefined;
}

/** Runs site.yaml to the end; a finding unless it exits 0 (and, with `noChange`, changes nothing). */
async function converge(stateDir: string, findings: string[], what: string, noChange = false) {
  const r = await controller(stateDir, {});
  if (r.exitCode !== 0) {
    const failed = r.events
      .filter(
        (e) => e.type === 'taskResult' && ['failed', 'unreachable'].includes((e.result as { status: string }).status),
      )
      .map(
        (e) =>
          `${e.host as string} / ${(e.task as { name: string }).name}: ${(e.result as { msg?: string }).msg ?? ''}`,
      );
    const why = failed.length ? failed : r.errors;
    findings.push(`${what}: site.yaml exited ${r.exitCode ?? r.signal}${why.length ? ` (${why.join('; ')})` : ''}`);
  }
  const recap = recapOf(r.events) ?? {};
  if (noChange)
    for (const [h, c] of Object.entries(recap))
      if (c.changed) findings.push(`${what}: ${h} changed ${c.changed} task(s) on a converged lab`);
  return r;
}

export async function runFaults(o: FaultOptions): Promise<FaultFigures> {
  const log = o.log ?? (() => {});
  const rand = seeded(o.seed);
  const stateDir = mkdtempSync(join(tmpdir(), 'lvsplay-faults-'));
  const fig: FaultFigures = {
    seed: o.seed,
    killRuns: 0,
    finishedBeforeKill: 0,
    filesChecked: 0,
    filesRewrittenByKilledRuns: 0,
    handlersJournaledAtKills: 0,
    handlersCarriedOver: 0,
    lockReleaseMaxMs: 0,
    runMs: 0,
    findings: [],
  };
  const t0 = Date.now();
  // through the CLI: the lab's boot assets are found beside the built CLI, not beside this script
  const up = spawnSync(process.execPath, [BIN, 'lab', 'up'], { cwd: PROJECT, encoding: 'utf8' });
  if (up.status !== 0) throw new Error(`lab up failed: ${up.stderr}`);
  for (const h of HOSTS) await labPlug(h);
  log(`seed ${o.seed}: converging the lab`);
  const first = await converge(stateDir, fig.findings, 'initial converge');
  // Kill points fall in [0, window): it follows the length of the runs that ended before their
  // kill (runs with files to rewrite take longer than a converged one: handlers restart services).
  let window = Math.max(first.ms, 20_000);
  const conv = await allHashes();
  for (const [h, m] of conv)
    for (const [p, sum] of m) if (sum === '-') fig.findings.push(`${h}: managed file ${p} missing after converge`);

  for (let i = 1; i <= o.kills; i++) {
    if ((Date.now() - t0) / 1000 > o.timeLimitSec) {
      log(`time limit: ${i - 1} of ${o.kills} kill runs done`);
      break;
    }
    const changed: string[] = [];
    for (const h of HOSTS)
      for (const f of filesOf(h))
        if (f.rewrite && rand() < 0.3) {
          await onHost(h, `printf '# changed before fault run %s\\n' ${i} >> ${q(f.path)}`);
          changed.push(`${h}:${f.path}`);
        }
    const pre = await allHashes();
    const killAfterMs = Math.round(rand() * window);
    const r = await controller(stateDir, { killAfterMs });
    fig.killRuns++;
    if (!r.killed) {
      fig.finishedBeforeKill++;
      window = Math.round((window + r.ms) / 2);
    }
    log(
      `kill ${i}/${o.kills}: ${changed.length} file(s) changed before, killed at ${killAfterMs} ms${r.killed ? '' : ` (the run ended first, exit ${r.exitCode})`}`,
    );
    for (const orphan of r.orphans) fig.findings.push(`kill ${i}: a process of the controller lived on: ${orphan}`);
    const after = await allHashes();
    const ran = handlersRan(r.events);
    const pending = journaled(stateDir);
    fig.handlersJournaledAtKills += pending.size;
    for (const h of HOSTS) {
      for (const f of filesOf(h)) {
        fig.filesChecked++;
        const [was, now, want] = [pre.get(h)!.get(f.path), after.get(h)!.get(f.path), conv.get(h)!.get(f.path)];
        if (now !== was && now !== want)
          fig.findings.push(
            `kill ${i} (at ${killAfterMs} ms, seed ${o.seed}): ${h}:${f.path} is neither the old nor the new content`,
          );
        if (now !== was && now === want) {
          fig.filesRewrittenByKilledRuns++;
          const key = `${h}\0${f.notify}`;
          if (f.notify && !ran.has(key) && !pending.has(key))
            fig.findings.push(
              `kill ${i} (at ${killAfterMs} ms, seed ${o.seed}): ${h}:${f.path} was rewritten but handler '${f.notify}' neither ran nor is journaled`,
            );
        }
      }
      for (const t of await tempFilesLeft(h)) fig.findings.push(`kill ${i}: ${h}: temp file left: ${t}`);
      const free = await lockFreeAfter(h);
      if (free < 0) fig.findings.push(`kill ${i}: ${h}: the run lock was still held 60 s after the kill`);
      fig.lockReleaseMaxMs = Math.max(fig.lockReleaseMaxMs, free);
    }
  }

  if (o.kills > 0) await afterKills(stateDir, fig, conv, log);
  if (o.disk) fig.disk = await diskFull(stateDir, fig.findings);
  if (o.link) fig.link = await linkDrop(stateDir, fig.findings);
  fig.runMs = Date.now() - t0;
  rmSync(stateDir, { recursive: true, force: true });
  return fig;
}

/** The rerun after the kills runs every journaled handler and converges; the next changes nothing. */
async function afterKills(
  stateDir: string,
  fig: FaultFigures,
  conv: Map<string, Map<string, string>>,
  log: (line: string) => void,
): Promise<void> {
  log('rerun after the kills');
  const before = journaled(stateDir);
  fig.handlersCarriedOver = before.size;
  const rerun = await converge(stateDir, fig.findings, 'rerun after the kills');
  const ran = handlersRan(rerun.events);
  for (const key of before)
    if (!ran.has(key) && !ran.has(key.replace(/\0(.*)$/, (_, n: string) => `\0${LISTENERS[n] ?? n}`)))
      fig.findings.push(`rerun after the kills: journaled handler ${key.replace('\0', ': ')} did not run`);
  if (journaled(stateDir).size)
    fig.findings.push(`rerun after the kills: handlers still journaled: ${[...journaled(stateDir)].join(', ')}`);
  const final = await allHashes();
  for (const [h, m] of final)
    for (const [p, sum] of m)
      if (sum !== conv.get(h)!.get(p)) fig.findings.push(`rerun after the kills: ${h}:${p} not converged`);
  await converge(stateDir, fig.findings, 'second rerun', true);
}

/**
 * web1's web root on a full 64 KB tmpfs holding the old (changed) page: the template that
 * rewrites it has no room for its temp file.
 */
async function diskFull(stateDir: string, findings: string[]): Promise<FaultFigures['disk']> {
  const host = 'web1';
  const dir = '/var/www/html';
  const page = `${dir}/index.html`;
  const setup = await onHost(
    host,
    `set -e
printf '# changed before the disk filled\\n' >> ${page}
save=$(mktemp -d); cp -a ${dir}/. "$save"/
mount -t tmpfs -o size=64k lvsplay-fault ${dir}
cp -a "$save"/. ${dir}/; rm -rf "$save"
dd if=/dev/zero of=${dir}/fill bs=4k 2>/dev/null || true
sync; sha256sum ${page}; df -k ${dir} | tail -1`,
  );
  if (setup.code !== 0) {
    findings.push(`disk: could not set up the full tmpfs on ${host}: ${setup.stderr.trim()}`);
    return undefined;
  }
  const oldSum = setup.stdout.split(/\s+/)[0];
  let r: ControllerRun;
  try {
    r = await controller(stateDir, { extra: ['--limit', host] });
    const failed = r.events.find(
      (e) => e.type === 'taskResult' && e.host === host && (e.result as { status: string }).status === 'failed',
    );
    const task = (failed?.task as { name?: string } | undefined)?.name ?? '';
    const message = String((failed?.result as { msg?: string } | undefined)?.msg ?? '');
    if (r.exitCode !== 2) findings.push(`disk: exit ${r.exitCode}, wanted 2 (a task failed)`);
    if (!/Serve a page/.test(task)) findings.push(`disk: the failure is not on the page's task: '${task}'`);
    if (!/No space left on device/.test(message))
      findings.push(`disk: the message does not say the disk is full: ${message}`);
    if (!message.includes(dir) || !/free|space/i.test(message.replace(/No space left on device/g, '')))
      findings.push(`disk: the message does not say what to do: ${message}`);
    const check = await onHost(host, `sha256sum ${page}; find ${dir} -name '.lvsplay.*'`);
    if (check.stdout.split(/\s+/)[0] !== oldSum) findings.push('disk: the old page was not left intact');
    if (check.stdout.includes('.lvsplay.')) findings.push(`disk: temp file left: ${check.stdout.trim()}`);
    return { exitCode: r.exitCode, message: `${host} / ${task}: ${message}` };
  } finally {
    await unmountFault(host, dir, findings);
  }
}

/**
 * Takes the fault's tmpfs away again. A process with a file open there (a page being served,
 * a command of the failed run not yet ended) makes umount fail with EBUSY for a moment: retry
 * for 10 s, then name the holders as a finding and detach the mount lazily, so the parts after
 * this one meet the host's own web root, never the full tmpfs.
 */
async function unmountFault(host: string, dir: string, findings: string[]): Promise<void> {
  const mounted = `grep -q ' ${dir} tmpfs ' /proc/mounts`;
  const r = await onHost(
    host,
    `i=0
while ${mounted}; do
  umount ${dir} 2>/dev/null && continue
  i=$((i + 1)); [ $i -ge 40 ] && break
  sleep 0.25
done
${mounted} || exit 0
for p in /proc/[0-9]*; do
  for l in "$p"/cwd "$p"/root "$p"/fd/*; do
    case $(readlink "$l" 2>/dev/null) in ${dir}|${dir}/*) echo "$(basename "$p") $(tr '\\0' ' ' < "$p"/cmdline)"; break ;; esac
  done
done
umount -l ${dir}
! ${mounted}`,
  );
  if (r.stdout.trim()) findings.push(`disk: ${dir} on ${host} was still in use 10 s after the run: ${r.stdout.trim()}`);
  if (r.code !== 0) findings.push(`disk: could not take the full tmpfs off ${dir} on ${host}: ${r.stderr.trim()}`);
}

/** web2 unplugged from the switch at its first task result in the real servers' play. */
async function linkDrop(stateDir: string, findings: string[]): Promise<FaultFigures['link']> {
  const host = 'web2';
  for (const f of filesOf(host))
    if (f.rewrite) await onHost(host, `printf '# changed before the link drop\\n' >> ${q(f.path)}`);
  let unplugged: Promise<void> | undefined;
  let play = '';
  const r = await controller(stateDir, {
    // A dead link is noticed by ssh keep-alives: 5 s x 3 instead of OpenSSH-style 15 s x 3, as
    // a user who wants a lost host dropped sooner would set it (the extra args ansible-playbook reads).
    extra: ['-e', 'ansible_ssh_extra_args="-o ServerAliveInterval=5 -o ServerAliveCountMax=3"'],
    limitMs: 900_000,
    onEvent: (e) => {
      if (e.type === 'playStart') play = String(e.name);
      if (!unplugged && play === 'Real servers' && e.type === 'taskResult' && e.host === host)
        unplugged = labUnplug(host);
    },
  });
  await unplugged;
  await labPlug(host);
  const recap = recapOf(r.events) ?? {};
  if (!unplugged) findings.push('link: the run never reached the real servers');
  if (r.killed) findings.push(`link: the run hung; killed after ${r.ms} ms`);
  if (r.exitCode !== 4) findings.push(`link: exit ${r.exitCode}, wanted 4 (a host unreachable)`);
  if (!recap[host]?.unreachable) findings.push(`link: ${host} not counted unreachable`);
  for (const [h, c] of Object.entries(recap))
    if (h !== host && (c.failed || c.unreachable)) findings.push(`link: ${h} did not finish: ${JSON.stringify(c)}`);
  await converge(stateDir, findings, 'rerun after the link drop');
  return { exitCode: r.exitCode, ms: r.ms, recap };
}

function arg(name: string, dflt: number): number {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return dflt;
  const v = Number(process.argv[at + 1]);
  if (!Number.isInteger(v) || v < 0) {
    process.stderr.write(`--${name} needs a whole number, got ${process.argv[at + 1] ?? 'nothing'}\n`);
    process.exit(2);
  }
  return v;
}

async function main(): Promise<void> {
  const only = (f: string) => !process.argv.includes('--only') || process.argv.includes(f);
  const o: FaultOptions = {
    kills: arg('kills', 50),
    seed: arg('seed', Math.floor(Math.random() * 2 ** 31)),
    timeLimitSec: arg('time-limit', 660),
    disk: !process.argv.includes('--no-disk') && only('disk'),
    link: !process.argv.includes('--no-link') && only('link'),
    log: (l) => process.stdout.write(`${l}\n`),
  };
  process.stdout.write(`fault suite: ${o.kills} kills, seed ${o.seed}, time limit ${o.timeLimitSec} s\n`);
  const fig = await runFaults(o);
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  process.stdout.write(`${JSON.stringify({ ...fig, loadavg: load }, null, 2)}\n`);
  process.exitCode = fig.findings.length ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) await main();
