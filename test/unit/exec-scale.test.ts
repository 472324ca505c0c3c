// The controller's work per task on a host must not grow with the number of hosts. Counted, not
// timed: how often the inventory's host list and the run's host states are walked, and how
// often read-ahead caches are cleared, on N hosts whose transport is a stub that answers at once.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadAndPlan, type Plan } from '../../src/plan/load-and-plan.js';
import { executePlan } from '../../src/exec/scheduler.js';
import { ConnectionPool } from '../../src/exec/connections.js';
import { hostState, newGroups, taskVars, type RunContext } from '../../src/exec/context.js';
import { forgetProbeResults, forgetRenderedArgs, ProbeCache } from '../../src/exec/prefetch.js';
import { sh } from '../../src/transport/quote.js';
import { RecordingReporter } from '../../src/report/recording.js';
import { createTemplar } from '../../src/vars/templar.js';
import type { Transport } from '../../src/transport/types.js';

/** A Map that counts the entries handed out by every walk over it (keys, values, entries, for-of). */
class CountingMap<K, V> extends Map<K, V> {
  walked = 0;
  gets = 0;
  override get(k: K): V | undefined {
    this.gets++;
    return super.get(k);
  }
  override *entries(): MapIterator<[K, V]> {
    for (const e of super.entries()) {
      this.walked++;
      yield e;
    }
  }
  override *keys(): MapIterator<K> {
    for (const [k] of this.entries()) yield k;
  }
  override *values(): MapIterator<V> {
    for (const [, v] of this.entries()) yield v;
  }
  override [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }
  override forEach(fn: (v: V, k: K, m: Map<K, V>) => void): void {
    for (const [k, v] of this.entries()) fn(v, k, this);
  }
}

function planOn(hosts: number, tasks: string): { plan: Plan; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'lvsplay-scale-'));
  const names = Array.from({ length: hosts }, (_, i) => `h${i} ansible_host=192.0.2.${i + 1} x=${i}`);
  writeFileSync(join(dir, 'inv.ini'), `[g]\n${names.join('\n')}\n`);
  writeFileSync(join(dir, 'play.yml'), `- hosts: g\n  gather_facts: false\n  tasks:\n${tasks}`);
  return { plan: loadAndPlan({ playbook: join(dir, 'play.yml'), inventory: [join(dir, 'inv.ini')], cwd: dir }), dir };
}

/** The inventory's host list, counting walks over it (the plan's layers read the same object). */
function countInventoryWalks(plan: Plan): CountingMap<string, unknown> {
  const counting = new CountingMap(plan.inventory.hosts);
  (plan.inventory as { hosts: Map<string, unknown> }).hosts = counting;
  counting.walked = 0;
  return counting;
}

function runContext(plan: Plan, hosts = new Map()): RunContext {
  return { plan, hosts, groups: newGroups(plan) } as unknown as RunContext;
}

describe('hostvars', () => {
  it('costs nothing per host until read, and reads what it did before', () => {
    const { plan } = planOn(30, '    - debug: msg=hi\n');
    const inventoryHosts = countInventoryWalks(plan);
    const pp = plan.plays[0]!;
    const run = runContext(plan);
    const at = { pp, batch: pp.hosts };
    const all = pp.hosts.map((h) => taskVars(run, at, h, pp.compiled.tasks[0]));
    // 30 hosts' variables made without walking the 30 hosts once for each.
    expect(inventoryHosts.walked).toBe(0);
    const hv = all[3]!.hostvars as Record<string, Record<string, unknown>>;
    expect(hv.h7?.x).toBe(7);
    expect(hv.h7).toBe(hv.h7); // kept once read
    expect('h29' in hv).toBe(true);
    expect('nope' in hv).toBe(false);
    expect(hv.nope).toBeUndefined();
    expect(Object.keys(hv)).toEqual(pp.hosts);
    expect(Object.hasOwn(hv, 'h0')).toBe(true);
  });

  it('templates read it by name and walk it', () => {
    const { plan } = planOn(3, '    - debug: msg=hi\n');
    const pp = plan.plays[0]!;
    const vars = taskVars(runContext(plan), { pp, batch: pp.hosts }, 'h0', pp.compiled.tasks[0]);
    const templar = createTemplar({ searchPath: [] });
    const render = (t: string) => String(templar.render(t, vars));
    expect(render("{{ hostvars['h2'].x }}")).toBe('2');
    expect(render('{{ hostvars | list | sort | join(",") }}')).toBe('h0,h1,h2');
    expect(render("{{ 'h1' in hostvars }}, {{ 'h9' in hostvars }}")).toBe('True, False');
    expect(render('{{ groups.g | map("extract", hostvars, "x") | join(",") }}')).toBe('0,1,2');
  });
});

