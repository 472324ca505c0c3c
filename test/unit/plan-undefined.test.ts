// The static undefined-variable check: it finds names nothing could define, and stays silent
// on every name that is defined at run time (facts, register, set_fact, loop and magic vars).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LvsplayError } from '../../src/diagnostics.js';
import { loadAndPlan } from '../../src/plan/load-and-plan.js';

function problems(tasks: string, extra: string[] = []): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'lvsplay-undef-'));
  writeFileSync(join(dir, 'hosts.ini'), '[web]\nweb1 http_port=80\n');
  writeFileSync(join(dir, 'pb.yml'), `- hosts: web\n  vars:\n    site: demo\n  tasks:\n${tasks}`);
  try {
    loadAndPlan({ playbook: join(dir, 'pb.yml'), inventory: [join(dir, 'hosts.ini')], extraVars: extra, cwd: dir });
    return [];
  } catch (e) {
    if (e instanceof LvsplayError) return e.diagnostics.map((d) => `${d.pos?.line}: ${d.message}`);
    throw e;
  }
}

describe('undefined variables', () => {
  it('reports a name no source defines, at its line', () => {
    expect(problems('    - debug: msg="{{ site }} {{ http_port }} {{ nope }}"\n')).toEqual([
      "5: variable 'nope' is used here but nothing defines it",
    ]);
  });
  it('also in conditions written without braces', () => {
    expect(problems("    - debug: msg=x\n      when: mode == 'a'\n")).toEqual([
      "6: variable 'mode' is used here but nothing defines it",
    ]);
  });
  it('is silent on facts, magic, registered, set_fact, loop and guarded names', () => {
    const tasks = [
      '    - command: hostname',
      '      register: out',
      '    - set_fact: later=1',
      '    - debug: msg="{{ out.stdout }} {{ later }} {{ ansible_hostname }} {{ inventory_hostname }} {{ groups.web }}"',
      '    - debug: msg="{{ item }} {{ pkg }} {{ idx }}"',
      '      loop: [a]',
      '      loop_control: {loop_var: pkg, index_var: idx}',
      '    - debug: msg="{{ maybe | default(1) }}"',
      '    - debug: msg="{{ other }}"',
      '      when: other is defined',
      '',
    ].join('\n');
    expect(problems(tasks)).toEqual([]);
  });
  it('knows -e variables', () => {
    expect(problems('    - debug: msg="{{ given }}"\n', ['given=1'])).toEqual([]);
  });
});
