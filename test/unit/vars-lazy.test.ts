import { describe, expect, it } from 'vitest';
import { createTemplar } from '../../src/vars/templar.js';
import { mergeLayers } from '../../src/vars/precedence.js';
import { loadYamlFile, posOf, valuePosOf } from '../../src/yaml/load.js';
import { encryptVaultText } from '../../src/vars/vault.js';
import { formatDiagnostic } from '../../src/diagnostics.js';
import { Secret, isSecret } from '../../src/secret.js';
import { loadYaml } from '../../src/yaml/load.js';
import { failure } from '../helpers/failure.js';

const file = 'test/fixtures/vars/group_vars/directors.yml';
const groupVars = loadYamlFile(file).value as Record<string, unknown>;
const t = createTemplar();

const hostVars = () =>
  mergeLayers({
    playbookGroupVars: groupVars,
    extraVars: { inventory_hostname: 'dir1', groups: { directors: ['dir1', 'dir2'] } },
  });

describe('lazy, recursive variable templating', () => {
  it('a variable whose value is a template reads other variables, recursively', () => {
    expect(t.render('{{ vip_cidr }}', hostVars())).toBe('10.0.7.100/24');
    expect(t.render('{{ keepalived_peers }}', hostVars())).toEqual(['dir2']);
    expect(t.render({ a: '{{ b }}', b: '{{ c }}', c: 1 }.a, { a: '{{ b }}', b: '{{ c }}', c: 1 })).toBe(1);
  });
  it('renders only what is read: a broken variable nobody uses is no error', () => {
    expect(t.render('{{ vip }}', hostVars())).toBe('10.0.7.100');
  });
  it('a loop between variables is reported with the chain and the place', () => {
    const msg = failure(() => t.render('{{ loop_a }}', hostVars()));
    expect(msg).toMatch(
      new RegExp(`^${file}:5:\\d+: recursive loop detected in variable 'loop_a': loop_a -> loop_b -> loop_a`),
    );
  });
  it('an undefined name inside a variable points at the variable definition', () => {
    expect(failure(() => t.render('{{ uses_missing }}', hostVars()))).toMatch(
      new RegExp(`^${file}:7:\\d+: 'not_defined_anywhere' is undefined \\(while templating variable 'uses_missing'\\)`),
    );
  });
  it('!unsafe values are never templated', () => {
    expect(t.render('{{ raw_text }}', hostVars())).toBe('{{ kept as is }}');
  });
  it("hostvars[h].var is templated in h's own variables", () => {
    const vars = {
      inventory_hostname: 'dir1',
      hostvars: { db1: { mysql_port: '{{ base_port + 6 }}', base_port: 3300 }, web1: { name: 'web1' } },
    };
    expect(t.render("{{ hostvars['db1'].mysql_port }}", vars)).toBe('3306');
    expect(t.render("{{ hostvars['db1']['mysql_port'] }}", vars)).toBe('3306');
    expect(t.render('{{ hostvars | list }}', vars)).toEqual(['db1', 'web1']);
  });
  it('the vars magic variable reads variables by computed name', () => {
    expect(t.render("{{ vars['vip' ~ '_prefix'] }}", hostVars())).toBe('24');
  });
  it('mergeLayers keeps the place of the winning value', () => {
    const merged = mergeLayers({ playbookGroupVars: groupVars, extraVars: { vip: '1.2.3.4' } });
    expect(valuePosOf(merged, 'vip_prefix')?.line).toBe(3);
    expect(posOf(merged)).toBeDefined();
  });
  it('inline !vault values decrypt when read, into Secrets', () => {
    const cipher = encryptVaultText('repl-pass', 'pw');
    const text = `repl_password: !vault |\n${cipher
      .split('\n')
      .filter(Boolean)
      .map((l) => `  ${l}`)
      .join('\n')}\nrepl_dsn: "repl:{{ repl_password }}@db1"\n`;
    const vars = loadYaml(text, 'group_vars/all/vault.yml').value as Record<string, unknown>;
    const vt = createTemplar({ vault: { passwords: [{ password: new Secret('pw') }] } });
    const dsn = vt.render('{{ repl_dsn }}', vars);
    expect(isSecret(dsn)).toBe(true);
    expect((dsn as Secret).reveal()).toBe('repl:repl-pass@db1');
    expect(
      failure(() =>
        createTemplar({ vault: { passwords: [{ password: new Secret('bad') }] } }).render('{{ repl_dsn }}', vars),
      ),
    ).toMatch(/^group_vars\/all\/vault\.yml:1:\d+: wrong vault password/);
  });
});

describe('static checks for validation', () => {
  it('findUndefined names variables a template reads that nobody defines', () => {
    const task = {
      name: 'configure {{ service }}',
      args: { dest: '/etc/{{ conf_dir }}/x', content: "{{ lookup('file', f) | default(omit) }}" },
    };
    expect(t.findUndefined(task, ['service']).sort()).toEqual(['conf_dir', 'f']);
  });
  it('findUndefined ignores loop variables, set targets, filter and test names and dict keys', () => {
    const s =
      "{% for h in groups['all'] %}{% set x = h | upper %}{{ x }}{{ {'k': item is defined} }}{{ h is match('a') }}{% endfor %}";
    expect(t.findUndefined(s, ['groups', 'item'])).toEqual([]);
    expect(t.findUndefined(s, ['groups'])).toEqual(['item']);
  });
  it('checkTemplates reports syntax errors, unknown filters and test-as-filter, each at the given place', () => {
    const at = { file: 'site.yml', line: 4, col: 11 };
    const ds = t.checkTemplates(
      ['{{ x | bool }', '{{ r | failed }}', '{{ x | to_jsn }}', '{{ x is numbr }}', '{{ fine | default(1) }}'],
      at,
    );
    expect(ds.map(formatDiagnostic)).toEqual([
      'site.yml:4:11: template syntax error: expected variable end; fix the Jinja2 syntax',
      // A warning: ansible-core 2.14 loads it and fails only where it is evaluated.
      `site.yml:4:11: warning: 'failed' is a test used as a filter: Ansible removed that form in 2.9, and ansible-core 2.14 loads the playbook but fails a task where it is evaluated; so does lvsplay; write "value is failed" instead of "value | failed"`,
      "site.yml:4:11: no filter named 'to_jsn'; did you mean 'to_json'?",
      "site.yml:4:11: no test named 'numbr'; did you mean 'number'?",
    ]);
  });
});