describe('ansible_play_hosts', () => {
  it('is counted once for the batch, not once per host, and again when a host fails or is rescued', () => {
    const { plan } = planOn(40, '    - debug: msg=hi\n');
    const pp = plan.plays[0]!;
    const states = new CountingMap<string, unknown>();
    const run = runContext(plan, states);
    for (const h of pp.hosts) hostState(run, h);
    const at = { pp, batch: pp.hosts };
    const planned = pp.compiled.tasks[0];
    states.gets = 0;
    for (const h of pp.hosts) taskVars(run, at, h, planned);
    // One look per host for its own state, and one count of the batch: linear, not 40 × 40.
    expect(states.gets).toBeLessThanOrEqual(4 * pp.hosts.length);
    const playHosts = (h: string) => taskVars(run, at, h, planned).ansible_play_hosts as string[];
    expect(playHosts('h0')).toHaveLength(40);
    hostState(run, 'h5').failed = true;
    hostState(run, 'h6').unreachable = true;
    expect(playHosts('h0')).not.toContain('h5');
    expect(playHosts('h1')).toEqual(pp.hosts.filter((h) => h !== 'h5' && h !== 'h6'));
    hostState(run, 'h5').failed = false;
    expect(playHosts('h0')).toContain('h5');
    expect(playHosts('h0')).not.toContain('h6');
  });
});

describe('what is read ahead', () => {
  it('rendered arguments are forgotten on every host at once without visiting each host', () => {
    const { plan } = planOn(2, '    - debug: msg=hi\n');
    const states = new CountingMap<string, unknown>();
    const run = runContext(plan, states);
    const planned = plan.plays[0]!.compiled.tasks[0]!;
    for (const h of ['h0', 'h1']) hostState(run, h).probes.keepArgs(planned, { msg: h });
    states.walked = 0;
    forgetRenderedArgs(run);
    expect(states.walked).toBe(0);
    expect(hostState(run, 'h0').probes.peekArgs(planned)).toBeUndefined();
    expect(hostState(run, 'h1').probes.peekArgs(planned)).toBeUndefined();
    // Kept again after the change, they hold until the next one.
    hostState(run, 'h1').probes.keepArgs(planned, { msg: 'again' });
    expect(hostState(run, 'h1').probes.peekArgs(planned)).toEqual({ msg: 'again' });
  });

  it('probe results are forgotten on every host at once without visiting each host', () => {
    const { plan } = planOn(2, '    - debug: msg=hi\n');
    const states = new CountingMap<string, unknown>();
    const run = runContext(plan, states);
    const planned = plan.plays[0]!.compiled.tasks[0]!;
    const probe = sh`test -d /etc`;
    for (const h of ['h0', 'h1']) {
      hostState(run, h).probes.put(probe, { code: 0, stdout: '', stderr: '', ms: 1 });
      hostState(run, h).probes.markAhead(planned.task);
      hostState(run, h).probes.keepArgs(planned, { msg: h });
    }
    states.walked = 0;
    forgetProbeResults(run);
    expect(states.walked).toBe(0);
    for (const h of ['h0', 'h1']) {
      expect(hostState(run, h).probes.has(probe)).toBe(false);
      expect(hostState(run, h).probes.isAhead(planned.task)).toBe(false);
      // The arguments depend on variables, which did not change.
      expect(hostState(run, h).probes.peekArgs(planned)).toEqual({ msg: h });
    }
    hostState(run, 'h0').probes.put(probe, { code: 1, stdout: '', stderr: '', ms: 1 });
    expect(hostState(run, 'h0').probes.take(probe)?.code).toBe(1);
  });
});

describe('a whole run on N stub hosts', () => {
  afterEach(() => vi.restoreAllMocks());

  const stub = (host: string): Transport => ({
    host,
    warnings: [],
    run: () => Promise.resolve({ code: 0, stdout: `${host}\n`, stderr: '', ms: 0 }),
    put: () => Promise.resolve({ ok: true, code: 0, stdout: '', stderr: '', ms: 0 }),
    close: () => Promise.resolve(),
  });

  // Commands (each forgets what was rendered ahead), a condition on ansible_play_hosts and a
  // template reading another host's variables: what made each task cost hosts² before.
  const TASKS = [0, 1, 2]
    .map(
      (i) => `    - command: echo {{ inventory_hostname }} ${i}
      changed_when: false
      when: ansible_play_hosts | length > 0
    - debug:
        msg: "{{ hostvars[groups.g[0]].x }}"
`,
    )
    .join('');

  async function walksPerHostTask(hosts: number) {
    vi.spyOn(ConnectionPool.prototype, 'get').mockImplementation((h: string) => Promise.resolve(stub(h)));
    const cleared = vi.spyOn(ProbeCache.prototype, 'forgetArgs');
    const { plan, dir } = planOn(hosts, TASKS);
    const inventoryHosts = countInventoryWalks(plan);
    const rec = new RecordingReporter();
    const r = await executePlan(plan, {
      templar: createTemplar({ searchPath: [dir] }),
      emit: (e) => rec.onEvent(e),
      journalDir: join(dir, '.state'),
    });
    expect(r.exitCode).toBe(0);
    expect(r.recap.h0).toMatchObject({ ok: 6, failed: 0 });
    const hostTasks = hosts * 6;
    const out = { walked: inventoryHosts.walked / hostTasks, cleared: cleared.mock.calls.length / hostTasks };
    vi.restoreAllMocks();
    return out;
  }

  it('walks the host lists and clears caches no more per host-task on 40 hosts than on 10', async () => {
    const small = await walksPerHostTask(10);
    const large = await walksPerHostTask(40);
    // Linear work gives the same figure per host-task whatever the count (plus what is done
    // once per run, which only shrinks per host-task); hosts² work gives 4 times as much.
    expect(large.walked).toBeLessThanOrEqual(small.walked);
    expect(large.cleared).toBeLessThanOrEqual(small.cleared);
    expect(large.cleared).toBeLessThanOrEqual(1);
  });
});
