import { describe, expect, it } from 'vitest';
import { createTemplar } from '../../src/vars/templar.js';
import type { SourcePos } from '../../src/diagnostics.js';
import { Secret, isSecret } from '../../src/secret.js';
import { OMIT, isOmit, stripOmitted } from '../../src/vars/omit.js';
import { failure } from '../helpers/failure.js';

const t = createTemplar();
const where: SourcePos = { file: 'roles/web/tasks/main.yml', line: 12, col: 9 };
const r = (s: unknown, vars: Record<string, unknown> = {}) => t.render(s, vars, where);

// As Ansible types a template's result with jinja2_native off (its default); the differential
// test test/integration/template-values-vs-ansible.test.ts holds these to ansible-playbook's.
describe('value types', () => {
  it('a variable alone keeps its type; a list, dict or boolean result too; other results are text', () => {
    expect(r('{{ ports }}', { ports: [80, 443] })).toEqual([80, 443]);
    expect(r('{{ cfg }}', { cfg: { a: 1 } })).toEqual({ a: 1 });
    expect(r('{{ n }}', { n: 41 })).toBe(41);
    expect(r('{{ n + 1 }}', { n: 41 })).toBe('42');
    expect(r('{{ enabled }}', { enabled: false })).toBe(false);
    expect(r('{{ n > 1 }}', { n: 41 })).toBe(true);
    expect(r('{{ nothing }}', { nothing: null })).toBe(null);
    expect(r('{{ none }}')).toBe('');
    expect(r("{{ '[1, true]' }}")).toEqual([1, true]);
    expect(r('{{ d | to_json }}', { d: { a: 1 } })).toBe('{"a": 1}');
  });
  it('mixed text renders to a string, with Python spellings', () => {
    expect(r('ports: {{ ports }}', { ports: [80, 'a'] })).toBe("ports: [80, 'a']");
    expect(r('{{ a }}-{{ b }}', { a: true, b: 1 })).toBe('True-1');
    expect(r('x{{ n }}y', { n: null })).toBe('xy');
    // Text that reads as a Python dict becomes one, trailing space and all, as in Ansible.
    expect(r('{{ d }} ', { d: { k: 'v' } })).toEqual({ k: 'v' });
    expect(r('x {{ d }}', { d: { k: 'v' } })).toBe("x {'k': 'v'}");
  });
  it('renders strings deep inside lists and dicts, keys too', () => {
    expect(r({ name: '{{ svc }}', list: ['{{ svc }}.conf', 3], '{{ svc }}_key': 1 }, { svc: 'nginx' })).toEqual({
      name: 'nginx',
      list: ['nginx.conf', 3],
      nginx_key: 1,
    });
  });
  it('leaves text without template markers alone (same object)', () => {
    const v = { a: [1, 'plain'] };
    expect(r(v)).toBe(v);
  });
});

describe('Jinja2 syntax and Python semantics', () => {
  const vars = { x: 0, l: [1, 2], d: { a: 1, b: 2 }, s: 'Hello World', empty: [] };
  it.each([
    ['{{ True and not False }}', true],
    ['{{ None is none }}', true],
    ["{{ 'a' ~ 1 ~ none }}", 'a1None'],
    ['{{ 1 if x else 2 }}', '2'],
    ['{{ x is not defined }}', false],
    ['{{ l[1:] }}', [2]],
    ['{{ l[-1] }}', '2'],
    ['{{ l + [3] }}', [1, 2, 3]],
    ["{{ '-' * 3 }}", '---'],
    ['{{ empty or "fallback" }}', 'fallback'],
    ['{{ "yes" if empty else "no" }}', 'no'],
    ["{{ '1' == 1 }}", false],
    ['{{ 1 == 1.0 }}', true],
    ['{{ [1, 2] == l }}', true],
    ['{{ 2 in l }}', true],
    ["{{ 'a' in d }}", true],
    ["{{ 'World' in s }}", true],
    ['{{ 7 // 2 }} {{ 2 ** 3 }} {{ -7 % 3 }}', '3 8 2'],
    ["{{ '%s:%d' % ('vip', 80) }}", 'vip:80'],
    ["{{ s.startswith('He') and s.endswith('ld') }}", true],
    ["{{ '  pad '.strip() }}", 'pad'],
    ['{{ s.split() }}', ['Hello', 'World']],
    ["{{ 'a,b,,c'.split(',') }}", ['a', 'b', '', 'c']],
    ['{{ s.lower().replace("world", "there") }}', 'hello there'],
    ["{{ '{}:{}'.format('h', 22) }}", 'h:22'],
    [
      '{{ d.items() | list }}',
      [
        ['a', 1],
        ['b', 2],
      ],
    ],
    ['{{ d.keys() | list }}', ['a', 'b']],
    ['{{ d.values() | sum }}', '3'],
    ["{{ d.get('zz', 'dflt') }}", 'dflt'],
    ['{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}', 'a=1;b=2;'],
    ['{% for k in d %}{{ k }}{% endfor %}', 'ab'],
    ['{% for i in l %}{{ loop.index }}{{ "," if not loop.last }}{% endfor %}', '1,2'],
    ['{% set y = l | length %}{{ y }}', '2'],
    ['{%- if true -%}   a   {%- endif -%}', 'a'],
    ['{% raw %}{{ not rendered }}{% endraw %}', '{{ not rendered }}'],
    ['{# comment #}x', 'x'],
  ])('%s', (src, expected) => {
    expect(r(src, vars)).toEqual(expected);
  });
});

