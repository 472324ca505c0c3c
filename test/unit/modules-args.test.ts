// Module arguments are checked against Ansible's names and loose types before any connection.
import { describe, expect, it } from 'vitest';
import { checkModuleArgs } from '../../src/modules/check.js';
import { moduleNames, resolveModule } from '../../src/modules/registry.js';
import { formatDiagnostic } from '../../src/diagnostics.js';

const check = (name: string, args: Record<string, unknown>) => {
  const spec = resolveModule(name);
  if (!spec) throw new Error(`no module ${name}`);
  const r = checkModuleArgs(spec, args, undefined, { file: 't.yml', line: 3, col: 5 });
  return { args: r.args, errors: r.diagnostics.map(formatDiagnostic) };
};

describe('module names', () => {
  it.each([
    ['apt', 'package'],
    ['yum', 'package'],
    ['dnf', 'package'],
    ['ansible.builtin.copy', 'copy'],
    ['ansible.posix.sysctl', 'sysctl'],
    ['community.mysql.mysql_user', 'mysql_user'],
    ['iptables', 'ansible.builtin.iptables'],
    ['systemd', 'service'],
    ['sysvinit', 'service'],
    ['ansible.legacy.command', 'command'],
    ['gather_facts', 'setup'],
  ])('%s is %s', (alias, name) => {
    expect(resolveModule(alias)?.name).toBe(name);
  });
  it('does not know made-up modules', () => {
    expect(resolveModule('ansible.builtin.nosuch')).toBeUndefined();
    expect(moduleNames()).toContain('community.mysql.mysql_replication');
  });
});

describe('loose typing as Ansible', () => {
  it("takes 'yes'/'no' strings and numbers for booleans", () => {
    expect(check('service', { name: 'x', enabled: 'yes' }).args).toMatchObject({ enabled: true });
    expect(check('service', { name: 'x', enabled: 'False' }).args).toMatchObject({ enabled: false });
    expect(check('package', { name: 'x', update_cache: 1 }).args).toMatchObject({ update_cache: true });
  });
  it('takes numbers given as strings for integers, and refuses words', () => {
    expect(check('package', { name: 'x', cache_valid_time: '3600' }).args).toMatchObject({ cache_valid_time: 3600 });
    expect(check('wait_for', { port: 'eighty' }).errors).toEqual([
      "t.yml:3:5: argument 'port' of module 'wait_for' must be an integer, got 'eighty'; fix the value as the module expects",
    ]);
  });
  it('reads mode as an octal number (YAML 1.1 0644) or as text', () => {
    expect(check('file', { path: '/x', mode: 0o644 }).args).toMatchObject({ mode: '0644' });
    expect(check('file', { path: '/x', mode: '0755' }).args).toMatchObject({ mode: '0755' });
    expect(check('file', { path: '/x', mode: 'u=rw,g=r' }).args).toMatchObject({ mode: 'u=rw,g=r' });
    expect(check('file', { path: '/x', mode: '0999' }).errors[0]).toContain(
      "argument 'mode' of module 'file' must be a file mode",
    );
  });
  it('splits a comma string for list arguments', () => {
    expect(check('package', { name: 'keepalived,ipvsadm' }).args).toMatchObject({ name: ['keepalived', 'ipvsadm'] });
  });
  it('leaves templated values for the executor to check after rendering', () => {
    expect(check('service', { name: 'x', enabled: '{{ svc_enabled }}' }).errors).toEqual([]);
  });
  it('renames Ansible aliases to the canonical argument', () => {
    expect(check('file', { dest: '/x', state: 'directory' }).args).toMatchObject({ path: '/x' });
    expect(check('mysql_replication', { mode: 'changemaster', master_host: 'db2' }).args).toMatchObject({
      primary_host: 'db2',
    });
    expect(check('sysctl', { key: 'net.ipv4.ip_forward', val: 1 }).args).toMatchObject({
      name: 'net.ipv4.ip_forward',
      value: '1',
    });
  });
});

describe('refusals', () => {
  it('an unknown argument is an error with a suggestion, never ignored', () => {
    expect(check('copy', { content: 'x', dest: '/x', onwer: 'root' }).errors).toEqual([
      "t.yml:3:5: module 'copy' has no argument 'onwer'; did you mean 'owner'?",
    ]);
  });
  it('a value outside the choices names them', () => {
    expect(check('service', { name: 'x', state: 'running' }).errors[0]).toContain(
      'must be one of started, stopped, restarted, reloaded',
    );
  });
  it('required arguments and exclusive pairs are enforced', () => {
    expect(check('template', { src: 'a.j2' }).errors[0]).toContain("argument 'dest' of module 'template' is required");
    expect(check('copy', { src: 'a', content: 'b', dest: '/x' }).errors[0]).toContain(
      'cannot be used together with src',
    );
    expect(check('debug', { msg: 'a', var: 'b' }).errors[0]).toContain('cannot be used together with msg');
  });
  it('set_fact refuses names that are not variables', () => {
    expect(check('set_fact', { 'my-var': 1 }).errors[0]).toContain("'my-var'");
    expect(check('set_fact', { my_var: 1 }).errors).toEqual([]);
  });
  it('meta only takes its known actions', () => {
    expect(check('meta', { action: 'flush_handlers' }).errors).toEqual([]);
    expect(check('meta', { action: 'flush' }).errors[0]).toContain('must be one of flush_handlers');
  });
});
