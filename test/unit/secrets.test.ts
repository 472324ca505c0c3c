// One notion of a secret, path by path: where secrets come from (whole-file vault, passwords),
// how they propagate (taint, errors), where they are revealed (module arguments) and how the
// last masking pass recognises them. test/integration/secrets-output.test.ts runs them all
// through every output mode of the CLI.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Secret, isSecret, revealDeep } from '../../src/secret.js';
import { encryptVaultText, type VaultSecrets } from '../../src/vars/vault.js';
import { loadVarsFile } from '../../src/inventory/index.js';
import { createTemplar } from '../../src/vars/templar.js';
import { lazyScope } from '../../src/vars/lazy.js';
import { maskSecretsIn } from '../../src/vars/jinja/taint.js';
import { moduleInput } from '../../src/exec/module-run.js';
import { resolveModule } from '../../src/modules/registry.js';
import { isRunnable, type RunnableModule } from '../../src/modules/runtime.js';
import { redact } from '../../src/report/redact.js';
import { HandlerJournal } from '../../src/exec/journal.js';
import { loadAndPlan } from '../../src/plan/load-and-plan.js';
import { executePlan } from '../../src/exec/scheduler.js';
import { RecordingReporter } from '../../src/report/recording.js';
import { failure } from '../helpers/failure.js';

const PW = 'vault pass';
const scratch = () => mkdtempSync(join(tmpdir(), 'lvsplay-secret-'));
const vault = (): VaultSecrets => ({ passwords: [{ password: new Secret(PW) }], revealed: new Set() });

function module(name: string): RunnableModule {
  const m = resolveModule(name);
  if (!isRunnable(m)) throw new Error(`no module ${name}`);
  return m;
}

describe('a file vaulted as a whole', () => {
  it('gives every string as a Secret (numbers and keys stay), and lists the texts', () => {
    const dir = scratch();
    const file = join(dir, 'vault.yml');
    writeFileSync(file, encryptVaultText('db_password: s3cretpw\nport: 3306\nusers: [alice-pw]\n', PW));
    const v = vault();
    const { vars, diagnostics } = loadVarsFile(file, v);
    expect(diagnostics).toEqual([]);
    expect(vars!.db_password).toBeInstanceOf(Secret);
    expect((vars!.db_password as Secret).reveal()).toBe('s3cretpw');
    expect(vars!.port).toBe(3306);
    expect(isSecret((vars!.users as unknown[])[0])).toBe(true);
    expect([...v.revealed!]).toEqual(['s3cretpw', 'alice-pw']);
  });

  it('through vars_files too; a templated value renders and stays secret', () => {
    const dir = scratch();
    writeFileSync(join(dir, 'pw'), `${PW}\n`);
    writeFileSync(join(dir, 'v.yml'), encryptVaultText('url: "mysql://app:s3cret@{{ host }}"\n', PW));
    writeFileSync(join(dir, 'play.yml'), '- hosts: localhost\n  vars_files: [v.yml]\n  tasks: []\n');
    const plan = loadAndPlan({
      playbook: join(dir, 'play.yml'),
      inventory: ['localhost,'],
      vaultPasswordFile: [join(dir, 'pw')],
      cwd: dir,
    });
    const raw = plan.playbook.plays[0]!.varsFiles[0]!.vars;
    expect(raw.url).toBeInstanceOf(Secret);
    const url = createTemplar({ vault: plan.vault }).render('{{ url }}', { ...raw, host: 'db1' });
    expect(isSecret(url)).toBe(true);
    expect((url as Secret).reveal()).toBe('mysql://app:s3cret@db1');
  });

  it('an inline !vault value is used as written, never templated (as ansible-playbook does)', () => {
    const dir = scratch();
    writeFileSync(join(dir, 'pw'), `${PW}\n`);
    const inline = encryptVaultText('x-{{ 1 + 1 }}', PW).trimEnd().split('\n').join('\n      ');
    writeFileSync(
      join(dir, 'play.yml'),
      `- hosts: localhost\n  vars:\n    v: !vault |\n      ${inline}\n  tasks: []\n`,
    );
    const plan = loadAndPlan({
      playbook: join(dir, 'play.yml'),
      inventory: ['localhost,'],
      vaultPasswordFile: [join(dir, 'pw')],
      cwd: dir,
    });
    const v = createTemplar({ vault: plan.vault }).render('{{ v }}', plan.playbook.plays[0]!.vars);
    expect((v as Secret).reveal()).toBe('x-{{ 1 + 1 }}');
  });
});

