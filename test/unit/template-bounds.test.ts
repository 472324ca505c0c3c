// Runaway templates end in a located task error, never in a stack overflow or a dead process.
import { describe, expect, it } from 'vitest';
import { createTemplar } from '../../src/vars/templar.js';
import type { SourcePos } from '../../src/diagnostics.js';
import { failure } from '../helpers/failure.js';

const t = createTemplar();
const where: SourcePos = { file: 'site.yml', line: 7, col: 9 };
const r = (s: string) => t.render(s, {}, where);

describe('template bounds', () => {
  it('range() builds lists up to its limit', () => {
    expect(r('{{ range(3) | list }}')).toEqual([0, 1, 2]);
    expect(r('{{ range(10, 0, -3) | list }}')).toEqual([10, 7, 4, 1]);
    expect(r('{{ range(1000000) | length }}')).toBe('1000000');
  });
  it('range() beyond the limit is refused at the task, quickly', () => {
    const t0 = Date.now();
    expect(failure(() => r('{{ range(300000000) | list | length }}'))).toMatch(
      /^site.yml:7:9: range\(\) of 300000000 items is more than the limit of 1000000; use a smaller range/,
    );
    expect(Date.now() - t0).toBeLessThan(3000);
  });
  it('a macro that calls itself is a located error, not an engine message', () => {
    const msg = failure(() => r('{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}'));
    expect(msg).toMatch(
      /^site.yml:\d+:\d+: templating went too deep \(a macro or a variable that refers to itself\?\)/,
    );
    expect(msg).not.toMatch(/RangeError|call stack/);
  });
});
