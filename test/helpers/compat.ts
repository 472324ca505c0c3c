// The differential harness of the compatibility corpus (test/fixtures/compat): the same playbook
// or template handed to ansible-playbook 2.14 and to the built lvsplay, outputs compared.
import { execFile } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const CORPUS = join(ROOT, 'test/fixtures/compat');
const LVSPLAY = join(ROOT, 'bin/lvsplay.js');

export interface ToolRun {
  code: number;
  out: string;
  err: string;
}

/** Runs a command from `cwd`; a non-zero exit is a value. Ansible's colours and config are pinned. */
export function runTool(cmd: string, args: string[], cwd: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<ToolRun> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_FORCE_COLOR: '0',
    NO_COLOR: '1',
    ...extraEnv,
  };
  delete env.ANSIBLE_CONFIG;
  delete env.ANSIBLE_INVENTORY;
  return new Promise((done) => {
    execFile(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 16 << 20 }, (error, out, err) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      done({ code, out, err });
    });
  });
}

export const ansiblePlaybook = (args: string[], cwd: string, env?: NodeJS.ProcessEnv) =>
  runTool('ansible-playbook', args, cwd, env);
export const lvsplayRun = (args: string[], cwd: string) => runTool(process.execPath, [LVSPLAY, 'run', ...args], cwd);

/** Runs `jobs` with at most `limit` of them at once (the machine has few cores). */
export async function bounded<T>(jobs: Array<() => Promise<T>>, limit: number): Promise<T[]> {
  const results: T[] = new Array<T>(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return results;
}

/** The corpus's playbooks: every top-level *.yml. */
export function corpusPlaybooks(): string[] {
  return readdirSync(CORPUS)
    .filter((f) => f.endsWith('.yml'))
    .sort();
}

export const LISTING_MODES = ['--syntax-check', '--list-tasks', '--list-hosts', '--list-tags'] as const;
export type ListingMode = (typeof LISTING_MODES)[number];

/**
 * What may legitimately differ between the two tools' listing output, removed before comparing:
 * - the order of the hosts under `hosts (N):` of --list-hosts: ansible-playbook 2.14 prints a
 *   Python set there (its order changes from run to run); both lists are sorted.
 * Warnings and deprecations go to stderr in both tools and are not compared here.
 */
export function normaliseListing(out: string): string {
  return out.replace(/( {4}hosts \(\d+\):\n)((?: {6}\S.*\n)*)/g, (_, head: string, hosts: string) => {
    const lines = hosts.split('\n').filter(Boolean).sort();
    return head + lines.map((l) => `${l}\n`).join('');
  });
}

export interface ListingCase {
  name: string;
  identical: boolean;
  ansible: ToolRun;
  lvsplay: ToolRun;
}

/**
 * Each playbook x listing mode through both tools: ansible-playbook as child processes (two at a
 * time), lvsplay through `inProcess` (its CLI run in this process, one at a time, while ansible
 * works: starting Node once per case would double the test's time).
 */
export async function compareListings(
  playbooks: string[],
  inProcess: (args: string[], cwd: string) => Promise<ToolRun>,
  /** Where both tools run (their ansible.cfg), and arguments both get (an inventory). */
  at: { cwd: string; args: string[] } = { cwd: CORPUS, args: [] },
): Promise<ListingCase[]> {
  const cases = playbooks.flatMap((pb) => LISTING_MODES.map((mode) => ({ pb, mode })));
  const ansibleRuns = bounded(
    cases.map((c) => () => ansiblePlaybook([c.pb, c.mode, ...at.args], at.cwd)),
    2,
  );
  const lvsplayRuns: ToolRun[] = [];
  for (const { pb, mode } of cases) lvsplayRuns.push(await inProcess(['run', pb, mode, ...at.args], at.cwd));
  const ansibleDone = await ansibleRuns;
  return cases.map(({ pb, mode }, i) => {
    const ansible = ansibleDone[i]!;
    const lvsplay = lvsplayRuns[i]!;
    const identical =
      ansible.code === 0 && lvsplay.code === 0 && normaliseListing(ansible.out) === normaliseListing(lvsplay.out);
    return { name: `${pb} ${mode}`, identical, ansible, lvsplay };
  });
}

/** Both tools' output of a case that differs, for the failure message. */
export function explainListing(c: ListingCase): string {
  const side = (label: string, r: ToolRun) =>
    `--- ${label} (exit ${r.code})\n${r.out}${r.code ? r.err.split('\n').slice(0, 12).join('\n') : ''}`;
  return `${c.name}\n${side('ansible-playbook', c.ansible)}\n${side('lvsplay', c.lvsplay)}`;
}

/** A role of the corpus holding templates, with where its templates live. */
interface TemplateRole {
  /** The name a play gives include_role. */
  name: string;
  dir: string;
  templates: string[];
}

const ROLE_DIRS = ['roles', 'vendor-roles'];
const COLLECTION_ROLES = 'collections/ansible_collections';

function templatesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  // Partials (templates/partials/) are included by other templates, not rendered on their own.
  return readdirSync(dir)
    .filter((f) => statSync(join(dir, f)).isFile())
    .sort();
}

function templateRoles(corpus: string): TemplateRole[] {
  const roles: TemplateRole[] = [];
  for (const d of ROLE_DIRS)
    for (const r of readdirSync(join(corpus, d)).sort())
      roles.push({ name: r, dir: join(corpus, d, r), templates: templatesUnder(join(corpus, d, r, 'templates')) });
  const coll = join(corpus, COLLECTION_ROLES);
  for (const ns of readdirSync(coll).sort())
    for (const c of readdirSync(join(coll, ns)).sort()) {
      const rolesDir = join(coll, ns, c, 'roles');
      if (!existsSync(rolesDir)) continue;
      for (const r of readdirSync(rolesDir).sort())
        roles.push({
          name: `${ns}.${c}.${r}`,
          dir: join(rolesDir, r),
          templates: templatesUnder(join(rolesDir, r, 'templates')),
        });
    }
  return roles.filter((r) => r.templates.length > 0);
}