describe('connection and become passwords', () => {
  it('are Secrets when read through a scope, from any layer, and are listed', () => {
    const revealed = new Set<string>();
    const scope = lazyScope(
      { ansible_become_password: 'b3come', ansible_ssh_pass: 1234, other: 'plain' },
      { render: (v) => v, vault: { passwords: [], revealed } },
    );
    expect(scope.ansible_become_password).toBeInstanceOf(Secret);
    expect(scope.ansible_ssh_pass).toBeInstanceOf(Secret);
    expect(scope.other).toBe('plain');
    expect([...revealed]).toEqual(['b3come', '1234']);
  });

  it('set in the inventory or with -e are listed before anything runs', () => {
    const dir = scratch();
    writeFileSync(join(dir, 'hosts'), 'h1 ansible_become_pass=fromInventory\n');
    writeFileSync(join(dir, 'play.yml'), '- hosts: all\n  tasks: []\n');
    const plan = loadAndPlan({
      playbook: join(dir, 'play.yml'),
      inventory: [join(dir, 'hosts')],
      extraVars: ['ansible_become_password=fromExtraVars'],
      cwd: dir,
    });
    expect([...plan.vault.revealed!].sort()).toEqual(['fromExtraVars', 'fromInventory']);
  });
});

describe('errors raised while a secret was revealed', () => {
  const t = createTemplar();
  const vars = { pw: new Secret('hunter2pass'), short: new Secret('ab') };
  it('from_json on a secret gives no excerpt of it', () => {
    const msg = failure(() => t.render('{{ pw | from_json }}', vars));
    expect(msg).toMatch(/from_json: the text is not valid JSON; the text is a secret/);
    expect(msg).not.toMatch(/hunt|'h'/);
  });
  it('a lookup quoting its argument has it masked', () => {
    const msg = failure(() => t.render("{{ lookup('file', pw) }}", vars));
    expect(msg).toContain("could not find '********'");
    expect(msg).not.toContain('hunter2pass');
  });
  it('masks whole secrets and quoted pieces of them, not other quoted words', () => {
    expect(maskSecretsIn(`Unexpected token 'h', "hunter2pas"... for 'x' at hunter2pass`, ['hunter2pass'])).toBe(
      `Unexpected token '********', "********"... for 'x' at ********`,
    );
  });
  it('an error that read no secret is left as it was', () => {
    expect(failure(() => t.render("{{ 'abc' | from_json }}", vars))).toMatch(/Unexpected token/);
  });
});

describe('module arguments are revealed in one place', () => {
  it('a module that runs on a host gets the text; the texts are listed; secret arguments named', () => {
    const revealed = new Set<string>();
    const r = moduleInput(
      module('lineinfile'),
      { path: '/etc/app.conf', line: new Secret('password=s3cret'), create: true },
      revealed,
    );
    expect(r.args).toEqual({ path: '/etc/app.conf', line: 'password=s3cret', create: true });
    expect([...r.secretArgs]).toEqual(['line']);
    expect([...revealed]).toEqual(['password=s3cret']);
  });
  it('a controller module keeps its Secrets (what debug prints stays masked)', () => {
    const msg = new Secret('s3cret');
    const r = moduleInput(module('debug'), { msg }, new Set());
    expect((r.args as { msg: unknown }).msg).toBe(msg);
  });
  it('revealDeep reaches into lists and dicts', () => {
    const seen: Array<[string, string | undefined]> = [];
    expect(revealDeep({ a: [new Secret('x1')], b: { c: new Secret('y2') } }, (t, k) => seen.push([t, k]))).toEqual({
      a: ['x1'],
      b: { c: 'y2' },
    });
    expect(seen).toEqual([
      ['x1', 'a'],
      ['y2', 'b'],
    ]);
  });
});

