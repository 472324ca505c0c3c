// No lock-in: the bundled site.yaml and roles converge the lab under ansible-playbook 2.14 as
// they are, and the two tools agree on the result. Each case first puts the cluster off its
// converged state (the firewall flushed, its saved rules and boot script gone, the real
// servers' ARP sysctls file removed); one tool converges it, and then the other finds nothing to
// change on any host. Each case is one direction; ansible-playbook runs twice in all (about two
// minutes each), the suite's longest steps. ansible-playbook reaches the hosts as lvsplay does, through the
// inventory's ssh settings (a ProxyCommand into the lab's controller namespace).
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { labExec } from '../../src/lab/index.js';
import { ensureLab } from '../helpers/lab-run.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/lvsplay.js');
const CLUSTER = ['db1', 'db2', 'web1', 'web2', 'lvs1', 'lvs2'];

interface Run {
  code: number | null;
  out: string;
  ms: number;
  /** PLAY RECAP: host -> counts (both tools print the same line). */
  recap: Record<string, { ok: number; changed: number; unreachable: number; failed: number }>;
}

function parseRecapHosts(out: string): Run['recap'] {
  const r: Run['recap'] = {};
  for (const m of out.matchAll(/^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)/gm))
    r[m[1]!] = { ok: Number(m[2]), changed: Number(m[3]), unreachable: Number(m[4]), failed: Number(m[5]) };
  return r;
}

function run(argv: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  const t0 = Date.now();
  return new Promise((done) => {
    const p = spawn(argv[0]!, argv.slice(1), { cwd: ROOT, env });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const kill = setTimeout(() => p.kill('SIGKILL'), 600_000);
    p.on('close', (code) => {
      clearTimeout(kill);
      done({ code, out, ms: Date.now() - t0, recap: parseRecapHosts(out) });
    });
  });
}

const SITE = ['playbooks/site.yaml', '-i', 'inventory/lab.ini'];

/** ansible-playbook from the project's root (its ansible.cfg: roles_path, the vault password). */
function ansible(): Promise<Run> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ANSIBLE_NOCOLOR: '1',
    // what a user sets for speed (the bench's settings); python3 is where Debian puts it
    ANSIBLE_PIPELINING: 'True',
    ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3',
  };
  delete env.ANSIBLE_CONFIG;
  delete env.ANSIBLE_FORCE_COLOR;
  return run(['ansible-playbook', ...SITE, '-f', String(CLUSTER.length)], env);
}

function lvsplay(): Promise<Run> {
  return run([process.execPath, BIN, 'run', ...SITE], { ...process.env, CI: 'true', NO_COLOR: '1' });
}

async function must(host: string, cmd: string): Promise<string> {
  const r = await labExec(host, ['sh', '-c', cmd]);
  if (r.code !== 0) throw new Error(`${host}: ${cmd}: exit ${r.code}: ${r.stderr}`);
  return r.stdout;
}

/** The cluster off its converged state, in what both tools manage. */
async function drift(): Promise<void> {
  await Promise.all(
    CLUSTER.map((h) =>
      must(
        h,
        'iptables -w -F INPUT; rm -f /etc/iptables/rules.v4; update-rc.d -f firewall-rules remove >/dev/null 2>&1; rm -f /etc/init.d/firewall-rules' +
          (h.startsWith('web') ? '; rm -f /etc/sysctl.d/60-lvs-realserver.conf' : ''),
      ),
    ),
  );
}

/** `host: task` for every task (or handler) the run reports changed, as both tools print them. */
function changedTasks(r: Run): string[] {
  const out: string[] = [];
  let task = '';
  for (const line of r.out.split('\n')) {
    const head = /^(?:TASK|RUNNING HANDLER) \[(.*)\] \**$/.exec(line);
    if (head) task = head[1]!;
    const m = /^changed: \[([^\]]+)\]/.exec(line);
    if (m && !out.includes(`${m[1]}: ${task}`)) out.push(`${m[1]}: ${task}`);
  }
  return out.sort();
}

/**
 * What ansible-playbook cannot see on this lab: on a UML guest `ps auxww` fails ("Unable to get
 * system boot time"), so Ansible's service module cannot find keepalived running (its init script
 * has no status action) and starts it again on every run, reporting a change.
 */
async function ansibleBlindSpots(): Promise<string[]> {
  const out: string[] = [];
  for (const d of ['lvs1', 'lvs2'])
    if ((await labExec(d, ['ps', 'auxww'])).code !== 0) out.push(`${d}: director : Start keepalived now and at boot`);
  return out;
}

/** Every cluster host in the recap, none failed or unreachable; the hosts that changed anything. */
function changedHosts(r: Run): string[] {
  expect(Object.keys(r.recap).sort(), r.out).toEqual([...CLUSTER].sort());
  for (const h of CLUSTER) expect(r.recap[h], `${h}\n${r.out}`).toMatchObject({ failed: 0, unreachable: 0 });
  return CLUSTER.filter((h) => r.recap[h]!.changed > 0);
}

beforeAll(async () => {
  await ensureLab();
  // Ansible's own prerequisites on its targets (lvsplay needs neither): python3, and python3-apt
  // for its apt module. The roles install what their modules need beyond that (python3-pymysql).
  await Promise.all(
    CLUSTER.map((h) =>
      must(
        h,
        'command -v python3 >/dev/null && dpkg -s python3-apt >/dev/null 2>&1 && exit 0; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3 python3-apt >/dev/null',
      ),
    ),
  );
}, 600_000);

describe('site.yaml under ansible-playbook and lvsplay on the lab', () => {
  it('ansible-playbook converges the cluster; then lvsplay run changes nothing', async () => {
    await drift();
    const a = await ansible();
    expect(a.code, a.out).toBe(0);
    expect(changedHosts(a)).toEqual(CLUSTER);
    // the rules it added are saved and load at boot
    expect(await must('web1', 'cat /etc/iptables/rules.v4')).toMatch(/^-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT$/m);
    expect(await must('web1', 'ls /etc/rcS.d /etc/rc2.d')).toMatch(/S\d\dfirewall-rules/);
    // (that ansible-playbook's own rerun changes nothing is the next case's last step)
    const l = await lvsplay();
    expect(l.code, l.out).toBe(0);
    expect(changedHosts(l), l.out).toEqual([]);
    console.log(`ansible-playbook: converge ${a.ms} ms; lvsplay rerun ${l.ms} ms`);
  }, 900_000);

  it('lvsplay converges the cluster; then ansible-playbook reports changed=0 on every host', async () => {
    await drift();
    const l = await lvsplay();
    expect(l.code, l.out).toBe(0);
    expect(changedHosts(l)).toEqual(CLUSTER);
    const again = await lvsplay();
    expect(changedHosts(again), again.out).toEqual([]);
    const a = await ansible();
    expect(a.code, a.out).toBe(0);
    changedHosts(a);
    expect(changedTasks(a), a.out).toEqual(await ansibleBlindSpots());
    console.log(`lvsplay: converge ${l.ms} ms, rerun ${again.ms} ms; ansible-playbook rerun ${a.ms} ms`);
  }, 900_000);
});
