import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createTemplar } from '../../src/vars/templar.js';
import { Secret, isSecret } from '../../src/secret.js';
import { findInSearchPath } from '../../src/vars/jinja/lookups.js';
import { failure } from '../helpers/failure.js';

const fx = 'test/fixtures/vars';
const role = `${fx}/roles/web`;
const t = createTemplar({ searchPath: [role, `${fx}/playbook`], env: { LVS_MODE: 'dr' } });

describe('template files', () => {
  it('trim_blocks and whitespace control render exactly as Ansible 2.14 does', () => {
    const out = t.renderFile(`${role}/templates/servers.conf.j2`, { hosts: ['a', 'b'], flag: true });
    expect(out).toBe(readFileSync(`${fx}/ansible-2.14/servers.conf`, 'utf8'));
  });
  it('honours a "#jinja2: trim_blocks: False, lstrip_blocks: True" header as Ansible 2.14 does', () => {
    const out = t.renderFile(`${role}/templates/servers-lstrip.conf.j2`, { hosts: ['a', 'b'] });
    expect(out).toBe(readFileSync(`${fx}/ansible-2.14/servers-lstrip.conf`, 'utf8'));
  });
  it('includes a template from the role and reads hostvars, groups and inventory_hostname', () => {
    const vars = {
      inventory_hostname: 'dir1',
      vip: '10.0.7.100',
      port: 80,
      priority: 150,
      vrrp_password: 'vrrp-pw',
      groups: { directors: ['dir1', 'dir2'], realservers: ['web1', 'web2'] },
      hostvars: { web1: { ansible_host: '10.0.7.11' }, web2: { ansible_host: '{{ prefix }}.12', prefix: '10.0.7' } },
    };
    expect(t.renderFile(`${role}/templates/keepalived.conf.j2`, vars)).toBe(
      [
        '# Ansible managed',
        'vrrp_instance VI_1 {',
        '    state MASTER',
        '    priority 150',
        '    auth_pass vrrp-pw',
        // As ansible-playbook 2.14 writes it: the included file loses its final newline and
        // trim_blocks the one after `%}`, so the two lines join.
        '}virtual_server 10.0.7.100 80 {',
        '    real_server 10.0.7.11 80',
        '    real_server 10.0.7.12 80',
        '}',
        '',
      ].join('\n'),
    );
  });
  it('a file that uses a vault value renders to a Secret with the real text', () => {
    const out = t.renderFile(`${role}/templates/vrrp_instance.j2`, {
      inventory_hostname: 'dir2',
      groups: { directors: ['dir1', 'dir2'] },
      priority: 100,
      vrrp_password: new Secret('s3cret'),
    });
    expect(isSecret(out)).toBe(true);
    expect((out as Secret).reveal()).toContain('state BACKUP\n    priority 100\n    auth_pass s3cret');
  });
  it('an undefined variable names the template file and line', () => {
    expect(failure(() => t.renderFile(`${role}/templates/broken.j2`, { vip: '10.0.7.100' }))).toMatch(
      new RegExp(`^${role}/templates/broken\\.j2:3:\\d+: 'missing_var' is undefined`),
    );
  });
  it('a syntax error names the template file and line', () => {
    expect(failure(() => t.renderFile(`${role}/templates/syntax.j2`, { items: [1] }))).toMatch(
      new RegExp(`^${role}/templates/syntax\\.j2:3:\\d+: template syntax error`),
    );
  });
  it('a missing template is reported, not thrown raw', () => {
    expect(failure(() => t.renderFile(`${role}/templates/nope.j2`, {}))).toMatch(
      /cannot read template .*nope\.j2: ENOENT/,
    );
  });
  it('rejects unknown #jinja2 header options with a suggestion', () => {
    expect(failure(() => t.renderFile(`${fx}/playbook/templates/bad-header.j2`, {}))).toBe(
      `${fx}/playbook/templates/bad-header.j2:1:1: unknown #jinja2: header option 'trim_blcks'; did you mean 'trim_blocks'?`,
    );
  });
});

describe('lookups', () => {
  it("lookup('file') reads from the role's files/ first, then the playbook's, without the trailing newline", () => {
    expect(t.render("{{ lookup('file', 'motd.txt') }}", {})).toBe('role motd');
    expect(t.render("{{ lookup('file', 'only-in-playbook.txt') }}", {})).toBe('playbook-level');
    expect(failure(() => t.render("{{ lookup('file', 'nope.txt') }}", {}))).toMatch(
      /lookup\('file'\): could not find 'nope\.txt'/,
    );
  });
  it("lookup('env') reads the controller environment, '' when unset", () => {
    expect(t.render("{{ lookup('env', 'LVS_MODE') }}", {})).toBe('dr');
    expect(t.render("{{ lookup('env', 'NOT_SET') }}", {})).toBe('');
    expect(t.render("{{ lookup('env', 'NOT_SET', default='x') }}", {})).toBe('x');
  });
  it("lookup('template') renders with the current variables", () => {
    expect(t.render("{{ lookup('template', 'snippet.j2') }}", { vip: '10.0.7.100' })).toBe('vip=10.0.7.100\n');
  });
  it("lookup('first_found') returns the first existing path, and fails or skips when none exists", () => {
    const found = t.render("{{ lookup('first_found', ['Ubuntu.cfg', 'Debian.cfg', 'default.cfg']) }}", {}) as string;
    expect(found.endsWith('roles/web/files/Debian.cfg')).toBe(true);
    expect(t.render("{{ query('first_found', ['nope.cfg', 'default.cfg']) | length }}", {})).toBe('1');
    expect(failure(() => t.render("{{ lookup('first_found', ['nope.cfg']) }}", {}))).toMatch(
      /none of 'nope\.cfg' was found/,
    );
    expect(t.render("{{ lookup('first_found', {'files': ['nope.cfg'], 'skip': true}) }}", {})).toBe('');
  });
  it('query() and wantlist return lists; lookup joins several results with commas', () => {
    expect(t.render("{{ query('env', 'LVS_MODE', 'NOT_SET') }}", {})).toEqual(['dr', '']);
    expect(t.render("{{ lookup('file', 'motd.txt', 'only-in-playbook.txt') }}", {})).toBe('role motd,playbook-level');
    expect(t.render("{{ lookup('env', 'LVS_MODE', wantlist=True) }}", {})).toEqual(['dr']);
  });
  it('an unsupported lookup is refused by name', () => {
    expect(failure(() => t.render("{{ lookup('fle', 'x') }}", {}))).toContain(
      "lookup plugin 'fle' is not supported; did you mean 'file'?",
    );
  });
  it('findInSearchPath resolves files and templates for module src: arguments', () => {
    expect(findInSearchPath('keepalived.conf.j2', 'templates', t.searchPath)).toMatch(
      /roles\/web\/templates\/keepalived\.conf\.j2$/,
    );
    expect(findInSearchPath('nope.j2', 'templates', t.searchPath)).toBeUndefined();
  });
});
