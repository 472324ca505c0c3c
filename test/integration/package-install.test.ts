// The package as people install a command-line tool: packed, installed globally into a
// throw-away prefix without install scripts, run from elsewhere; `lvsplay init` gives a project
// that lint and a syntax check accept. dist/ is built before the tests (npm test, CI), so the
// pack skips prepack here rather than rebuild dist/ under the feet of tests running beside it.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const tmp = mkdtempSync(join(tmpdir(), 'lvsplay-pack-'));
const prefix = join(tmp, 'prefix');
const home = join(tmp, 'home');
const bin = join(prefix, 'bin', 'lvsplay');

function sh(cmd: string, args: string[], opts: SpawnSyncOptions = {}) {
  const r = spawnSync(cmd, args, {
    encoding: 'utf8',
    timeout: 240_000,
    ...opts,
    // a PATH without the project's node_modules/.bin, as a user's shell has
    env: { ...process.env, PATH: `${join(prefix, 'bin')}:/usr/local/bin:/usr/bin:/bin`, ...opts.env },
  });
  return { code: r.status, out: String(r.stdout), err: String(r.stderr) };
}

let tarball = '';
let files: string[] = [];
beforeAll(() => {
  mkdirSync(home);
  const packed = sh('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], { cwd: ROOT });
  expect(packed.code, packed.err).toBe(0);
  const [info] = JSON.parse(packed.out) as { filename: string; files: { path: string }[] }[];
  tarball = join(tmp, info!.filename);
  files = info!.files.map((f) => f.path);
  const inst = sh(
    'npm',
    ['install', '-g', '--prefix', prefix, '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', tarball],
    { cwd: home },
  );
  expect(inst.code, inst.err).toBe(0);
}, 300_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the packed package', () => {
  it('ships the compiled code, the roles, playbooks, templates and lab assets, and no tests', () => {
    for (const f of [
      'bin/lvsplay.js',
      'dist/cli/main.js',
      'roles/director/tasks/main.yml',
      'roles/realserver/templates/realserver.j2',
      'playbooks/site.yaml',
      'inventory/lab.ini',
      'assets/lab/lvsplay-init',
    ])
      expect(files, f).toContain(f);
    expect(files.filter((f) => /^(test|src|bench)\//.test(f) || f.endsWith('.test.ts'))).toEqual([]);
    // the tarball's dist/ is built by `npm pack` itself when nobody built it before
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.prepack).toMatch(/\bbuild\b|\btsc\b/);
  });

  it('installs globally and runs from any directory: lvsplay --version', () => {
    const r = sh(bin, ['--version'], { cwd: home });
    expect(r.err).toBe('');
    expect(r.out.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(r.code).toBe(0);
  });

  it('lvsplay init writes a project that the syntax check and lint accept, with the installed roles', () => {
    const proj = join(home, 'cluster');
    const init = sh(bin, ['init', 'cluster'], { cwd: home });
    expect(init.code, init.err).toBe(0);
    expect(readdirSync(proj).sort()).toEqual(['.gitignore', '.vault-pass', 'ansible.cfg', 'inventory', 'playbooks']);
    const cfg = readFileSync(join(proj, 'ansible.cfg'), 'utf8');
    expect(cfg).toContain(`roles_path = roles:${join(prefix, 'lib', 'node_modules', 'lvsplay', 'roles')}`);
    const syntax = sh(bin, ['run', 'site.yaml', '--syntax-check'], { cwd: proj });
    expect(syntax.code, syntax.err + syntax.out).toBe(0);
    expect(syntax.out).toContain('playbook: playbooks/site.yaml');
    const list = sh(bin, ['run', 'site.yaml', '--list-tasks'], { cwd: proj });
    expect(list.code, list.err).toBe(0);
    expect(list.out).toMatch(/director : /);
    const lint = sh(bin, ['lint'], { cwd: proj });
    expect(lint.code, lint.err + lint.out).toBe(0);
    expect(lint.out).toMatch(/\b0 error\(s\)/);
    // a second init into the same directory overwrites nothing
    const again = sh(bin, ['init', 'cluster'], { cwd: home });
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/cluster is not empty/);
  });
});
