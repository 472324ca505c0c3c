import { describe, expect, it } from 'vitest';
import { parseKv } from '../../src/playbook/kv.js';

describe('free form of command and shell', () => {
  const opts = new Set(['chdir', 'creates', 'removes']);
  it('keeps a multi-line script as written, cutting out only the module options', () => {
    expect(parseKv('echo a > /tmp/x\necho  b >> /tmp/x\n', opts)).toEqual({
      args: {},
      rest: 'echo a > /tmp/x\necho  b >> /tmp/x',
    });
    expect(parseKv('creates=/tmp/x echo a=b\n  done', opts)).toEqual({
      args: { creates: '/tmp/x' },
      rest: 'echo a=b\n  done',
    });
  });
  it('splits k=v free form of other modules into arguments', () => {
    expect(parseKv('name=x state="present now"')).toEqual({ args: { name: 'x', state: 'present now' } });
  });
});

describe('escapes in k=v free form, as parse_kv decodes them', () => {
  it('decodes an option value, keeps the raw words (the command line) as written', () => {
    expect(parseKv(String.raw`msg="a\nb\t\x41\u00e9" y=c\\d`)).toEqual({ args: { msg: 'a\nb\tAé', y: 'c\\d' } });
    expect(parseKv(String.raw`printf 'a\nb' creates=/tmp/a\tb`, new Set(['creates']))).toEqual({
      args: { creates: '/tmp/a\tb' },
      rest: String.raw`printf 'a\nb'`,
    });
  });
});
