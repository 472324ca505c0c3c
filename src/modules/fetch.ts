// fetch: a file of the host copied to the controller, under dest/<host>/<src path> or, with
// `flat`, to dest itself. The host's file is read with the file probe (base64 content); the
// pure planFetch compares it with the controller's copy and names the write; the write is the
// only step, made on the controller, and skipped in check mode (which reports the prediction).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize, posix } from 'node:path';
import type { z } from 'zod';
import { bool, moduleArgs, str } from './args.js';
import { probeFiles, type FileInfo } from './fileinfo.js';
import type { ActionResult, HostActionModule } from './runtime.js';

const fetchArgs = moduleArgs({
  src: str(),
  dest: str(),
  flat: bool().optional(),
  fail_on_missing: bool().optional(),
  validate_checksum: bool().optional(),
});

type FetchArgs = z.output<typeof fetchArgs>;

export type FetchPlan =
  | { failed: string; data?: Record<string, unknown> }
  | { ok: true; data: Record<string, unknown>; msg?: string }
  | { dest: string; content: Buffer; data: Record<string, unknown> };

const sum = (algo: string, b: Buffer) => createHash(algo).update(b).digest('hex');

/** Where Ansible puts the fetched file: `base` is the playbook's directory, for a relative dest. */
export function fetchDest(a: { src: string; dest: string; flat?: boolean | undefined }, host: string, base: string) {
  const dest = isAbsolute(a.dest) ? a.dest : join(base, a.dest);
  if (a.flat) return a.dest.endsWith('/') ? join(dest, posix.basename(a.src)) : dest;
  return normalize(join(dest, host, posix.normalize(a.src).replace(/^\/+/, '')));
}

/** What fetching `remote` into `dest` (holding `local`, or nothing) does, as Ansible reports it. */
export function planFetch(a: FetchArgs, remote: FileInfo, dest: string, local: Buffer | undefined): FetchPlan {
  if (!remote.exists) {
    const data = { file: a.src, changed: false };
    const msg = 'the remote file does not exist, not transferring, ignored';
    return a.fail_on_missing === false ? { ok: true, data, msg } : { failed: msg, data };
  }
  if (remote.type === 'directory')
    return { failed: 'remote file is a directory, fetch cannot work on directories', data: { file: a.src } };
  if (remote.content === undefined) return { failed: `file is not readable: ${a.src}`, data: { file: a.src } };
  const checksum = sum('sha1', remote.content);
  const data = { file: a.src, dest, checksum, md5sum: sum('md5', remote.content), remote_checksum: checksum };
  if (local?.equals(remote.content)) return { ok: true, data };
  return { dest, content: remote.content, data: { ...data, remote_md5sum: null } };
}

export const fetchModule: HostActionModule<FetchArgs> = {
  name: 'fetch',
  aliases: ['ansible.builtin.fetch'],
  exec: 'action',
  args: fetchArgs,
  async run(a, ctx): Promise<ActionResult> {
    const probe = probeFiles([{ path: a.src, what: { follow: true, content: true } }]);
    const read = await ctx.transport!.run(probe.cmd, ctx.runOpts);
    const remote = probe.parse(read).files[0]!;
    const base = String(ctx.vars.playbook_dir ?? process.cwd());
    const dest = fetchDest(a, String(ctx.vars.inventory_hostname ?? ctx.host), base);
    if (existsSync(dest) && statSync(dest).isDirectory())
      return {
        status: 'failed',
        changes: [],
        warnings: [],
        msg: `dest ${dest} is an existing directory; use flat: no or a file name`,
      };
    const local = existsSync(dest) ? readFileSync(dest) : undefined;
    const plan = planFetch(a, remote, dest, local);
    if ('failed' in plan)
      return {
        status: 'failed',
        changes: [],
        warnings: [],
        msg: plan.failed,
        ...(plan.data ? { data: plan.data } : {}),
      };
    if ('ok' in plan)
      return { status: 'ok', changes: [], warnings: [], data: plan.data, ...(plan.msg ? { msg: plan.msg } : {}) };
    if (!ctx.check) {
      mkdirSync(dirname(plan.dest), { recursive: true });
      writeFileSync(plan.dest, plan.content);
    }
    return {
      status: 'changed',
      changes: [{ summary: `${local ? 'update' : 'create'} ${plan.dest} (controller) from ${a.src}` }],
      warnings: [],
      data: plan.data,
    };
  },
};
