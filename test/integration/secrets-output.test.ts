// Every kind of secret, run for real on the controller (implicit localhost, no ssh), through
// every output mode: `-o plain -vvv --diff`, `-o json`, `-o jsonl`, `--check --diff`, the listr
// tree on a terminal, and the handler journal. Each output is searched for the cleartext of
// every secret and for telltale pieces of it (a 3-character prefix, reversed, upper and lower
// case, base64). The playbook reaches each secret through the paths that used to leak: debug,
// hostvars dumps, registered output, loop items and labels, set_fact, filters, slices,
// concatenation, JSON, module arguments (copy, lineinfile, blockinfile, template), --diff (the
// old content of a file holding the secrets), failing commands and template errors.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { encryptVaultText } from '../../src/vars/vault.js';
import { loadAndPlan } from '../../src/plan/load-and-plan.js';
import { executePlan } from '../../src/exec/scheduler.js';
import { createTemplar } from '../../src/vars/templar.js';
import { closeAll, createReporters, emitTo } from '../../src/report/index.js';
import { withRevealedVault } from '../../src/report/redact.js';

const VAULT_PW = 'correct horse battery';
const BIN = resolve(import.meta.dirname, '../../bin/lvsplay.js');

/** Cleartexts, each with an unusual prefix so a 3-character piece cannot appear by chance. */
const SECRETS = {
  wholeFileVault: 'QzFileAlpha71',
  wholeFileTemplate: 'QyTmplBravo82',
  groupVarsVault: 'QwGroupCharlie93',
  inlineVault: 'QvInlineDelta44',
  becomeFromInventory: 'QuBecomeEcho55',
  becomeFromExtraVars: 'QtBecomeFox66',
  noLogData: 'QsNoLogGolf77',
};

function telltales(s: string): string[] {
  return [
    s,
    s.slice(0, 3),
    [...s].reverse().join(''),
    s.toUpperCase(),
    s.toLowerCase(),
    Buffer.from(s).toString('base64').replace(/=+$/, ''),
  ];
}

function expectNoSecret(name: string, text: string): void {
  for (const [kind, s] of Object.entries(SECRETS))
    for (const t of telltales(s)) expect(text.includes(t), `${name} shows ${kind} as '${t}'`).toBe(false);
}

const inlineVault = (plain: string, indent: string) =>
  `!vault |\n${encryptVaultText(plain, VAULT_PW)
    .trimEnd()
    .split('\n')
    .map((l) => `${indent}${l}`)
    .join('\n')}`;

const PLAYBOOK = (out: string) => `
- hosts: localhost
  gather_facts: false
  vars_files: [vault_vars.yml]
  vars:
    inline_secret: ${inlineVault(SECRETS.inlineVault, '      ')}
    all_secrets:
      - "{{ file_secret }}"
      - "{{ file_url }}"
      - "{{ gv_secret }}"
      - "{{ inline_secret }}"
      - "{{ ansible_become_pass }}"
      - "{{ ansible_become_password }}"
  handlers:
    - name: pending handler
      debug: msg=never-runs
  tasks:
    - name: debug each secret
      debug: var={{ item }}
      loop: [file_secret, file_url, gv_secret, inline_secret, ansible_become_pass, ansible_become_password]
    - name: hostvars dump
      debug: var=hostvars[inventory_hostname]
    - name: derived values, with a label built from the secret
      debug:
        msg: "{{ item[:3] }} {{ item[::-1] }} {{ item[0:3] }} {{ item | upper }} {{ item | lower }} {{ item | b64encode }} {{ item | to_json }} {{ item | regex_replace('a', 'b') }} {{ item ~ '-x' }} {{ {'k': item} | to_json }}"
      loop: "{{ all_secrets }}"
      loop_control:
        label: "{{ item[:5] }}"
    - name: set_fact from secrets
      set_fact:
        derived: "{{ all_secrets | map('upper') | join(',') }}"
        sliced: "{{ inline_secret[:4] }}"
    - name: show facts
      debug: msg="{{ derived }} {{ sliced }}"
    - name: the host prints transforms of the secrets
      shell: printf %s {{ item | quote }}; echo; printf %s {{ item | quote }} | base64; printf %s {{ item | quote }} | rev; echo; printf %s {{ item | quote }} | tr a-z A-Z
      loop: "{{ all_secrets }}"
      register: echoed
      changed_when: false
    - name: registered output
      debug: var=echoed
    - name: a failing command quotes a secret in its error
      command: ls /nonexistent/{{ inline_secret }}
      ignore_errors: true
    - name: copy content from a whole-file vault value
      copy: content="{{ file_secret }}" dest=${out}/copied
    - name: lineinfile with an inline vault value
      lineinfile: path=${out}/lines line="password={{ inline_secret }}" create=true
    - name: blockinfile with a group_vars vault value
      blockinfile:
        path: ${out}/block
        create: true
        block: "token {{ gv_secret }}"
    - name: template holding a templated vault value
      template: src=conn.j2 dest=${out}/conn
    - name: copy dest named after a secret
      copy: content=plain dest=${out}/{{ gv_secret }}.txt
    - name: old content holding every secret, replaced (the diff's before side)
      copy: content="replaced\\n" dest=${out}/old
    - name: from_json error on a secret
      set_fact: parsed="{{ file_secret | from_json }}"
      ignore_errors: true
    - name: lookup error on a secret
      debug: msg="{{ lookup('file', inline_secret) }}"
      ignore_errors: true
    - name: no_log data
      debug: msg="{{ nolog_value }}"
      vars: { nolog_value: ${SECRETS.noLogData} }
      no_log: true
    - name: no_log from_json error
      set_fact: x="{{ nolog_value | from_json }}"
      vars: { nolog_value: ${SECRETS.noLogData} }
      no_log: true
      ignore_errors: true
    - name: no_log template error
      debug: msg="{{ nolog_value.foo.bar }}"
      vars: { nolog_value: ${SECRETS.noLogData} }
      no_log: true
      ignore_errors: true
    - name: no_log lookup error
      debug: msg="{{ lookup('file', nolog_value) }}"
      vars: { nolog_value: ${SECRETS.noLogData} }
      no_log: true
      ignore_errors: true
    - name: no_log loop
      debug: msg="{{ item }}"
      loop: ["${SECRETS.noLogData}"]
      no_log: true
    - name: notify a handler that the failure below leaves pending (journaled)
      command: "true"
      notify: pending handler
    - name: stop the play
      fail: msg="stop with {{ inline_secret }} in the message"
`;

