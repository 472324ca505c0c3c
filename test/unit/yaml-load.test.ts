import { describe, expect, test } from 'vitest';
import { loadYaml, keyPosOf, valuePosOf, VaultText } from '../../src/yaml/load.js';

describe('YAML as Ansible reads it', () => {
  const src = `a: yes\nmode: 0644\nb: &x {c: 1}\nd:\n  <<: *x\n  e: no\npw: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  3131\nlist:\n  - 1\n  - two\n`;
  const r = loadYaml(src, 'f.yml');
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a free-form loaded document
  const v = r.value as Record<string, any>;

  test('YAML 1.1 booleans, octal and merge keys', () => {
    expect(r.diagnostics).toEqual([]);
    expect(v.a).toBe(true);
    expect(v.mode).toBe(0o644);
    expect(v.d).toEqual({ c: 1, e: false });
  });
  test('inline vault values become VaultText', () => {
    expect(v.pw).toBeInstanceOf(VaultText);
    expect(v.pw.ciphertext).toContain('$ANSIBLE_VAULT;1.1;AES256');
  });
  test('positions of keys and list items', () => {
    expect(keyPosOf(v, 'mode')).toEqual({ file: 'f.yml', line: 2, col: 1 });
    expect(valuePosOf(v.list, 1)).toEqual({ file: 'f.yml', line: 12, col: 5 });
  });
  test('duplicate keys are errors with a place', () => {
    const d = loadYaml('a: 1\na: 2\n', 'g.yml').diagnostics;
    expect(d).toHaveLength(1);
    expect(d[0]!.pos).toMatchObject({ file: 'g.yml', line: 2 });
    expect(d[0]!.message).toMatch(/duplicate key/);
  });
  test('syntax errors have a place', () => {
    const d = loadYaml('a: [1, 2\nb: 3\n', 'h.yml').diagnostics;
    expect(d.length).toBeGreaterThan(0);
    expect(d[0]!.pos?.file).toBe('h.yml');
  });
});

test('y and n stay strings, as PyYAML reads them', () => {
  const v = loadYaml('y: 2\nn: N\nok: yes\n', 'y.yml').value as Record<string, unknown>;
  expect(v).toEqual({ y: 2, n: 'N', ok: true });
});

describe('bounded parsing', () => {
  const laughs = (levels: number): string => {
    const lines = ['l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let i = 1; i < levels; i++)
      lines.push(
        `l${i}: &l${i} [${Array(9)
          .fill(`*l${i - 1}`)
          .join(', ')}]`,
      );
    return lines.join('\n') + '\n';
  };
  test('an alias bomb is refused at the alias that crosses the limit, quickly', () => {
    const t0 = Date.now();
    const d = loadYaml(laughs(9), 'bomb.yml').diagnostics;
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(d).toHaveLength(1);
    expect(d[0]!.pos).toMatchObject({ file: 'bomb.yml', line: 6 });
    expect(d[0]!.message).toMatch(/aliases expand this file beyond 100000 values/);
  });
  test('a few levels of aliases are fine', () => {
    const r = loadYaml(laughs(3), 'ok.yml');
    expect(r.diagnostics).toEqual([]);
    expect((r.value as { l2: unknown[][] }).l2[8]![8]).toEqual(Array(9).fill('lol'));
  });
  test('an alias to an undefined anchor is an error, not null', () => {
    const d = loadYaml('base: &base {a: 1}\nx: *bsae\n', 'a.yml').diagnostics;
    expect(d[0]).toMatchObject({
      pos: { line: 2, col: 4 },
      message: expect.stringMatching(/\*bsae refers to no anchor/),
    });
  });
  test('an alias inside its own anchor is an error', () => {
    expect(loadYaml('x: &a\n  - *a\n', 'r.yml').diagnostics[0]!.message).toMatch(/contains it/);
  });
  test('deep nesting is refused with a place, never a stack overflow', () => {
    for (const n of [600, 100_000]) {
      const d = loadYaml(`x: ${'['.repeat(n)}${']'.repeat(n)}\n`, 'deep.yml').diagnostics;
      expect(d[0]!.message).toMatch(/nested more than 500 levels/);
      expect(d[0]!.pos?.file).toBe('deep.yml');
    }
  });
  test('a UTF-8 byte order mark is not content', () => {
    const r = loadYaml('\ufeff- hosts: all\n  tasks: []\n', 'bom.yml');
    expect(r.diagnostics).toEqual([]);
    expect(r.value).toEqual([{ hosts: 'all', tasks: [] }]);
  });
});
