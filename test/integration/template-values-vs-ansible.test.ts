// The value a task receives from a template, type included, as ansible-playbook 2.14 gives it
// (jinja2_native off, its default): cases in test/fixtures/template-values/cases.yml, each shown
// by debug and kept by set_fact in one playbook that both tools run on localhost.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ansiblePlaybook, lvsplayRun, ROOT } from '../helpers/compat.js';

interface Fixture {
  vars: Record<string, unknown>;
  cases: string[];
  'known-differences': Record<string, string>;
}

const fixture = parse(readFileSync(join(ROOT, 'test/fixtures/template-values/cases.yml'), 'utf8')) as Fixture;

const TYPE_TESTS = ['string', 'number', 'boolean', 'mapping', 'sequence', 'none'];

function playbook(): unknown[] {
  const tasks = fixture.cases.flatMap((c, i) => [
    { name: `shown ${i}`, debug: { msg: c } },
    { name: `kept ${i}`, set_fact: { [`v${i}`]: c } },
    {
      name: `typed ${i}`,
      debug: { msg: TYPE_TESTS.map((t) => `{{ v${i} is ${t} }}`).join('|') + `|{{ v${i} | to_json }}` },
    },
  ]);
  return [{ hosts: 'localhost', gather_facts: false, vars: fixture.vars, tasks }];
}

/** Each task's `msg` for localhost, by task name, from a run's JSON output. */
function messages(json: string): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const run = JSON.parse(json) as {
    plays: Array<{ tasks: Array<{ task: { name: string }; hosts: Record<string, { msg?: unknown }> }> }>;
  };
  for (const t of run.plays[0]!.tasks) out.set(t.task.name, t.hosts.localhost?.msg);
  return out;
}

describe('template values as ansible-playbook 2.14 types them', () => {
  it('gives every case the value and type Ansible gives it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lvsplay-values-'));
    // JSON is YAML: every case stays the string it is in the fixture.
    writeFileSync(join(dir, 'values.yml'), JSON.stringify(playbook(), null, 1));
    writeFileSync(join(dir, 'inventory'), 'localhost ansible_connection=local hv="{{ 2 * 3 }}"\n');
    const env = { ANSIBLE_STDOUT_CALLBACK: 'json' };
    const [ansible, lvsplay] = await Promise.all([
      ansiblePlaybook(['-i', 'inventory', 'values.yml'], dir, env),
      lvsplayRun(['-i', 'inventory', '-o', 'json', 'values.yml'], dir),
    ]);
    expect(ansible.code, ansible.err).toBe(0);
    expect(lvsplay.code, lvsplay.err).toBe(0);
    const a = messages(ansible.out);
    const l = messages(lvsplay.out);
    const differing: string[] = [];
    fixture.cases.forEach((c, i) => {
      const same = ['shown', 'typed'].every((k) => isDeepStrictEqual(a.get(`${k} ${i}`), l.get(`${k} ${i}`)));
      if (!same)
        differing.push(
          `${c}\n  ansible: ${JSON.stringify([a.get(`shown ${i}`), a.get(`typed ${i}`)])}` +
            `\n  lvsplay: ${JSON.stringify([l.get(`shown ${i}`), l.get(`typed ${i}`)])}`,
        );
    });
    expect(a.size).toBe(fixture.cases.length * 3);
    const known = Object.keys(fixture['known-differences']);
    const unexpected = differing.filter((d) => !known.includes(d.split('\n')[0]!));
    expect(unexpected, unexpected.join('\n')).toEqual([]);
    const mended = known.filter((k) => !differing.some((d) => d.split('\n')[0] === k));
    expect(mended, 'listed as different, now the same: remove from known-differences').toEqual([]);
  }, 120_000);
});