let dir: string;
let out: string;
const stateDir = () => join(dir, 'state');

function project(): void {
  dir = mkdtempSync(join(tmpdir(), 'lvsplay-secrets-'));
  out = join(dir, 'out');
  mkdirSync(out);
  mkdirSync(join(dir, 'group_vars', 'all'), { recursive: true });
  mkdirSync(join(dir, 'templates'));
  writeFileSync(join(dir, 'vpw'), `${VAULT_PW}\n`);
  writeFileSync(
    join(dir, 'vault_vars.yml'),
    encryptVaultText(
      `file_secret: ${SECRETS.wholeFileVault}\nfile_url: "mysql://app:${SECRETS.wholeFileTemplate}@{{ 'db' }}"\n`,
      VAULT_PW,
    ),
  );
  writeFileSync(
    join(dir, 'group_vars', 'all', 'vault.yml'),
    encryptVaultText(`gv_secret: ${SECRETS.groupVarsVault}\n`, VAULT_PW),
  );
  writeFileSync(join(dir, 'templates', 'conn.j2'), 'url = {{ file_url }}\n');
  writeFileSync(
    join(dir, 'inventory.ini'),
    `localhost ansible_connection=local ansible_become_pass=${SECRETS.becomeFromInventory}\n`,
  );
  writeFileSync(join(dir, 'play.yml'), PLAYBOOK(out));
}

/** The old file the diff's before side shows: every secret a run masks, in clear. */
function resetFiles(): void {
  // The templated vault value is secret as rendered (the host holds the whole URL).
  const held = Object.entries(SECRETS)
    .filter(([k]) => k !== 'noLogData')
    .map(([k, s]) => (k === 'wholeFileTemplate' ? `mysql://app:${s}@db` : s));
  writeFileSync(join(out, 'old'), `${held.join('\n')}\n`);
  for (const f of ['copied', 'lines', 'block', 'conn', `${SECRETS.groupVarsVault}.txt`])
    writeFileSync(join(out, f), 'before\n');
}

const ARGS = () => [
  'run',
  '-i',
  'inventory.ini',
  'play.yml',
  '--vault-password-file',
  'vpw',
  '-e',
  `ansible_become_password=${SECRETS.becomeFromExtraVars}`,
];

async function cli(extra: string[]): Promise<string> {
  resetFiles();
  const r = await runCli([...ARGS(), ...extra], dir);
  // The play runs to its deliberate failure at the end.
  expect(r.code, r.out + r.err).toBe(2);
  return r.out + r.err;
}

