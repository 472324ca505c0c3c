// apt_repository against ansible-core 2.14's own code: its SourcesList (imported from the
// installed module by test/fixtures/modules-apt/apt_repository_oracle.py, on files under a
// temporary directory, never the machine's /etc/apt) and lvsplay's pure plan on the same files;
// the files afterwards (names, bytes, modes), the changed flag and the failure must agree.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { aptRepositoryModule, type AptRepositoryArgs, type AptSources } from '../../src/modules/apt_repository.js';

interface Case {
  name: string;
  files: Record<string, string>;
  params: Record<string, unknown>;
}
type Oracle = { failed: string } | { changed: boolean; files: Record<string, [string, string]> };

const FIXTURES = resolve(import.meta.dirname, '../fixtures/modules-apt');
const cases = JSON.parse(readFileSync(resolve(FIXTURES, 'apt_repository.json'), 'utf8')) as Case[];

function oracle(): Promise<Oracle[]> {
  return new Promise((done, fail) => {
    const child = execFile(
      '/usr/bin/python3',
      [resolve(FIXTURES, 'apt_repository_oracle.py')],
      { env: { ...process.env, PYTHONPATH: '/usr/lib/python3/dist-packages' }, encoding: 'utf8' },
      (err, stdout, stderr) =>
        err ? fail(new Error(`${String(err)} ${stderr}`)) : done(JSON.parse(stdout) as Oracle[]),
    );
    child.stdin!.end(JSON.stringify(cases));
  });
}

const abs = (name: string) => `/etc/apt/${name}`;

/** lvsplay's plan on the case's files, its steps applied to a copy of them in memory. */
function lvsplay(c: Case): Oracle {
  const files = new Map(Object.entries(c.files).map(([n, t]) => [abs(n), t]));
  const state: AptSources = {
    files,
    modes: new Map([...files.keys()].map((p) => [p, 0o644])),
    umask: 0o022,
    hasAptGet: true,
  };
  const args = aptRepositoryModule.args.parse({ update_cache: false, ...c.params }) as AptRepositoryArgs;
  const plan = aptRepositoryModule.plan(args, state, {} as never);
  if ('failed' in plan) return { failed: plan.failed };
  const out = new Map([...files].map(([p, t]) => [p, [t, '0o644'] as [string, string]]));
  for (const ch of plan.changes)
    for (const s of ch.steps) {
      if ('put' in s) out.set(s.put.path, [String(s.put.content), `0o${(s.put.opts.mode ?? 0o644).toString(8)}`]);
      else if (/^rm -f -- /.test(s.run.text)) out.delete(s.run.text.replace(/^rm -f -- /, '').replace(/^'|'$/g, ''));
    }
  return {
    changed: plan.changes.length > 0,
    files: Object.fromEntries([...out].map(([p, v]) => [p.replace('/etc/apt/', ''), v])),
  };
}

describe('apt_repository edits sources as ansible-core 2.14 does', () => {
  let real: Promise<Oracle[]> | undefined;
  it('has the cases', () => expect(cases.length).toBeGreaterThanOrEqual(13));
  for (const [i, c] of cases.entries()) {
    it(c.name, async () => {
      const want = (await (real ??= oracle()))[i]!;
      const got = lvsplay(c);
      if ('failed' in want) {
        expect('failed' in got && got.failed).toBe(want.failed.replace(/^/, 'Invalid repository string: '));
        return;
      }
      expect(got).toEqual({ changed: want.changed, files: want.files });
    });
  }
});
