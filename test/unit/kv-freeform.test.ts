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
