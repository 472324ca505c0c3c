// Plain scalars read as Ansible's own YAML loader reads them (PyYAML's resolver, through
// ansible.parsing.yaml.loader.AnsibleLoader of the installed ansible-core), compared value for
// value and type for type with lvsplay's loader.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { loadYaml } from '../../src/yaml/load.js';

const SCALARS = [
  // booleans, and words that look like them
  'yes',
  'Yes',
  'YES',
  'no',
  'No',
  'NO',
  'true',
  'True',
  'TRUE',
  'false',
  'False',
  'FALSE',
  'on',
  'On',
  'ON',
  'off',
  'Off',
  'OFF',
  'y',
  'Y',
  'n',
  'N',
  'yEs',
  'tRUE',
  // integers: decimal, octal, binary, hex, sexagesimal, underscores, leading zeros
  '0',
  '-0',
  '+0',
  '7',
  '-12',
  '+12',
  '1_000',
  '0644',
  '0755',
  '-0644',
  '09',
  '08',
  '0o17',
  '0b101',
  '-0b1_0',
  '0x1F',
  '0xff_ff',
  '1:30',
  '-1:30:15',
  '190:20:30',
  '9007199254740993',
  '00',
  '1__0',
  // floats
  '1.5',
  '1.',
  '-.5',
  '.5',
  '1.5e+3',
  '1.5e3',
  '1e2',
  '1e+2',
  '-1.0E-2',
  '1_000.5',
  '.inf',
  '-.Inf',
  '+.INF',
  '.nan',
  '.NaN',
  '.NAN',
  '1:30.5',
  '.',
  '-.',
  'e2',
  'E2',
  '1.2.3',
  '10.0.7.247',
  '1e',
  '.e+2',
  // null and strings
  '~',
  'null',
  'Null',
  'NULL',
  'nul',
  '',
  '0.0.0.0/0',
  '12:30:45',
  '2026-12-07',
  'v1',
  '1.0-1',
  '+',
  '-x',
];

/** Ansible's loader, each value as [Python type, JSON-safe value]. */
function ansibleRead(doc: string): [string, unknown][] {
  const py = [
    'import json, math, sys',
    'from ansible.parsing.yaml.loader import AnsibleLoader',
    'out = []',
    'for v in AnsibleLoader(sys.stdin.read()).get_single_data():',
    '    t = type(v).__name__',
    '    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)): v = repr(v)',
    "    out.append([t if t != 'AnsibleUnicode' else 'str', v if not hasattr(v, 'isoformat') else v.isoformat()])",
    'print(json.dumps(out))',
  ].join('\n');
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', py], { input: doc, encoding: 'utf8' })) as [
    string,
    unknown,
  ][];
}

function lvsplayRead(doc: string): [string, unknown][] {
  const r = loadYaml(doc, 't.yml');
  expect(r.diagnostics).toEqual([]);
  return (r.value as unknown[]).map((v) => {
    if (v === null) return ['NoneType', null];
    if (typeof v === 'boolean') return ['bool', v];
    // JS has one number type: Ansible's int and float are both 'num', its inf/nan compared as text
    if (typeof v === 'number') return Number.isFinite(v) ? ['num', v] : ['float', String(v)];
    if (v instanceof Date) return ['date', v.toISOString().slice(0, 10)];
    return ['str', v];
  });
}

describe('plain scalars as Ansible reads them', () => {
  it('every scalar gets the same type and value', () => {
    const doc = SCALARS.map((s) => `- ${s === '' ? "''" : s}`).join('\n') + '\n';
    const theirs = ansibleRead(doc);
    const ours = lvsplayRead(doc);
    const differ: string[] = [];
    SCALARS.forEach((s, i) => {
      const [tt, tv] = theirs[i]!;
      const [ot, ov] = ours[i]!;
      const theirType = tt === 'int' || tt === 'float' ? (typeof tv === 'string' ? 'float' : 'num') : tt;
      const theirValue =
        typeof tv === 'string' && tt === 'float' ? { inf: 'Infinity', '-inf': '-Infinity', nan: 'NaN' }[tv] : tv;
      if (theirType !== ot || JSON.stringify(theirValue) !== JSON.stringify(ov))
        differ.push(`${JSON.stringify(s)}: Ansible ${tt} ${JSON.stringify(tv)}, lvsplay ${ot} ${JSON.stringify(ov)}`);
    });
    expect(differ).toEqual([]);
  });
});
