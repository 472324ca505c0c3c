// validate: as Ansible substitutes %s, also inside quotes given to another shell.
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalTransport } from '../../src/transport/local.js';

const dir = mkdtempSync(join(tmpdir(), 'lvsplay-validate-'));
const t = new LocalTransport('localhost');

describe('put with validate', () => {
  it.each([
    ['plain', 'test -s %s'],
    ['inside single quotes', "sh -c 'test -s %s'"],
    ['inside double quotes', 'sh -c "test -s %s"'],
  ])('%s: a file that passes is written', async (_, validate) => {
    const path = join(dir, `ok-${validate.length}.conf`);
    const r = await t.put(path, 'content\n', { validate });
    expect(r.failedStep).toBeUndefined();
    expect(readFileSync(path, 'utf8')).toBe('content\n');
  });
  it('inside quotes, a file that fails is not written', async () => {
    const path = join(dir, 'empty.conf');
    const r = await t.put(path, '', { validate: "sh -c 'test -s %s'" });
    expect(r.failedStep).toBe('validate');
    expect(existsSync(path)).toBe(false);
  });
});
