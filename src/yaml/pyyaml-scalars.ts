// Plain scalars resolved as PyYAML's default resolver (the one Ansible's loader uses) resolves
// them, not as the YAML 1.1 schema of the yaml package does: `y`/`n` stay strings, an exponent
// needs a dot before it and a sign (`1e2`, `e2` are strings; the package read `e2` as NaN),
// a lone `.` is a string, and `09` is a string (neither decimal nor octal).
// Regexes and conversions from PyYAML's resolver.py and constructor.py (SafeConstructor).
import type { CollectionTag, ScalarTag } from 'yaml';

const BOOL = 'tag:yaml.org,2002:bool';
const INT = 'tag:yaml.org,2002:int';
const FLOAT = 'tag:yaml.org,2002:float';

/** Sexagesimal digits (`1:30` is 90), as PyYAML reads them. */
function base60(digits: string): number {
  return digits
    .split(':')
    .map(Number)
    .reduce((n, d) => n * 60 + d, 0);
}

function pyInt(source: string): number {
  let v = source.replaceAll('_', '');
  let sign = 1;
  if (v[0] === '-' || v[0] === '+') {
    if (v[0] === '-') sign = -1;
    v = v.slice(1);
  }
  if (v === '0') return 0;
  if (v.startsWith('0b')) return sign * parseInt(v.slice(2), 2);
  if (v.startsWith('0x')) return sign * parseInt(v.slice(2), 16);
  if (v.includes(':')) return sign * base60(v);
  if (v.startsWith('0')) return sign * parseInt(v, 8);
  return sign * parseInt(v, 10);
}

function pyFloat(source: string): number {
  let v = source.replaceAll('_', '').toLowerCase();
  let sign = 1;
  if (v[0] === '-' || v[0] === '+') {
    if (v[0] === '-') sign = -1;
    v = v.slice(1);
  }
  if (v === '.inf') return sign * Infinity;
  if (v === '.nan') return NaN;
  if (v.includes(':'))
    return sign * (base60(v.slice(0, v.lastIndexOf(':'))) * 60 + Number(v.slice(v.lastIndexOf(':') + 1)));
  return sign * Number(v);
}

export const PYYAML_SCALARS: ScalarTag[] = [
  {
    tag: BOOL,
    default: true,
    identify: (v) => v === true,
    test: /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/,
    resolve: () => true,
  },
  {
    tag: BOOL,
    default: true,
    identify: (v) => v === false,
    test: /^(?:no|No|NO|false|False|FALSE|off|Off|OFF)$/,
    resolve: () => false,
  },
  {
    tag: INT,
    default: true,
    identify: (v) => typeof v === 'number' && Number.isInteger(v),
    test: /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/,
    resolve: pyInt,
  },
  {
    tag: FLOAT,
    default: true,
    identify: (v) => typeof v === 'number',
    test: /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
    resolve: pyFloat,
  },
];

/** The yaml package's YAML 1.1 tags with its booleans and numbers replaced by PyYAML's. */
export function withPyYamlScalars(tags: Array<ScalarTag | CollectionTag>): Array<ScalarTag | CollectionTag> {
  const replaced = new Set([BOOL, INT, FLOAT]);
  return [...tags.filter((t) => !(t.default && replaced.has(t.tag) && 'test' in t && t.test)), ...PYYAML_SCALARS];
}