describe('strict undefined', () => {
  it('names the variable and the YAML place of the string', () => {
    expect(failure(() => r('{{ vip_address }}'))).toBe(
      `roles/web/tasks/main.yml:12:9: 'vip_address' is undefined; define vip_address (inventory, group_vars, vars, -e) or give a fallback with "| default(...)"`,
    );
  });
  it('names the full attribute path, e.g. through hostvars', () => {
    const msg = failure(() =>
      r("{{ hostvars['web1'].mysql_port }}", { hostvars: { web1: { ansible_host: '10.0.7.11' } } }),
    );
    expect(msg).toContain("hostvars['web1'].mysql_port is undefined");
    expect(msg).toContain("'dict' object has no attribute 'mysql_port'");
    expect(failure(() => r('{{ a.b.c }}', { a: { b: {} } }))).toContain('a.b.c is undefined');
  });
  it('fails when an undefined value is used in if, in arithmetic, in text and in loops', () => {
    for (const s of [
      '{% if nope %}x{% endif %}',
      '{{ nope + 1 }}',
      "{{ 'x' ~ nope }}",
      '{% for i in nope %}{% endfor %}',
      '{{ nope | upper }}',
      '{{ nope == 1 }}',
      '{{ nope.attr }}',
    ]) {
      expect(
        failure(() => r(s)),
        s,
      ).toContain("'nope' is undefined");
    }
  });
  it('default, d and "is defined" still work on undefined values', () => {
    expect(r("{{ nope | default('x') }}")).toBe('x');
    expect(r("{{ nope | d('x') }}")).toBe('x');
    expect(r("{{ '' | default('x', true) }}")).toBe('x');
    expect(r("{{ '' | default('x') }}")).toBe('');
    expect(r('{{ nope is defined }}')).toBe(false);
    expect(r('{{ nope is undefined }}')).toBe(true);
    expect(r("{{ hostvars['x'].foo | default('none') }}", { hostvars: { x: {} } })).toBe('none');
    expect(r('{{ d.missing is defined }}', { d: {} })).toBe(false);
  });
  it('mandatory fails with its message, or names the variable', () => {
    expect(failure(() => r('{{ nope | mandatory }}'))).toContain("Mandatory variable 'nope' is undefined");
    expect(failure(() => r("{{ nope | mandatory('set the VIP first') }}"))).toContain('set the VIP first');
  });
  it('reports the line inside a multi-line template string', () => {
    expect(failure(() => r('line1\n{{ ok }}\n{{ nope }}', { ok: 1 }))).toContain(
      "'nope' is undefined (line 3 of the template)",
    );
  });
});

describe('refusals and syntax errors', () => {
  it('refuses test-as-filter with the fix', () => {
    expect(failure(() => r('{{ result | failed }}', { result: { failed: false } }))).toBe(
      `roles/web/tasks/main.yml:12:9: 'failed' is a test, not a filter: Ansible removed tests used as filters in 2.9 (ansible-core 2.14 fails here too); write "value is failed" instead of "value | failed"`,
    );
  });
  it('suggests the closest filter for a typo', () => {
    expect(failure(() => r('{{ x | to_jsn }}', { x: 1 }))).toContain(
      "no filter named 'to_jsn'; did you mean 'to_json'?",
    );
  });
  it('reports a syntax error at the string place, not a stack trace', () => {
    const msg = failure(() => r('{{ x | bool }', { x: 1 }));
    expect(msg).toMatch(/^roles\/web\/tasks\/main\.yml:12:9: template syntax error: /);
    expect(msg).not.toMatch(/\n\s+at /);
  });
  it('reports Python type errors in Python terms', () => {
    expect(failure(() => r("{{ 3 > 'a' }}"))).toContain("'>' not supported between instances of 'int' and 'str'");
    expect(failure(() => r("{{ 1 + 'a' }}"))).toContain("unsupported operand types for +: 'int' and 'str'");
  });
});

