// group_by, add_host, run_once and loops run by ansible-playbook 2.14 and lvsplay on localhost
// (test/fixtures/run-results): the same hosts report each task with the same status and
// message, the recaps are equal, and plays on groups made at run time run on the same hosts.
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ansiblePlaybook, lvsplayRun, ROOT } from '../helpers/compat.js';

const FIXTURES = join(ROOT, 'test/fixtures/run-results');

interface HostResult {
  changed?: boolean;
  failed?: boolean;
  skipped?: boolean;
  msg?: unknown;
  results?: HostResult[];
}
interface RunJson {
  plays: Array<{
    play: { name: string };
    tasks: Array<{ task: { name: string }; hosts: Record<string, HostResult> }>;
  }>;
  stats: Record<string, Record<string, number>>;
}

/** JSON with sorted keys (Ansible's json callback sorts them). */
const canonical = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b)))
      : x,
  );

const status = (r: HostResult): string => (r.failed ? 'failed' : r.skipped ? 'skipped' : r.changed ? 'changed' : 'ok');

/** What a user reads of a run: per play and task, each reporting host's status and message. */
function seen(run: RunJson): string[] {
  return run.plays.flatMap((p) =>
    p.tasks.flatMap((t, i) =>
      Object.keys(t.hosts)
        .sort()
        .map((h) => {
          const r = t.hosts[h]!;
          // Messages of debug tasks that ran; other modules' result shapes are compared elsewhere.
          const msg = t.task.name === 'debug' && !r.skipped ? canonical(r.msg ?? null) : '';
          const items = r.results ? ` items=${r.results.map(status).join(',')}` : '';
          return `${p.play.name} #${i} ${t.task.name} ${h}: ${status(r)}${items} ${msg}`;
        }),
    ),
  );
}

async function both(playbook: string, extra: string[] = []): Promise<{ ansible: RunJson; lvsplay: RunJson }> {
  const dir = mkdtempSync(join(tmpdir(), 'lvsplay-rtinv-'));
  cpSync(FIXTURES, dir, { recursive: true });
  const [a, l] = await Promise.all([
    ansiblePlaybook(['-i', 'inventory', playbook, ...extra], dir, { ANSIBLE_STDOUT_CALLBACK: 'json' }),
    lvsplayRun(['-i', 'inventory', '-o', 'json', playbook, ...extra], dir),
  ]);
  expect(l.code, l.err).toBe(a.code);
  return { ansible: JSON.parse(a.out) as RunJson, lvsplay: JSON.parse(l.out) as RunJson };
}

describe('inventory changed at run time, as ansible-playbook 2.14 changes it', () => {
  it('group_by and add_host: the same groups, hosts, statuses and later plays', async () => {
    const { ansible, lvsplay } = await both('groups.yml');
    expect(seen(lvsplay)).toEqual(seen(ansible));
    expect(lvsplay.stats).toEqual(ansible.stats);
    expect(lvsplay.plays.map((p) => p.play.name)).toEqual(ansible.plays.map((p) => p.play.name));
  }, 120_000);

  it('--limit also holds for the hosts add_host makes', async () => {
    const { ansible, lvsplay } = await both('groups.yml', ['--limit', 'w1,w2,d1']);
    expect(seen(lvsplay)).toEqual(seen(ansible));
    expect(lvsplay.stats).toEqual(ansible.stats);
    expect(Object.keys(lvsplay.stats)).not.toContain('n1');
  }, 120_000);

  it('run_once and add_host report on the host that ran them only; a failure stops the others', async () => {
    const { ansible, lvsplay } = await both('run-once.yml');
    expect(seen(lvsplay)).toEqual(seen(ansible));
    expect(lvsplay.stats).toEqual(ansible.stats);
  }, 120_000);

  it('a loop registers each item under its loop variable, with ansible_loop_var and the index', async () => {
    const { ansible, lvsplay } = await both('loops.yml');
    expect(seen(lvsplay)).toEqual(seen(ansible));
    expect(lvsplay.stats).toEqual(ansible.stats);
  }, 120_000);
});