/** The tree reporter, as on a terminal, on a run driven as the CLI drives it. */
async function treeRun(): Promise<string> {
  resetFiles();
  const plan = loadAndPlan({
    playbook: join(dir, 'play.yml'),
    inventory: [join(dir, 'inventory.ini')],
    vaultPasswordFile: [join(dir, 'vpw')],
    extraVars: [`ansible_become_password=${SECRETS.becomeFromExtraVars}`],
    diff: true,
    verbosity: 3,
    cwd: dir,
  });
  const stream = new PassThrough() as PassThrough & { isTTY: boolean; columns: number; rows: number };
  Object.assign(stream, { isTTY: true, columns: 120, rows: 60 });
  let raw = '';
  stream.on('data', (c: Buffer) => (raw += c.toString()));
  const secrets = new Set<string>();
  const reporters = createReporters({
    format: 'tree',
    verbosity: 3,
    diff: true,
    check: false,
    stream,
    isTTY: true,
    ci: false,
    colour: false,
    secrets: withRevealedVault(secrets, plan.vault),
  });
  const r = await executePlan(plan, {
    templar: createTemplar({ searchPath: [dir], vault: plan.vault }),
    emit: (e) => emitTo(reporters, e),
    journalDir: join(dir, 'tree-state'),
    secrets,
  });
  await closeAll(reporters);
  expect(r.exitCode).toBe(2);
  return raw;
}

describe('no secret reaches any output', () => {
  const saved = process.env.LVSPLAY_STATE_DIR;
  beforeAll(() => {
    project();
    process.env.LVSPLAY_STATE_DIR = stateDir();
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.LVSPLAY_STATE_DIR;
    else process.env.LVSPLAY_STATE_DIR = saved;
  });

  it('-o plain -vvv --diff', async () => {
    const text = await cli(['-o', 'plain', '-vvv', '--diff']);
    expectNoSecret('plain -vvv --diff', text);
    // The run did reach the secrets: modules wrote their real values, output shows the mask.
    expect(readFileSync(join(out, 'copied'), 'utf8')).toBe(SECRETS.wholeFileVault);
    expect(readFileSync(join(out, 'lines'), 'utf8')).toContain(`password=${SECRETS.inlineVault}`);
    expect(readFileSync(join(out, 'block'), 'utf8')).toContain(`token ${SECRETS.groupVarsVault}`);
    expect(readFileSync(join(out, 'conn'), 'utf8')).toBe(`url = mysql://app:${SECRETS.wholeFileTemplate}@db\n`);
    expect(existsSync(join(out, `${SECRETS.groupVarsVault}.txt`))).toBe(true);
    expect(text).toContain('********');
    expect(text).toContain('(new content hidden: it holds a secret)');
    expect(text).toContain("'no_log: true' was specified");
    expect(text).toMatch(/from_json: the text is not valid JSON; the text is a secret/);
    // The old content's diff is shown, masked: the lines are there, the secrets are not.
    expect(text).toMatch(/-\*{8}\n-\*{8}/);
  });

  it('-o json', async () => {
    const text = await cli(['-o', 'json', '--diff']);
    expectNoSecret('json', text);
    expect(JSON.parse(text.slice(text.indexOf('{')))).toHaveProperty('plays');
  });

  it('-o jsonl', async () => {
    const text = await cli(['-o', 'jsonl', '-vvv', '--diff']);
    expectNoSecret('jsonl', text);
    expect(text.split('\n').filter(Boolean).length).toBeGreaterThan(20);
  });

  it('--check --diff', async () => {
    const text = await cli(['-o', 'plain', '--check', '--diff', '-v']);
    expectNoSecret('check diff', text);
    expect(readFileSync(join(out, 'copied'), 'utf8')).toBe('before\n');
  });

  it('the listr tree on a terminal', async () => {
    expectNoSecret('tree', await treeRun());
  });

  it('the -K password, typed on stdin, echoed back by the host', () => {
    const asked = 'QrAskPass88';
    writeFileSync(
      join(dir, 'ask.yml'),
      `- hosts: localhost\n  gather_facts: false\n  tasks:\n    - shell: printf %s ${asked}; echo; printf %s ${asked} | rev\n`,
    );
    for (const format of ['plain', 'jsonl']) {
      const r = spawnSync(
        process.execPath,
        [BIN, 'run', '-i', 'localhost,', 'ask.yml', '--vault-password-file', 'vpw', '-K', '-vvv', '-o', format],
        {
          cwd: dir,
          input: `${asked}\n`,
          encoding: 'utf8',
          timeout: 60_000,
        },
      );
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toContain('BECOME password:');
      for (const t of telltales(asked).filter((x) => x.length > 3)) expect(r.stdout + r.stderr).not.toContain(t);
    }
  });

  it('the handler journal', async () => {
    await cli(['-o', 'plain']);
    const journal = readFileSync(join(stateDir(), 'pending-handlers.json'), 'utf8');
    expect(journal).toContain('pending handler');
    expectNoSecret('journal', journal);
  });
});
