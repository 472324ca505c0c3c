// The `version` test: LooseVersion by default (as Ansible), StrictVersion with strict=True,
// semantic versions with version_type='semver'.
import { TemplateFault } from './undefined.js';
import { str } from './python.js';
import { compare, valid } from 'semver';

type Part = number | string;

function loose(v: string): Part[] {
  return (v.match(/\d+|[a-z]+/gi) ?? []).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

function strict(v: string): Part[] {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?(?:([ab])(\d+))?$/.exec(v);
  if (!m)
    throw new TemplateFault(
      `invalid version number '${v}' for a strict comparison`,
      'drop strict=True or use versions like 1.2.3',
    );
  // A release sorts after its pre-releases: 1.0 > 1.0b1.
  return [Number(m[1]), Number(m[2]), Number(m[3] ?? 0), m[4] ? m[4] : 'z', m[5] ? Number(m[5]) : 0];
}

/** SemVer 2.0 order (the semver package): pre-releases first, numeric identifiers below words. */
function semverCompare(a: string, b: string): number {
  for (const v of [a, b])
    if (!valid(v)) throw new TemplateFault(`invalid semantic version '${v}'`, 'use versions like 1.2.3 or 1.2.3-rc.1');
  return compare(a, b);
}

function cmpParts(a: Part[], b: Part[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    if (typeof x === 'number') return 1;
    if (typeof y === 'number') return -1;
    return x < y ? -1 : 1;
  }
  return 0;
}

const OPS: Record<string, (c: number) => boolean> = {
  '<': (c) => c < 0,
  lt: (c) => c < 0,
  '<=': (c) => c <= 0,
  le: (c) => c <= 0,
  '>': (c) => c > 0,
  gt: (c) => c > 0,
  '>=': (c) => c >= 0,
  ge: (c) => c >= 0,
  '==': (c) => c === 0,
  '=': (c) => c === 0,
  eq: (c) => c === 0,
  '!=': (c) => c !== 0,
  '<>': (c) => c !== 0,
  ne: (c) => c !== 0,
};

export function compareVersions(a: unknown, b: unknown, op: string, isStrict: boolean, type?: string): boolean {
  const check = OPS[op];
  if (!check) throw new TemplateFault(`invalid version operator '${op}'`, `use one of ${Object.keys(OPS).join(', ')}`);
  const kind = type ?? (isStrict ? 'strict' : 'loose');
  if (kind === 'semver' || kind === 'semantic') return check(semverCompare(str(a), str(b)));
  const parse = kind === 'strict' ? strict : loose;
  return check(cmpParts(parse(str(a)), parse(str(b))));
}
