// Template output byte for byte as ansible-playbook 2.14's template module writes it. Every
// expected string here was produced by the real tool (ansible_connection=local) from the same
// template text; the compatibility corpus (test/integration/compat.test.ts) checks whole roles.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTemplar } from '../../src/vars/templar.js';

function renderFile(text: string, vars: Record<string, unknown> = {}, files: Record<string, string> = {}): string {
  const role = mkdtempSync(join(tmpdir(), 'lvsplay-bytes-'));
  mkdirSync(join(role, 'templates'));
  for (const [name, body] of Object.entries({ 't.j2': text, ...files }))
    writeFileSync(join(role, 'templates', name), body);
  return String(createTemplar({ searchPath: [role] }).renderFile(join(role, 'templates/t.j2'), vars));
}

describe('the comment filter', () => {
  it('writes every style and option as Ansible does', () => {
    const text =
      '{{ "a\\nb" | comment }}|{{ "x" | comment("c") }}|{{ "x\\n\\ny" | comment("cblock") }}|' +
      '{{ "x" | comment("xml") }}|{{ "x" | comment("plain", prefix_count=2, postfix_count=0) }}|' +
      '{{ "x" | comment(decoration="; ") }}|{{ "x" | comment("erlang", beginning="B", end="E") }}\n';
    expect(renderFile(text)).toBe(
      '#\n# a\n# b\n#|//\n// x\n//|/*\n *\n * x\n *\n * y\n *\n */|<!--\n -\n - x\n -\n-->|#\n#\n# x|;\n; x\n;|B\n%\n% x\n%\nE\n',
    );
  });

  it('heads a file with ansible_managed', () => {
    expect(renderFile('{{ ansible_managed | comment }}\nx\n')).toBe('#\n# Ansible managed\n#\nx\n');
  });
});

describe("Jinja's whitespace rules", () => {
  it('trims the newline after a comment, joins after {#- and after an include, finds ./templates/ names', () => {
    const text =
      'a\n{# note #}\nb\n{#- tight #}\nc\n{% include "./templates/part.j2" %}\nd{{ x.y.z[0] | default(3) }}\n';
    expect(renderFile(text, { x: {} }, { 'part.j2': 'part\n' })).toBe('a\nbc\npartd3\n');
  });

  it('keeps the trailing newlines of the source, not those of the last value', () => {
    expect(renderFile('v={{ v }}', { v: 'line\n' })).toBe('v=line\n');
    expect(renderFile('v={{ v }}\n\n', { v: 'line' })).toBe('v=line\n\n');
  });
});

describe('values', () => {
  it('an undefined chain takes its default; used bare it fails naming the missing key', () => {
    expect(renderFile('{{ vs.real_server.delay[0] | default(3) }}', { vs: {} })).toBe('3');
    expect(() => renderFile('{{ vs.real_server.delay[0] }}', { vs: {} })).toThrow(/real_server/);
  });

  it('dividing by zero fails, as Python does', () => {
    expect(() => renderFile('{{ 1 / 0 }}')).toThrow(/ZeroDivisionError: division by zero/);
    expect(() => renderFile('{{ 7 // 0 }}')).toThrow(/ZeroDivisionError/);
    expect(() => renderFile('{{ 7 % 0 }}')).toThrow(/ZeroDivisionError/);
    expect(renderFile('{{ 7 // 2 }} {{ -7 % 3 }}')).toBe('3 2');
  });

  it('orders semantic versions with their pre-releases as SemVer does', () => {
    const t =
      '{{ "1.0.0-1" is version("1.0.0-alpha", "<", version_type="semver") }} ' +
      '{{ "1.0.0-alpha" is version("1.0.0", "<", version_type="semver") }} ' +
      '{{ "1.0.0-alpha.1" is version("1.0.0-alpha.beta", "<", version_type="semver") }} ' +
      '{{ "2.14.0" is version("2.14.0rc1", ">") }}\n';
    expect(renderFile(t)).toBe('True True True False\n');
  });
});
