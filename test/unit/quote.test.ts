import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Secret } from '../../src/secret.js';
import { asWord, quote, raw, sh } from '../../src/transport/quote.js';

const dir = mkdtempSync(join(tmpdir(), 'lvsplay-quote-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Every shell a target may have as /bin/sh; busybox only when installed.
const shells: [string, string[]][] = [
  ['/bin/sh', []],
  ['dash', []],
  ['bash', ['--posix']],
];
if (existsSync('/usr/bin/busybox') || existsSync('/bin/busybox')) shells.push(['busybox', ['sh']]);

function runIn(shell: [string, string[]], script: string): string {
  return execFileSync(shell[0], [...shell[1], '-c', script], { encoding: 'utf8' });
}

const canary = join(dir, 'executed');
const hostile = [
  `$(touch ${canary})`,
  `\`touch ${canary}\``,
  `'; touch ${canary}; echo '`,
  `"; touch ${canary}; echo "`,
  `a\nb; touch ${canary}\n`,
  `; touch ${canary}`,
  `| touch ${canary}`,
  `&& touch ${canary}`,
  `\${HOME} $HOME \\ \\\\`,
  '',
  ' ',
  "it's",
  "''",
  "'\\''",
  'ünïcödé ✓ 日本語',
  '-n',
  'A=b',
  '~root',
  '*',
  "$'x'",
  '\t\r',
  '!',
];

describe('sh quotes every interpolation', () => {
  for (const shell of shells) {
    it(`passes hostile values literally through ${shell.join(' ')}`, () => {
      for (const v of hostile) {
        const cmd = sh`printf '%s|' ${v}`;
        expect(runIn(shell, cmd.text)).toBe(`${v}|`);
      }
      expect(existsSync(canary)).toBe(false);
    });

    it(`makes an array several words in ${shell.join(' ')}`, () => {
      const words = ['a b', '', "c'd", '$(e)'];
      expect(runIn(shell, sh`printf '<%s>' ${words}`.text)).toBe("<a b><><c'd><$(e)>");
      expect(runIn(shell, sh`printf '<%s>' x ${[]} y`.text)).toBe('<x><y>');
    });

    it(`quotes a whole command as one word for sh -c in ${shell.join(' ')}`, () => {
      const inner = sh`printf '%s' ${"it's $(x)"}`;
      expect(runIn(shell, sh`sh -c ${asWord(inner)}`.text)).toBe("it's $(x)");
    });
  }

  it("never emits $'...' quoting", () => {
    for (const v of hostile) expect(quote(v)).not.toMatch(/^\$'/);
    expect(quote('a\nb')).toBe("'a\nb'");
    expect(quote('')).toBe("''");
    expect(quote("it's")).toBe("'it'\\''s'");
  });

  it('inserts raw() fragments unquoted', () => {
    const cmd = sh`echo ${'a;b'} ${raw('2>&1')} ${raw('| cat')}`;
    expect(cmd.text).toBe("echo 'a;b' 2>&1 | cat");
    expect(runIn(shells[0]!, cmd.text)).toBe('a;b\n');
  });

  it('keeps a Secret out of the redacted text and toString', () => {
    const pw = new Secret("s3cr'et");
    const cmd = sh`printf '%s/' ${pw} ${'user'}`;
    expect(runIn(shells[0]!, cmd.text)).toBe("s3cr'et/user/");
    expect(cmd.redacted).not.toContain('s3cr');
    expect(String(cmd)).not.toContain('s3cr');
    expect(JSON.stringify({ cmd })).not.toContain('s3cr');
    expect(cmd.redacted).toContain('********');
    expect(cmd.redact(`echoed s3cr'et back`)).toBe('echoed ******** back');
    // A secret survives composition into a bigger command.
    const outer = sh`sh -c ${asWord(cmd)}`;
    expect(outer.redacted).not.toContain('s3cr');
    expect(outer.hasSecrets).toBe(true);
  });

  it('refuses values that cannot be one shell word', () => {
    expect(() => sh`echo ${'a\0b'}`).toThrow(/NUL/);
    expect(() => sh`echo ${undefined as unknown as string}`).toThrow(/undefined/);
    expect(() => sh`echo ${{} as unknown as string}`).toThrow(/object/);
  });

  it('turns numbers into words', () => {
    expect(sh`chmod ${(0o644).toString(8)} ${42}`.text).toBe('chmod 644 42');
  });
});
