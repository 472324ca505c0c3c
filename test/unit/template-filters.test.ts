import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createTemplar } from '../../src/vars/templar.js';
import { loadYamlFile } from '../../src/yaml/load.js';

const t = createTemplar();
const r = (s: string, vars: Record<string, unknown> = {}) => t.render(s, vars);

const users = [
  { name: 'alice', uid: 1001, admin: true, shell: '/bin/bash' },
  { name: 'bob', uid: 1000, admin: false },
  { name: 'carol', uid: 1002, admin: true, shell: '/bin/zsh' },
];
const vars = {
  users,
  ports: [443, 80, 80, 8080],
  text: 'Hello World',
  nested: [1, [2, [3, [4]]]],
  cfg: { b: 2, a: 1 },
};

describe('filters', () => {
  it.each<[string, unknown]>([
    ["{{ 'yes' | bool }} {{ 'off' | bool }} {{ 1 | bool }} {{ none | bool }}", 'True False True False'],
    ["{{ '42' | int + 1 }}", '43'],
    ["{{ '3.9' | int }}", '3'],
    ["{{ 'abc' | int }}", '0'],
    ["{{ 'abc' | int(7) }}", '7'],
    ["{{ '0x1F' | int(base=16) }}", '31'],
    ["{{ '2.5' | float * 3 }}", '7.5'],
    ['{{ 5 | string }}', '5'],
    ['{{ text | lower }}|{{ text | upper }}', 'hello world|HELLO WORLD'],
    ["{{ ports | join(',') }}", '443,80,80,8080'],
    ["{{ users | join(', ', attribute='name') }}", 'alice, bob, carol'],
    ["{{ 'a b  c' | split }}", ['a', 'b', 'c']],
    ["{{ 'a:b:c' | split(':') }}", ['a', 'b', 'c']],
    ["{{ text | replace('World', 'LVS') }}", 'Hello LVS'],
    ["{{ 'web01.example.com' | regex_replace('^(\\w+?)(\\d+)\\..*$', '\\2-\\1') }}", '01-web'],
    ["{{ 'web01' | regex_replace('(?P<n>\\d+)', '<\\g<n>>') }}", 'web<01>'],
    ["{{ 'Hello' | regex_replace('L', 'x', ignorecase=True) }}", 'Hexxo'],
    ["{{ 'eth0: 10.0.7.2/24' | regex_search('\\d+\\.\\d+\\.\\d+\\.\\d+') }}", '10.0.7.2'],
    ["{{ 'key=val' | regex_search('(\\w+)=(\\w+)', '\\2', '\\1') }}", ['val', 'key']],
    ["{{ 'nothing' | regex_search('\\d') }}", ''],
    ["{{ 'a1b22c333' | regex_findall('\\d+') }}", ['1', '22', '333']],
    [
      "{{ 'k1=v1 k2=v2' | regex_findall('(\\w+)=(\\w+)') }}",
      [
        ['k1', 'v1'],
        ['k2', 'v2'],
      ],
    ],
    ['{{ cfg | to_json }}', '{"b": 2, "a": 1}'],
    ['{{ cfg | to_nice_json }}', '{\n    "a": 1,\n    "b": 2\n}'],
    ['{{ cfg | to_nice_json(indent=2) }}', '{\n  "a": 1,\n  "b": 2\n}'],
    ["{{ {'l': [1, 2], 'd': {'x': 1}, 's': 'v'} | to_yaml }}", 'd: {x: 1}\nl: [1, 2]\ns: v\n'],
    ["{{ {'l': [1, 2], 'd': {'x': 1}} | to_nice_yaml }}", 'd:\n    x: 1\nl:\n- 1\n- 2\n'],
    ['{{ \'{"a": [1, true, null]}\' | from_json }}', { a: [1, true, null] }],
    ["{{ 'a: yes\nb: 0644' | from_yaml }}", { a: true, b: 420 }],
    ["{{ {'a': {'x': 1}, 'k': 1} | combine({'a': {'y': 2}}) }}", { a: { y: 2 }, k: 1 }],
    ["{{ {'a': {'x': 1}} | combine({'a': {'y': 2}}, recursive=True) }}", { a: { x: 1, y: 2 } }],
    ["{{ {'l': [1]} | combine({'l': [2]}, list_merge='append') }}", { l: [1, 2] }],
    ["{{ {'a': 1} | combine({'b': 2}, {'a': 3}) }}", { a: 3, b: 2 }],
    [
      '{{ cfg | dict2items }}',
      [
        { key: 'b', value: 2 },
        { key: 'a', value: 1 },
      ],
    ],
    [
      "{{ cfg | dict2items(key_name='k', value_name='v') }}",
      [
        { k: 'b', v: 2 },
        { k: 'a', v: 1 },
      ],
    ],
    ["{{ [{'key': 'x', 'value': 1}] | items2dict }}", { x: 1 }],
    ["{{ users | map(attribute='name') | list }}", ['alice', 'bob', 'carol']],
    ["{{ users | map(attribute='shell', default='/bin/sh') | list }}", ['/bin/bash', '/bin/sh', '/bin/zsh']],
    ["{{ ['a', 'b'] | map('upper') | list }}", ['A', 'B']],
    ["{{ ['1', '2'] | map('int') | sum }}", '3'],
    ['{{ [0, 1, 2, none] | select | list }}', [1, 2]],
    ["{{ ports | select('>', 100) | list }}", [443, 8080]],
    ["{{ ports | reject('equalto', 80) | list }}", [443, 8080]],
    ["{{ users | selectattr('admin') | map(attribute='name') | list }}", ['alice', 'carol']],
    ["{{ users | selectattr('shell', 'defined') | map(attribute='name') | list }}", ['alice', 'carol']],
    ["{{ users | rejectattr('admin') | map(attribute='name') | list }}", ['bob']],
    ["{{ users | selectattr('name', 'match', '^[ab]') | map(attribute='name') | list }}", ['alice', 'bob']],
    ['{{ ports | first }} {{ ports | last }}', '443 8080'],
    ['{{ ports | unique }}', [443, 80, 8080]],
    ['{{ ports | sort }}', [80, 80, 443, 8080]],
    ['{{ ports | sort(reverse=true) }}', [8080, 443, 80, 80]],
    ["{{ users | sort(attribute='uid') | map(attribute='name') | list }}", ['bob', 'alice', 'carol']],
    ['{{ ports | length }} {{ text | length }} {{ cfg | count }}', '4 11 2'],
    ['{{ ports | min }} {{ ports | max }}', '80 8080'],
    ["{{ (users | max(attribute='uid')).name }}", 'carol'],
    ['{{ ports | sum }}', '8683'],
    ["{{ users | sum(attribute='uid') }}", '3003'],
    ["{{ true | ternary('master', 'backup') }}", 'master'],
    ["{{ none | ternary('a', 'b', 'null') }}", 'null'],
    ["{{ 'lvs' | b64encode }}", 'bHZz'],
    ["{{ 'bHZz' | b64decode }}", 'lvs'],
    ["{{ 'lvs' | hash('sha1') }}", 'b15e5ef77b5ae30336c043db23b848cd29b95a65'],
    ["{{ 'lvs' | hash('md5') }}", '804df3e8847f00722630d36840188506'],
    ["{{ 'lvs' | hash('sha256') }}", 'f3497d75b9f10b708886174a926d7986b1d550be7c8054bc42949a39fac2a83d'],
    ['{{ "it\'s a test" | quote }}', `'it'"'"'s a test'`],
    ["{{ 'plain-word' | quote }}", 'plain-word'],
    ["{{ '/etc/keepalived/keepalived.conf' | basename }}", 'keepalived.conf'],
    ["{{ '/etc/keepalived/keepalived.conf' | dirname }}", '/etc/keepalived'],
    ["{{ 'abc' | list }}", ['a', 'b', 'c']],
    ["{{ [['a', 1], ['b', 2]] | dict }}", { a: 1, b: 2 }],
    ['{{ nested | flatten }}', [1, 2, 3, 4]],
    ['{{ nested | flatten(levels=1) }}', [1, 2, [3, [4]]]],
    [
      "{{ [1, 2] | zip(['a', 'b']) | list }}",
      [
        [1, 'a'],
        [2, 'b'],
      ],
    ],
    ['{{ [1, 2, 3] | difference([2]) }}', [1, 3]],
    ['{{ [1, 2] | union([2, 3]) }}', [1, 2, 3]],
    ['{{ [1, 2, 3] | intersect([3, 2, 9]) }}', [2, 3]],
    ["{{ '  x  ' | trim }}", 'x'],
    ["{{ 'hELLO' | capitalize }}", 'Hello'],
    ["{{ 'a\nb\n\nc' | indent(2) }}", 'a\n  b\n\n  c'],
    ["{{ 'a\nb' | indent(2, first=True) }}", '  a\n  b'],
    ["{{ 'ab' | center(7) }}", '   ab  '],
    ["{{ '%s=%d' | format('port', 80) }}", 'port=80'],
    ['{{ -3 | abs }}', '3'],
    ['{{ 2.5 | round }} {{ 3.5 | round }} {{ 2.567 | round(2) }} {{ 2.1 | round(0, "ceil") }}', '2 4 2.57 3'],
    ["{{ ['web1', 'web2'] | map('extract', hostvars, 'ansible_host') | list }}", ['10.0.7.11', '10.0.7.12']],
  ])('%s', (src, expected) => {
    const hv = { hostvars: { web1: { ansible_host: '10.0.7.11' }, web2: { ansible_host: '10.0.7.12' } } };
    expect(r(src, { ...vars, ...hv })).toEqual(expected);
  });
});

describe('filters against Ansible 2.14 ground truth', () => {
  it('renders the same values Ansible wrote for the recorded playbook', () => {
    const dir = 'test/fixtures/vars/ansible-2.14';
    const { value } = loadYamlFile(`${dir}/filters-playbook.yml`);
    const play = (value as Array<Record<string, unknown>>)[0]!;
    const content = (play.tasks as Array<Record<string, { content: string }>>)[2]!.copy!.content;
    const ours = JSON.parse(String(r(content, play.vars as Record<string, unknown>)));
    const ansible = JSON.parse(readFileSync(`${dir}/filters.json`, 'utf8'));
    expect(ours).toEqual(ansible);
  });
});
