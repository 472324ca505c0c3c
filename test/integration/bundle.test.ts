// The bundled build (scripts/build.js, what `npm run build` and `npm ci` put in dist/): built here
// into a directory of its own, so the dist/ other tests run is left alone. What it must keep: every
// command works from the bundle, `--help` loads none of the heavy packages (they load with the
// command that needs them), the code cache is made and used, ssh2 still loads from
// node_modules, and source maps point at src/.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const CLOSED = resolve(ROOT, 'test/fixtures/lint/run-refuses/inv-closed-port.ini');
// Two levels below the project, as dist/ is: the lab finds assets/ relative to the bundle.
let out = '';

interface Meta {
  inputs: Record<string, { imports: { path: string; kind: string; external?: boolean }[] }>;
}

/** The bundle's main() with these arguments, as bin/lvsplay.js calls it. */
function cli(...args: string[]) {
  const script =
    'const { main } = await import(process.argv[1]); process.exitCode = await main(["node", "lvsplay", ...process.argv.slice(2)]);';
  return spawnSync(process.execPath, ['--input-type=module', '-e', script, join(out, 'cli/main.js'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
}

beforeAll(() => {
  out = mkdtempSync(join(ROOT, '.bundle-test-'));
  const b = spawnSync(
    process.execPath,
    [join(ROOT, 'scripts/build.js'), '--outdir', out, '--metafile', join(out, 'meta.json')],
    { encoding: 'utf8', timeout: 120_000 },
  );
  expect(b.stderr).toBe('');
  expect(b.status).toBe(0);
});

afterAll(() => {
  if (out) rmSync(out, { recursive: true, force: true });
});

describe('the bundled build', () => {
  it('--help lists every command; --version answers', () => {
    const help = cli('--help');
    expect(help.status).toBe(0);
    for (const c of ['run', 'inventory', 'lab', 'lint', 'graph', 'status', 'verify', 'adopt'])
      expect(help.stdout).toMatch(new RegExp(`^  ${c}\\b`, 'm'));
    const v = cli('--version');
    expect(v.status).toBe(0);
    expect(v.stdout.trim()).toBe('0.1.0');
  });

  it('what the commands import statically holds none of the heavy packages', () => {
    // One CommonJS bundle: a module only imported dynamically (by a command's action) is
    // initialised when that import runs, so --help runs what main.ts imports statically, no more.
    const meta = JSON.parse(readFileSync(join(out, 'meta.json'), 'utf8')) as Meta;
    const seen = new Set<string>();
    const todo = ['src/cli/main.ts'];
    const external: string[] = [];
    while (todo.length) {
      const k = todo.pop()!;
      if (seen.has(k)) continue;
      seen.add(k);
      for (const i of meta.inputs[k]!.imports) {
        if (i.kind === 'dynamic-import') continue;
        if (i.external) external.push(i.path);
        else todo.push(i.path);
      }
    }
    expect([...seen].some((f) => f.includes('node_modules/commander/'))).toBe(true);
    for (const heavy of ['zod', 'yaml', 'nunjucks', 'listr2', 'ssh-config', 'diff'])
      expect([...seen].filter((f) => f.includes(`node_modules/${heavy}/`))).toEqual([]);
    expect(external.filter((p) => !p.startsWith('node:'))).toEqual([]);
  });

  it('compiles with the code cache the build made (V8 accepts it), and without it under --enable-source-maps', () => {
    const state = (...flags: string[]) =>
      spawnSync(
        process.execPath,
        [
          ...flags,
          '--input-type=module',
          '-e',
          'console.log((await import(process.argv[1])).codeCache)',
          join(out, 'cli/main.js'),
        ],
        { encoding: 'utf8', timeout: 60_000 },
      ).stdout.trim();
    expect(state()).toBe('accepted');
    expect(state('--enable-source-maps')).toBe('off');
  });

  it('run --syntax-check of site.yaml loads the playbook and roles', () => {
    const r = cli('run', 'playbooks/site.yaml', '-i', 'inventory/lab.ini', '--syntax-check');
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('playbook: playbooks/site.yaml');
    expect(r.status).toBe(0);
  });

  it("a bad option is still a usage error (exit 2, as ansible-playbook's argument parser) with the hint", () => {
    const r = cli('run', 'playbooks/site.yaml', '--forks', 'none');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('forks must be a whole number');
  });

  it('a run gets to the executor (ssh2 from node_modules): a closed port is unreachable, exit 4 as ansible-playbook', () => {
    const r = cli(
      'run',
      'site.yaml',
      '-i',
      CLOSED,
      '--no-lint',
      '-o',
      'plain',
      '-e',
      'vrrp_auth_pass=x',
      '-e',
      'mysql_replication_password=y',
    );
    expect(r.stdout).toMatch(/UNREACHABLE!/);
    expect(r.status).toBe(4);
  });

  it('source maps lead back to src/', () => {
    const map = JSON.parse(readFileSync(join(out, 'cli/main.cjs.map'), 'utf8')) as { sources: string[] };
    expect(map.sources).toContain('../../src/cli/main.ts');
  });
});

describe('the demo in the build', () => {
  it('is the module scripts/demo.sh runs, valid, with its packages left to node_modules', () => {
    const demoSh = readFileSync(join(ROOT, 'scripts/demo.sh'), 'utf8');
    expect(demoSh).toMatch(/^exec node dist\/demo\/main\.js "\$@"$/m);
    const demo = join(out, 'demo/main.js');
    const check = spawnSync(process.execPath, ['--check', demo], { encoding: 'utf8' });
    expect(check.status, check.stderr).toBe(0);
    const text = readFileSync(demo, 'utf8');
    expect(text).toMatch(/from "zx\/core"/);
    // every package it imports is installed (a missing one fails before the demo starts)
    for (const m of text.matchAll(/^import .* from "([^".][^"]*)";$/gm)) {
      const pkg = m[1]!.startsWith('node:')
        ? undefined
        : m[1]!
            .split('/')
            .slice(0, m[1]!.startsWith('@') ? 2 : 1)
            .join('/');
      if (pkg) expect(() => import.meta.resolve(pkg), pkg).not.toThrow();
    }
  });
});