describe('conditions (when, changed_when, failed_when, assert)', () => {
  const vars = { n: 3, role: 'director', items: [], result: { rc: 1, failed: true, changed: false }, flag: 'yes' };
  it.each([
    ['n > 2', true],
    ["role == 'director' and n is number", true],
    ['items', false],
    ['not items', true],
    ['result is failed', true],
    ['result is not changed', true],
    ['result.rc != 0', true],
    ['flag | bool', true],
    ['{{ n > 5 }}', false],
    [true, true],
    [false, false],
    [['n > 2', "role == 'director'"], true],
    [['n > 2', 'n > 4'], false],
  ])('%s', (expr, expected) => {
    expect(t.evalCondition(expr, vars, where)).toBe(expected);
  });
  it('an undefined variable in a condition names the condition', () => {
    expect(failure(() => t.evalCondition('nope == 1', vars, where))).toBe(
      `roles/web/tasks/main.yml:12:9: 'nope' is undefined (while templating condition "nope == 1"); define nope (inventory, group_vars, vars, -e) or give a fallback with "| default(...)"`,
    );
  });
  it('refuses result|failed in a condition too', () => {
    expect(failure(() => t.evalCondition('result | failed', vars, where))).toContain('write "value is failed"');
  });
});

describe('omit', () => {
  it('default(omit) yields the placeholder, and stripOmitted drops it from module args', () => {
    const args = r(
      { path: '/etc/motd', mode: '{{ file_mode | default(omit) }}', owner: '{{ owner }}' },
      { owner: 'root' },
    ) as Record<string, unknown>;
    expect(isOmit(args.mode)).toBe(true);
    expect(args.mode).toBe(OMIT);
    expect(stripOmitted(args)).toEqual({ path: '/etc/motd', owner: 'root' });
    expect(stripOmitted({ opts: ['a', OMIT], nested: { x: OMIT, y: 1 } })).toEqual({ opts: ['a'], nested: { y: 1 } });
  });
});

describe('vault values in templates', () => {
  const vars = { db_password: new Secret('hunter2'), user: 'repl' };
  it('a secret alone stays the Secret; text built from it becomes a Secret', () => {
    expect(r('{{ db_password }}', vars)).toBe(vars.db_password);
    const built = r('--password={{ db_password }} --user={{ user }}', vars);
    expect(isSecret(built)).toBe(true);
    expect((built as Secret).reveal()).toBe('--password=hunter2 --user=repl');
    expect(String(built)).not.toContain('hunter2');
    expect(JSON.stringify({ built })).not.toContain('hunter2');
  });
  it('filters see the real text and their results stay masked', () => {
    const up = r('{{ db_password | upper }}', vars);
    expect(isSecret(up)).toBe(true);
    expect((up as Secret).reveal()).toBe('HUNTER2');
    expect(t.evalCondition("db_password == 'hunter2'", vars)).toBe(true);
  });
  it('text that reads no secret stays a plain string', () => {
    expect(r('user={{ user }}', vars)).toBe('user=repl');
  });
});

describe('Python slicing', () => {
  // Expected values as ansible-playbook 2.14 prints them for the same expressions.
  const vars = { s: 'abcdef', l: [1, 2, 3, 4, 5] };
  it('slices strings to strings and lists to lists, with negative indices and steps', () => {
    expect(r("{{ 'abcdef'[:3] }}")).toBe('abc');
    expect(r('{{ s[::-1] }}', vars)).toBe('fedcba');
    expect(r('{{ s[-2:] }}', vars)).toBe('ef');
    expect(r('{{ s[1:5:2] }}', vars)).toBe('bd');
    expect(r('{{ s[::-2] }}', vars)).toBe('fdb');
    expect(r('{{ s[-100:2] }}', vars)).toBe('ab');
    expect(r('{{ s[4:1:-1] }}', vars)).toBe('edc');
    expect(r('{{ s[10:] }}', vars)).toBe('');
    expect(r('{{ l[::-1] }}', vars)).toEqual([5, 4, 3, 2, 1]);
    expect(r('{{ l[1:-1] }}', vars)).toEqual([2, 3, 4]);
    expect(r('{{ l[-2::-2] }}', vars)).toEqual([4, 2]);
    expect(r("{{ (s[:3] | upper) ~ '!' }}", vars)).toBe('ABC!');
  });
  it('refuses a zero step and non-integer bounds with a located message', () => {
    expect(failure(() => r('{{ s[::0] }}', vars))).toMatch(/main\.yml:12:9: slice step cannot be zero/);
    expect(failure(() => r("{{ s['a':] }}", vars))).toMatch(/slice start must be an integer or None/);
    expect(failure(() => r('{{ d[1:] }}', { d: { a: 1 } }))).toMatch(/'dict' object is not subscriptable/);
  });
  it('slices a secret on its real text and keeps the slice secret', () => {
    const pw = { pw: new Secret('hunter2pass') };
    for (const [expr, real] of [
      ['{{ pw[::-1] }}', 'ssap2retnuh'],
      ['{{ pw[0:3] }}', 'hun'],
      ['{{ pw[:3] | upper }}', 'HUN'],
      ['x{{ pw[-4:] }}', 'xpass'],
    ] as const) {
      const v = r(expr, pw);
      expect(isSecret(v), expr).toBe(true);
      expect((v as Secret).reveal()).toBe(real);
      expect(JSON.stringify(v)).not.toContain(real);
    }
  });
});