describe('the last masking pass', () => {
  it('finds a secret raw, JSON-escaped, upper/lower case, reversed and in base64', () => {
    const s = 'Pa"ss\\word9';
    const text = [s, JSON.stringify(s), s.toUpperCase(), s.toLowerCase(), [...s].reverse().join(''), btoa(s)].join(
      ' | ',
    );
    const out = redact(text, [s]);
    expect(out).not.toMatch(/ss|SS|dr|9/);
  });
  it('the handler journal writes names through it', () => {
    const dir = scratch();
    const j = new HandlerJournal(join(dir, 'play.yml'), dir, (s) => s.replaceAll('s3cret', '********'));
    j.notified('deploy s3cret', 'h1', 'restart s3cret');
    expect(readFileSync(join(dir, 'pending-handlers.json'), 'utf8')).not.toContain('s3cret');
    expect(j.pending('deploy s3cret', 'h1')).toEqual(['restart ********']);
  });
});

describe('on the controller itself', () => {
  async function run(playbook: string) {
    const dir = scratch();
    writeFileSync(join(dir, 'pw'), `${PW}\n`);
    writeFileSync(join(dir, 'v.yml'), encryptVaultText('secret_line: s3cretLine\n', PW));
    writeFileSync(join(dir, 'play.yml'), playbook.replaceAll('DIR', dir));
    const plan = loadAndPlan({
      playbook: join(dir, 'play.yml'),
      inventory: ['localhost,'],
      vaultPasswordFile: [join(dir, 'pw')],
      diff: true,
      cwd: dir,
    });
    const rec = new RecordingReporter();
    const r = await executePlan(plan, {
      templar: createTemplar({ searchPath: [dir], vault: plan.vault }),
      emit: (e) => rec.onEvent(e),
      journalDir: join(dir, '.state'),
    });
    return { ...r, rec, dir };
  }

  it('lineinfile, blockinfile and copy (also its dest) take secrets; their diffs hide the content', async () => {
    const r = await run(`
- hosts: localhost
  gather_facts: false
  vars_files: [v.yml]
  tasks:
    - lineinfile: { path: DIR/a, line: "pw={{ secret_line }}", create: true }
    - blockinfile: { path: DIR/b, block: "{{ secret_line }}", create: true }
    - copy: { content: "{{ secret_line }}", dest: "DIR/{{ secret_line }}.txt" }
`);
    expect(r.exitCode).toBe(0);
    expect(readFileSync(join(r.dir, 'a'), 'utf8')).toBe('pw=s3cretLine\n');
    expect(readFileSync(join(r.dir, 'b'), 'utf8')).toContain('s3cretLine\n');
    expect(readFileSync(join(r.dir, 's3cretLine.txt'), 'utf8')).toBe('s3cretLine');
    const diffs = r.rec.results('localhost').flatMap((x) => x.result.changes.map((c) => c.diff));
    expect(diffs.length).toBe(3);
    for (const d of diffs) expect(d?.after).toBe('(new content hidden: it holds a secret)\n');
  });

  it('no_log hides a task whose templating fails', async () => {
    const r = await run(`
- hosts: localhost
  gather_facts: false
  tasks:
    - name: broken
      debug: msg="{{ value | from_json }}"
      vars: { value: not-json-data }
      no_log: true
      ignore_errors: true
`);
    const [res] = r.rec.results('localhost');
    expect(res!.status).toBe('failed');
    expect(res!.result.noLog).toBe(true);
    expect(r.rec.serialize()).not.toContain('not-json');
  });
});
