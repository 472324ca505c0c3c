import { describe, expect, it } from 'vitest';
import { createTemplar } from '../../src/vars/templar.js';
import { LvsplayError } from '../../src/diagnostics.js';

const t = createTemplar();
const vars = {
  ok: { changed: false, failed: false, rc: 0 },
  bad: { changed: true, failed: true, rc: 2 },
  skip: { skipped: true, changed: false },
  looped: { results: [{ changed: false }, { changed: true }] },
  name: 'web01.lab',
  n: 5,
  f: 1.5,
  l: [1, 2, 3],
  d: { a: 1 },
  nothing: null,
};
const c = (expr: string) => t.evalCondition(expr, vars);

describe('tests', () => {
  it.each<[string, boolean]>([
    ['n is defined', true],
    ['zz is defined', false],
    ['zz is undefined', true],
    ['nothing is none', true],
    ['n is none', false],
    ["name is match('web\\d+')", true],
    ["name is match('\\d+')", false],
    ["name is search('\\d+')", true],
    ["name is regex('LAB$', ignorecase=True)", true],
    ["'2.14.18' is version('2.9', '>=')", true],
    ["'1.10' is version('1.9', 'gt')", true],
    ["'1.0' is version('1.0.0', '==')", false],
    ["'10.5' is version('10.11', '<')", true],
    ["'1.2.3' is version('1.2.3', operator='eq')", true],
    ["'1.0b1' is version('1.0', '<', strict=True)", true],
    ["'1.0.0-rc.1' is version('1.0.0', '<', version_type='semver')", true],
    ["'2.0' is version_compare('1.9', '>')", true],
    ["'1.2' is version('1.3', '!=')", true],
    ["'1.2' is version('1.2', 'ne')", false],
    ["'1.2' is version('1.2', 'le')", true],
    ["'1.2' is version('1.1', 'lt')", false],
    ['2 is in l', true],
    ['[1, 2] is subset(l)', true],
    ['l is superset([3])', true],
    ['[4] is subset(l)', false],
    ['name is string', true],
    ['n is number', true],
    ['f is number', true],
    ['n is string', false],
    ['d is mapping', true],
    ['l is mapping', false],
    ['l is iterable', true],
    ['n is iterable', false],
    ['l is sameas l', true],
    ["'yes' is truthy", true],
    ["'' is falsy", true],
    ["'no' is truthy(convert_bool=True)", false],
    ['ok is succeeded', true],
    ['ok is success', true],
    ['ok is failed', false],
    ['bad is failed', true],
    ['bad is changed', true],
    ['ok is changed', false],
    ['looped is changed', true],
    ['skip is skipped', true],
    ['ok is skipped', false],
    ["'test/fixtures/vars/roles/web/files/motd.txt' is file", true],
    ["'test/fixtures/vars/roles/web/files' is directory", true],
    ["'test/fixtures/vars/roles/web/files' is file", false],
    ["'test/fixtures/vars/nope' is exists", false],
    ["'test/fixtures/vars/vault' is exists", true],
    ['n is odd', true],
    ['n is divisibleby 5', true],
  ])('%s', (expr, expected) => {
    expect(c(expr)).toBe(expected);
  });

  it('result tests refuse values that are not registered results', () => {
    expect(() => c('n is failed')).toThrow(/'failed' test expects a registered task result/);
  });
  it('an unknown test gets a suggestion', () => {
    try {
      c('n is numbr');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(LvsplayError);
      expect((e as LvsplayError).diagnostics[0]!.message).toContain("no test named 'numbr'");
      expect((e as LvsplayError).diagnostics[0]!.hint).toContain("'number'");
    }
  });
  it('a test on an undefined value fails like StrictUndefined', () => {
    expect(() => c("zz is match('a')")).toThrow(/'zz' is undefined/);
  });
});
