// Probes read ahead in one batch give exactly what each would give run on its own.
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runProbeBatch } from '../../src/exec/prefetch.js';
import { Templar } from '../../src/vars/templar.js';
import { runOnLocalhost } from '../helpers/run-local.js';
import { LocalTransport } from '../../src/transport/local.js';
import { sh } from '../../src/transport/quote.js';

describe('probe batches', () => {
  it("keep every probe's stdout, stderr and exit code apart, byte for byte", async () => {
    const t = new LocalTransport('localhost');
    const probes = [
      sh`printf 'a\\nb'`,
      sh`echo hi; echo oops >&2; exit 3`,
      sh`printf '\\n\\n'`,
      sh`exit 0`,
      // Output that looks like the framing (with another tag) stays output.
      sh`printf '%s\\n' 'lvsplay-probe-0123456789ab 0 rc 1'`,
      sh`cd /; x=1; exit 7`,
      sh`printf 'after %s' "$x"; pwd`,
    ];
    const batch = await runProbeBatch(t, probes, {});
    const alone = await Promise.all(probes.map((p) => t.run(p)));
    expect(batch?.map((r) => [r.code, r.stdout, r.stderr])).toEqual(alone.map((r) => [r.code, r.stdout, r.stderr]));
  });
});

// A task read ahead has its arguments rendered once: for its probe, then reused when it runs,
// unless something that may change them (here a set_fact, a register) happened in between.
/** How many times arguments rendered to a `path` ending in `/name` were rendered, by name. */
function countRenders(names: string[]) {
  const spy = vi.spyOn(Templar.prototype, 'render');

  return (): Record<string, number> => {
    const seen = Object.fromEntries(names.map((n) => [n, 0]));
    for (const r of spy.mock.results) {
      const v: unknown = r.type === 'return' ? r.value : undefined;
      const path = typeof v === 'object' && v !== null ? (v as { path?: unknown }).path : undefined;
      if (typeof path !== 'string') continue;
      for (const n of names) if (path.endsWith(`/${n}`)) seen[n]! += 1;
    }
    return seen;
  };
}

describe('tasks read ahead', () => {
  beforeEach(() => {
    vi.stubEnv('LVSPLAY_PREFETCH', '1');
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it('render their arguments once, and a no-op rerun gives what it gives without read-ahead', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lvsplay-prefetch-'));
    const pb = `
- hosts: localhost
  gather_facts: false
  vars: { d: DIR }
  tasks:
    - name: one
      file: path="{{ d }}/one" state=directory
    - name: two
      file: path="{{ d }}/two" state=directory mode="{{ '0755' }}"
    - name: three
      stat: path="{{ d }}/three"
`;
    expect((await runOnLocalhost(pb, { dir })).exitCode).toBe(0);
    const renders = countRenders(['one', 'two', 'three']);
    const r = await runOnLocalhost(pb, { dir });
    expect(r.exitCode).toBe(0);
    // 'one' reads ahead 'two' and 'three' (rendered then, not again); nothing changed in between.
    expect(renders()).toEqual({ one: 1, two: 1, three: 1 });
    vi.unstubAllEnvs();
    const plain = await runOnLocalhost(pb, { dir });
    const statuses = (x: typeof r) => x.rec.results('localhost').map((t) => [t.task, t.status]);
    expect(statuses(r)).toEqual(statuses(plain));
    expect(statuses(r)).toEqual([
      ['one', 'ok'],
      ['two', 'ok'],
      ['three', 'ok'],
    ]);
  });

  it('read each probe once: a later batch passes by what an earlier one read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lvsplay-prefetch-'));
    const pb = `
- hosts: localhost
  gather_facts: false
  vars: { d: DIR }
  tasks:
    - name: one
      file: path="{{ d }}/one" state=directory
    - name: two (not read ahead, as its check_mode keyword says, so it starts a batch of its own)
      file: path="{{ d }}/two" state=directory
      check_mode: false
    - name: three
      file: path="{{ d }}/three" state=directory
    - name: four
      stat: path="{{ d }}/four"
`;
    expect((await runOnLocalhost(pb, { dir })).exitCode).toBe(0);
    const runs = vi.spyOn(LocalTransport.prototype, 'run');
    const r = await runOnLocalhost(pb, { dir });
    expect(r.exitCode).toBe(0);
    const sent = (name: string) => runs.mock.calls.filter(([cmd]) => cmd.text.includes(`${dir}/${name}`)).length;
    // 'one' reads three and four ahead; 'two' reads its own state and nothing again
    expect([sent('one'), sent('two'), sent('three'), sent('four')]).toEqual([1, 1, 1, 1]);
    expect(r.rec.results('localhost').map((t) => t.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
  });

  it.each([
    {
      between: 'set_fact',
      task: 'set_fact: { made: b }',
      made: '{{ made }}',
    },
    {
      between: 'register',
      task: 'stat: path="{{ d }}"\n      register: looked',
      made: "{{ 'b' if looked is defined else 'a' }}",
    },
  ])('render again after a $between that ran in between', async ({ task, made }) => {
    const dir = mkdtempSync(join(tmpdir(), 'lvsplay-prefetch-'));
    mkdirSync(join(dir, 'first'));
    const renders = countRenders(['first', 'a', 'b']);
    const r = await runOnLocalhost(
      `
- hosts: localhost
  gather_facts: false
  vars: { d: DIR, made: a }
  tasks:
    - name: first
      file: path="{{ d }}/first" state=directory
    - name: between
      ${task}
    - name: made
      file: path="{{ d }}/${made}" state=directory
`,
      { dir },
    );
    expect(r.exitCode).toBe(0);
    expect(r.rec.results('localhost').map((t) => [t.task, t.status])).toEqual([
      ['first', 'ok'],
      ['between', 'ok'],
      ['made', 'changed'],
    ]);
    // 'first' read 'made' ahead as DIR/a; it was rendered again, as DIR/b, when it ran.
    expect(existsSync(join(dir, 'b'))).toBe(true);
    expect(existsSync(join(dir, 'a'))).toBe(false);
    expect(renders()).toEqual({ first: 1, a: 1, b: 1 });
  });
});
