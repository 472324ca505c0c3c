// Patterns from playbooks run under a time limit, with JavaScript's full syntax and results.
import { describe, expect, it } from 'vitest';
import { GuardedRegExp, RegexTimeLimit, REGEX_TIME_LIMIT_MS } from '../../src/regex-guard.js';
import { compilePython } from '../../src/modules/pyregex.js';

describe('guarded regular expressions', () => {
  it('match, replace, matchAll and split as a RegExp does', () => {
    const re = new GuardedRegExp(String.raw`(?<key>\w+)=(\d+)`, 'g');
    expect('a=1 b=22'.replace(re, '$<key>:$2')).toBe('a:1 b:22');
    expect([...'a=1 b=22'.matchAll(re)].map((m) => [m.index, m.groups?.key, m[2]])).toEqual([
      [0, 'a', '1'],
      [4, 'b', '22'],
    ]);
    expect(new GuardedRegExp('^x(?=y)').test('xy')).toBe(true);
    expect('a, b,c'.split(new GuardedRegExp(',\\s*'))).toEqual(['a', 'b', 'c']);
    expect(new GuardedRegExp('(a)\\1').exec('zaa')?.index).toBe(1);
  });
  it('stops a catastrophic pattern after the time limit, naming it as written', () => {
    const { re } = compilePython('^(a+)+$');
    const t0 = Date.now();
    let err: unknown;
    try {
      re.test('a'.repeat(40) + 'b\n');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RegexTimeLimit);
    expect((err as Error).message).toMatch(/^the regular expression '\^\(a\+\)\+\$' took more than 2 s/);
    expect(Date.now() - t0).toBeLessThan(REGEX_TIME_LIMIT_MS * 5);
    // The next match gets a fresh worker.
    expect(re.test('aaa\n')).toBe(true);
  });
  it('gives each pattern its own answer, over many alternating matches', () => {
    // Answers are numbered: a pattern never gets the answer meant for the one before it.
    for (let i = 0; i < 500; i++) {
      const word = `w${i}`;
      expect(new GuardedRegExp(`^${word}$`).test(word)).toBe(true);
      expect(new GuardedRegExp(`(${word})x`).exec(`a${word}x`)?.[1]).toBe(word);
      expect(new GuardedRegExp(`z${i}`).exec(word)).toBeNull();
    }
  });
});