const RENDER_HOSTS = ['deb1', 'rh1'];

/**
 * The tasks that render each template of a role, written into the role as tasks/compat_render.yml:
 * the role's own variable set-up first (tasks/variables.yml when the role has one, else its
 * vars/<os family>.yml), then one template task per file, errors ignored so that every template
 * is tried.
 */
function renderTasks(role: TemplateRole): string {
  const lines: string[] = ['---'];
  if (existsSync(join(role.dir, 'tasks/variables.yml'))) lines.push('- include_tasks: variables.yml');
  else if (existsSync(join(role.dir, 'vars/Debian.yml'))) lines.push('- include_vars: "{{ ansible_os_family }}.yml"');
  for (const t of role.templates)
    lines.push(
      `- name: render ${t}`,
      '  template:',
      `    src: ${t}`,
      `    dest: "{{ compat_out }}/{{ inventory_hostname }}/${role.name}/${t}"`,
      '  ignore_errors: true',
    );
  return `${lines.join('\n')}\n`;
}

const PLAYBOOK_TEMPLATES = 'templates';

function renderPlaybook(roles: TemplateRole[], playbookTemplates: string[]): string {
  const tasks = [
    ...roles.map((r) => `    - include_role:\n        name: ${r.name}\n        tasks_from: compat_render`),
    ...playbookTemplates.map(
      (t) =>
        `    - name: render ${t}\n      template:\n        src: ${PLAYBOOK_TEMPLATES}/${t}\n` +
        `        dest: "{{ compat_out }}/{{ inventory_hostname }}/playbook/${t}"\n      ignore_errors: true`,
    ),
  ];
  return `---\n- hosts: render\n  gather_facts: false\n  vars_files: [render/vars.yml]\n  tasks:\n${tasks.join('\n')}\n`;
}

export interface RenderCase {
  name: string;
  identical: boolean;
  ansible?: Buffer;
  lvsplay?: Buffer;
}

export interface RenderRun {
  cases: RenderCase[];
  ansible: ToolRun;
  lvsplay: ToolRun;
}

/**
 * Renders every template of the corpus with both tools on the controller (ansible_connection=local)
 * into two output trees of a temporary copy of the corpus, and compares them byte for byte.
 */
export async function compareRenders(): Promise<RenderRun> {
  const work = mkdtempSync(join(tmpdir(), 'lvsplay-compat-'));
  const corpus = join(work, 'corpus');
  cpSync(CORPUS, corpus, { recursive: true });
  const roles = templateRoles(corpus);
  for (const r of roles) writeFileSync(join(r.dir, 'tasks/compat_render.yml'), renderTasks(r));
  const pbTemplates = templatesUnder(join(corpus, PLAYBOOK_TEMPLATES));
  // ansible-playbook renders all in one run; lvsplay one run per role, so that a role it cannot
  // load costs that role's templates only (the listing cases already report load failures).
  writeFileSync(join(corpus, 'compat-render.yml'), renderPlaybook(roles, pbTemplates));
  const parts = [...roles.map((r) => renderPlaybook([r], [])), renderPlaybook([], pbTemplates)];
  parts.forEach((text, i) => writeFileSync(join(corpus, `compat-render-${i}.yml`), text));
  const outputs = { ansible: join(work, 'ansible'), lvsplay: join(work, 'lvsplay') };
  const names: string[] = [];
  for (const h of RENDER_HOSTS)
    for (const [dirName, files] of [
      ...roles.map((r) => [r.name, r.templates] as const),
      ['playbook', pbTemplates] as const,
    ]) {
      for (const out of Object.values(outputs)) mkdirSync(join(out, h, dirName), { recursive: true });
      for (const f of files) names.push(join(h, dirName, f));
    }
  const args = (out: string, playbook = 'compat-render.yml') => [
    playbook,
    '-i',
    'inventory/hosts.ini',
    '-i',
    'render/inventory.yml',
    '-e',
    `compat_out=${out}`,
  ];
  const [ansible, ...lvsplayRuns] = await bounded(
    [
      () => ansiblePlaybook(args(outputs.ansible), corpus),
      ...parts.map(
        (_, i) => () => lvsplayRun([...args(outputs.lvsplay, `compat-render-${i}.yml`), '--no-lint'], corpus),
      ),
    ],
    2,
  );
  const lvsplay: ToolRun = {
    code: Math.max(...lvsplayRuns.map((r) => r!.code)),
    out: lvsplayRuns.map((r) => r!.out).join(''),
    err: lvsplayRuns.map((r) => r!.err).join(''),
  };
  const read = (p: string) => (existsSync(p) ? readFileSync(p) : undefined);
  const cases = names.map((n) => {
    const a = read(join(outputs.ansible, n));
    const l = read(join(outputs.lvsplay, n));
    const [host, ...rest] = n.split('/');
    return {
      name: `render ${rest.join('/')} on ${host}`,
      identical: a !== undefined && l !== undefined && a.equals(l),
      ...(a ? { ansible: a } : {}),
      ...(l ? { lvsplay: l } : {}),
    };
  });
  return { cases, ansible: ansible!, lvsplay };
}

/** The names listed in known-differences.txt (one per line, # comments). */
export function knownDifferences(): string[] {
  const path = join(CORPUS, 'known-differences.txt');
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter(Boolean);
}
