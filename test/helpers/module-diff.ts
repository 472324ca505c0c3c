// Differential harness for file-editing modules: the same input files and arguments handed to
// ansible-playbook 2.14 (ansible_connection=local, files only under a fresh temporary directory)
// and to lvsplay's module (its real probe run by /bin/sh on the same kind of file, then its pure
// plan); the resulting bytes, the changed flag, failure and diff are compared case by case.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StateModule } from '../../src/modules/runtime.js';
import type { ModuleContext } from '../../src/modules/runtime.js';
import { LocalTransport } from '../../src/transport/local.js';

export interface FileCase {
  name: string;
  /** The file's content before the task; undefined: no file. */
  content?: string | Buffer;
  /** The module's arguments; the path argument is added. */
  args: Record<string, unknown>;
  /** Why a failure's message may differ from Ansible's (its text is then not compared). */
  msgDiffers?: string;
}

export interface Outcome {
  /** The file afterwards (undefined: absent). */
  content?: Buffer;
  changed: boolean;
  failed: boolean;
  msg?: string;
  /** before/after of the content diff, when the tool gives one. */
  diff?: { before: string; after: string };
}

interface AnsibleTaskResult {
  changed?: boolean;
  failed?: boolean;
  msg?: string;
  diff?: { before?: string; after?: string } | Array<{ before?: string; after?: string }>;
}

/** Runs every case as one task of one playbook under ansible-playbook (json callback, --diff). */
export async function ansibleOutcomes(
  module: string,
  cases: readonly FileCase[],
  pathArg = 'path',
): Promise<Outcome[]> {
  const dir = mkdtempSync(join(tmpdir(), 'lvsplay-moddiff-'));
  try {
    const files = cases.map((c, i) => {
      const sub = join(dir, `case${i}`);
      mkdirSync(sub);
      const f = join(sub, 'target');
      if (c.content !== undefined) writeFileSync(f, c.content);
      return f;
    });
    const play = [
      {
        hosts: 'localhost',
        gather_facts: false,
        tasks: cases.map((c, i) => ({
          name: `case ${i}`,
          [module]: { ...c.args, [pathArg]: files[i] },
          ignore_errors: true,
        })),
      },
    ];
    writeFileSync(join(dir, 'play.yml'), JSON.stringify(play));
    const out = await new Promise<string>((done, fail) => {
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        ANSIBLE_STDOUT_CALLBACK: 'json',
        ANSIBLE_NOCOLOR: '1',
        ANSIBLE_RETRY_FILES_ENABLED: '0',
        ANSIBLE_LOCALHOST_WARNING: '0',
      };
      delete env.ANSIBLE_CONFIG;
      execFile(
        'ansible-playbook',
        ['-i', 'localhost,', '-c', 'local', '-e', 'ansible_python_interpreter=/usr/bin/python3', '--diff', 'play.yml'],
        { cwd: dir, env, encoding: 'utf8', maxBuffer: 64 << 20 },
        (error, stdout, stderr) => {
          if (!stdout.trim().startsWith('{')) fail(new Error(`ansible-playbook failed: ${String(error)} ${stderr}`));
          else done(stdout);
        },
      );
    });
    const report = JSON.parse(out) as { plays: Array<{ tasks: Array<{ hosts: Record<string, AnsibleTaskResult> }> }> };
    return report.plays[0]!.tasks.map((t, i): Outcome => {
      const r = t.hosts.localhost!;
      const d = Array.isArray(r.diff) ? r.diff.find((x) => x.before !== undefined || x.after !== undefined) : r.diff;
      return {
        ...(existsSync(files[i]!) ? { content: readFileSync(files[i]!) } : {}),
        changed: r.changed === true,
        failed: r.failed === true,
        ...(r.msg !== undefined ? { msg: r.msg.replaceAll(files[i]!, '<path>') } : {}),
        ...(d && (d.before !== undefined || d.after !== undefined)
          ? { diff: { before: d.before ?? '', after: d.after ?? '' } }
          : {}),
      };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const ctx = (): ModuleContext =>
  ({ host: 'localhost', vars: {}, check: false, diff: true, findFile: () => undefined }) as unknown as ModuleContext;

/**
 * lvsplay's side: the module's probe run by /bin/sh on a copy of the input, its pure plan, and
 * the plan's write applied to the copy (the bytes a real run would put).
 */
export async function lvsplayOutcome(m: StateModule, c: FileCase, pathArg = 'path'): Promise<Outcome> {
  const dir = mkdtempSync(join(tmpdir(), 'lvsplay-moddiff-'));
  try {
    const f = join(dir, 'target');
    if (c.content !== undefined) writeFileSync(f, c.content);
    const args: unknown = m.args.parse({ ...c.args, [pathArg]: f });
    const probe = m.probe(args, ctx());
    const state: unknown = probe ? probe.parse(await new LocalTransport('localhost').run(probe.cmd)) : undefined;
    const plan = m.plan(args, state, ctx());
    if ('failed' in plan)
      return {
        ...(c.content !== undefined ? { content: readFileSync(f) } : {}),
        changed: false,
        failed: true,
        msg: plan.failed.replaceAll(f, '<path>'),
      };
    let content = c.content !== undefined ? readFileSync(f) : undefined;
    let diff: Outcome['diff'];
    for (const ch of plan.changes) {
      if (ch.diff && !diff && ch.steps.some((s) => 'put' in s)) diff = { before: ch.diff.before, after: ch.diff.after };
      for (const s of ch.steps) if ('put' in s) content = Buffer.from(s.put.content);
    }
    return {
      ...(content !== undefined ? { content } : {}),
      changed: plan.changes.length > 0,
      failed: false,
      ...(plan.msg !== undefined ? { msg: plan.msg } : {}),
      ...(diff ? { diff } : {}),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
