// get_url: a URL (http, https, ftp, file) downloaded by the host itself into `dest`, as
// ansible-core 2.14's get_url decides it. Three round trips, each read by a pure function:
// 1. the probe reads dest (type, sha1, the `checksum` algorithm's digest) and which downloader
//    the host has (curl, else python3, else wget); `planGetUrl` decides whether to download
//    (force=no and a checksum that matches: no download, as Ansible; force=no and no checksum:
//    a conditional request, If-Modified-Since dest's mtime, as Ansible's fetch_url sends);
// 2. the download into a temp file beside dest prints the status, the headers' file name and
//    length, and the digests; `judgeDownload` compares them with dest;
// 3. the temp file renamed over dest with owner/group/mode (or removed, and in check mode
//    always removed: nothing else is touched).
// A password (url_password) and the headers reach the downloader on its stdin, never on a
// command line, and never in the result.
import { posix } from 'node:path';
import type { z } from 'zod';
import type { Revealed } from '../secret.js';
import { raw, sh, type ShellCommand } from '../transport/quote.js';
import type { ExecResult } from '../transport/types.js';
import { bool, dict, int, moduleArgs, str } from './args.js';
import { fileAttrs } from './file-attrs.js';
import { octal, planAttrs, probeFiles, type FileInfo } from './fileinfo.js';
import type { ActionResult, Change, HostActionModule } from './runtime.js';

const getUrlArgs = moduleArgs(
  {
    url: str(),
    dest: str(),
    checksum: str().optional(),
    force: bool().optional(),
    backup: bool().optional(),
    timeout: int().optional(),
    headers: dict().optional(),
    url_username: str().optional(),
    url_password: str().optional(),
    force_basic_auth: bool().optional(),
    ...fileAttrs,
  },
  { username: 'url_username', password: 'url_password', thirsty: 'force' },
);

export type GetUrlArgs = Revealed<z.output<typeof getUrlArgs>>;

const ALGOS: Record<string, string> = {
  md5: 'md5sum',
  sha1: 'sha1sum',
  sha224: 'sha224sum',
  sha256: 'sha256sum',
  sha384: 'sha384sum',
  sha512: 'sha512sum',
};

/** `algo:hex` as Ansible reads it: non-word characters dropped, lower case, hex required. */
export function parseChecksum(c: string | undefined): { algo: string; hex: string } | { failed: string } | undefined {
  if (!c) return undefined;
  const colon = c.indexOf(':');
  if (colon < 0) return { failed: 'The checksum parameter has to be in format <algorithm>:<checksum>' };
  const algo = c.slice(0, colon);
  const hex = c
    .slice(colon + 1)
    .replace(/\W+/g, '')
    .toLowerCase();
  if (/^(https?|ftp|file):/.test(c.slice(colon + 1)))
    return { failed: 'a checksum given as a URL is not supported here; give algo:hex' };
  if (!/^[0-9a-f]+$/.test(hex)) return { failed: 'The checksum format is invalid' };
  if (!ALGOS[algo])
    return {
      failed: `Could not hash file with algorithm '${algo}'. Available algorithms: ${Object.keys(ALGOS).join(', ')}`,
    };
  return { algo, hex };
}

/** The name Ansible gives a download into a directory: the URL path's basename, or index.html. */
export function urlFilename(url: string): string {
  const path = url.replace(/^[a-z]+:\/\/[^/]*/i, '').replace(/[?#].*$/, '');
  return posix.basename(path) || 'index.html';
}

export interface DestState {
  dest: FileInfo;
  /** dest's digest with the checksum's algorithm. */
  digest?: string;
  umask: number;
  downloader?: 'curl' | 'python3' | 'wget';
}

export type FirstStep =
  | { failed: string }
  | { done: { msg: string; data: Record<string, unknown>; attrs?: Change } }
  | { download: { conditional: boolean; dir: string } };

/** Before downloading: Ansible's early exits and whether the request is conditional. */
export function planGetUrl(a: GetUrlArgs, s: DestState): FirstStep {
  const data = { changed: false, checksum_dest: null, checksum_src: null, dest: a.dest, elapsed: 0, url: a.url };
  const sum = parseChecksum(a.checksum);
  if (sum && 'failed' in sum) return { failed: sum.failed };
  const isDir = s.dest.type === 'directory';
  if (!s.downloader)
    return { failed: 'neither curl, python3 nor wget is on the host: install one of them to download with get_url' };
  if (s.downloader === 'wget' && (a.headers !== undefined || a.url_username !== undefined))
    return {
      failed:
        'headers and url_username/url_password need curl or python3 on the host (wget would put them on its command line)',
    };
  if (!isDir && s.dest.exists && !a.force && sum && s.digest === sum.hex) {
    const attrs = planAttrs(s.dest, { owner: a.owner, group: a.group, mode: a.mode });
    const msg = attrs ? 'file already exists but file attributes changed' : 'file already exists';
    return { done: { msg, data: { ...data, msg, changed: attrs !== undefined }, ...(attrs ? { attrs } : {}) } };
  }
  return {
    download: {
      conditional: !isDir && s.dest.exists && !a.force && !(sum && s.digest !== sum.hex),
      dir: isDir ? a.dest : posix.dirname(a.dest),
    },
  };
}

/** curl's config (read from stdin): quoting as curl's config parser reads a double-quoted value. */
function curlConfig(a: GetUrlArgs): string {
  const q = (v: string) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  const lines: string[] = [];
  if (a.url_username !== undefined) lines.push(`user = ${q(`${a.url_username}:${a.url_password ?? ''}`)}`);
  for (const [k, v] of Object.entries(a.headers ?? {})) lines.push(`header = ${q(`${k}: ${String(v)}`)}`);
  return lines.join('\n') + '\n';
}

// urllib as Ansible's own fetch_url uses it; argv: url timeout out headers-file [if-modified-since file].
const PY = `import sys, json, os, base64, email.utils, urllib.request as u
url, timeout, out, hd = sys.argv[1:5]
cfg = json.loads(sys.stdin.read() or '{}')
req = u.Request(url, headers=cfg.get('headers') or {})
if cfg.get('user') is not None:
    req.add_header('Authorization', 'Basic ' + base64.b64encode((cfg['user'] + ':' + (cfg.get('password') or '')).encode()).decode())
if len(sys.argv) > 5:
    req.add_header('If-Modified-Since', email.utils.formatdate(os.path.getmtime(sys.argv[5]), usegmt=True))
try:
    r = u.urlopen(req, timeout=int(timeout)); code = r.getcode() or 200; body = r.read(); hdrs = r.headers
except u.HTTPError as e:
    code = e.code; body = b''; hdrs = e.headers
except Exception as e:
    sys.stderr.write(str(e)); sys.exit(7)
open(out, 'wb').write(body)
open(hd, 'w').write(''.join('%s: %s\\n' % kv for kv in hdrs.items()))
print('status=%d' % code)
`;

/** The download into a temp file in `dir`, printing what `judgeDownload` reads. */
export function downloadCmd(a: GetUrlArgs, s: DestState, conditional: boolean, dir: string): ShellCommand {
  const timeout = a.timeout ?? 10;
  const ims = conditional ? [a.dest] : [];
  const algo = parseChecksum(a.checksum);
  const digest = algo && !('failed' in algo) ? raw(ALGOS[algo.algo]!) : raw('true');
  const fetch =
    s.downloader === 'curl'
      ? sh`curl -sS -L --max-time ${timeout} -o "$t" -D "$h" -w 'status=%{http_code}\n' -K - ${ims.length ? ['-z', ...ims] : []} -- ${a.url}`
      : s.downloader === 'python3'
        ? sh`python3 -c ${PY} ${a.url} ${timeout} "$t" "$h" ${ims}`
        : sh`wget -q -S -T ${timeout} -O "$t" -- ${a.url} 2>"$h"; r=$?; printf 'status=%s\n' "$(sed -n 's/^ *HTTP\/[0-9.]* \([0-9]*\).*/\1/p' "$h" | tail -n 1)"; (exit $r)`;
  return sh`d=${dir}
[ -d "$d" ] || { echo nodir=1; exit 0; }
t=$(mktemp "$d/.get_url.XXXXXX") && h=$(mktemp) || exit 1
trap 'rm -f "$h"' EXIT
${fetch}
echo rc=$?
echo tmp=$(printf %s "$t" | base64 -w0)
printf 'sha1='; sha1sum < "$t"
printf 'md5='; md5sum < "$t"
printf 'digest='; ${digest} < "$t"; echo
echo headers=$(tr -d '\\r' < "$h" | grep -i -E '^(content-disposition|content-length):' | base64 -w0)`;
}

export interface Download {
  nodir: boolean;
  rc: number;
  status?: number;
  tmp?: string;
  sha1?: string;
  digest?: string;
  md5?: string;
  filename?: string;
  length?: string;
  stderr: string;
}

export function parseDownload(r: ExecResult): Download {
  const kv = new Map<string, string>();
  for (const l of r.stdout.split('\n')) {
    const eq = l.indexOf('=');
    if (eq > 0) kv.set(l.slice(0, eq), l.slice(eq + 1));
  }
  const headers = Buffer.from(kv.get('headers') ?? '', 'base64').toString('utf8');
  const disp = /^content-disposition:\s*attachment; ?filename="?([^"\n]+)/im.exec(headers)?.[1];
  const length = [...headers.matchAll(/^content-length:\s*(\d+)/gim)].at(-1)?.[1];
  const status = kv.get('status');
  return {
    nodir: kv.has('nodir'),
    rc: Number(kv.get('rc') ?? -1),
    ...(status && /^\d+$/.test(status) ? { status: Number(status) } : {}),
    ...(kv.has('tmp') ? { tmp: Buffer.from(kv.get('tmp')!, 'base64').toString('utf8') } : {}),
    ...(kv.get('sha1') ? { sha1: kv.get('sha1')!.split(' ')[0]! } : {}),
    ...(kv.get('digest') ? { digest: kv.get('digest')!.split(' ')[0]! } : {}),
    ...(kv.get('md5') ? { md5: kv.get('md5')!.split(' ')[0]! } : {}),
    ...(disp ? { filename: posix.basename(disp) } : {}),
    ...(length ? { length } : {}),
    stderr: r.stderr.trim(),
  };
}

export type Judgement =
  | { failed: string; data: Record<string, unknown>; removeTarget?: string | undefined }
  | { unchanged: true; msg: string; data: Record<string, unknown> }
  | { target: string; replace: boolean; data: Record<string, unknown> };

/** After the download: Ansible's failures and the write it makes (checksum_src vs checksum_dest). */
export function judgeDownload(a: GetUrlArgs, s: DestState, d: Download, destInDir?: FileInfo): Judgement {
  const isDir = s.dest.type === 'directory';
  const base = { checksum_dest: null, checksum_src: null, dest: a.dest, url: a.url };
  if (d.nodir) return { failed: `Destination ${posix.dirname(a.dest)} does not exist`, data: base };
  const file = /^file:/i.test(a.url);
  const msg = `OK (${d.length ?? 'unknown'} bytes)`;
  if (d.status === 304)
    return {
      unchanged: true,
      msg: 'HTTP Error 304: Not Modified',
      data: { dest: a.dest, url: a.url, status_code: 304 },
    };
  if (d.rc !== 0 || (!file && d.status !== 200 && !(d.status === 0 && /^ftp:/i.test(a.url)))) {
    const why = d.rc !== 0 ? d.stderr || `the download failed (exit ${d.rc})` : `Request failed`;
    return { failed: why, data: { ...base, ...(d.status ? { status_code: d.status } : {}) } };
  }
  const target = isDir ? posix.join(a.dest, d.filename ?? urlFilename(a.url)) : a.dest;
  const current = isDir ? destInDir : s.dest;
  const data: Record<string, unknown> = {
    ...base,
    dest: target,
    checksum_src: d.sha1 ?? null,
    checksum_dest: current?.exists ? (current.checksum ?? null) : null,
    msg,
    status_code: file ? null : d.status,
  };
  const sum = parseChecksum(a.checksum);
  // Ansible moves the download over dest before it verifies it, then removes dest: what was
  // there is gone, and the task says changed when the download differed from it.
  if (sum && !('failed' in sum) && d.digest !== sum.hex)
    return {
      failed: `The checksum for ${target} did not match ${sum.hex}; it was ${d.digest}.`,
      data: { ...data, changed: data.checksum_src !== data.checksum_dest },
      removeTarget: current?.exists ? target : undefined,
    };
  return { target, replace: data.checksum_src !== data.checksum_dest, data };
}

function failed(msg: string, data?: Record<string, unknown>): ActionResult {
  return { status: 'failed', changes: [], warnings: [], msg, ...(data ? { data } : {}) };
}

export const getUrlModule: HostActionModule<z.output<typeof getUrlArgs>> = {
  name: 'get_url',
  aliases: ['ansible.builtin.get_url'],
  exec: 'action',
  args: getUrlArgs,
  async run(a, ctx): Promise<ActionResult> {
    const t = ctx.transport!;
    const sum = parseChecksum(a.checksum);
    const algo = sum && !('failed' in sum) ? ALGOS[sum.algo]! : undefined;
    const probe = probeFiles([{ path: a.dest, what: { follow: true, checksum: 'sha1sum' } }]);
    const extra = sh`for c in curl python3 wget; do command -v $c >/dev/null 2>&1 && { echo downloader=$c; break; }; done
${algo ? sh`[ -f ${a.dest} ] && { printf 'digest='; ${raw(algo)} < ${a.dest}; }` : sh`:`}`;
    const read = await t.run(
      sh`${probe.cmd}
${extra}`,
      ctx.runOpts,
    );
    const probed = probe.parse(read);
    const state: DestState = {
      dest: probed.files[0]!,
      umask: probed.umask,
      ...(/^downloader=(\S+)$/m.test(read.stdout)
        ? { downloader: /^downloader=(\S+)$/m.exec(read.stdout)![1] as DestState['downloader'] }
        : {}),
      ...(/^digest=(\S+)/m.test(read.stdout) ? { digest: /^digest=(\S+)/m.exec(read.stdout)![1]! } : {}),
    };
    const first = planGetUrl(a, state);
    if ('failed' in first) return failed(first.failed, { dest: a.dest, url: a.url });
    if ('done' in first) {
      const { attrs, msg, data } = first.done;
      if (attrs && !ctx.check) {
        const fix = await applyRuns(t, attrs.steps, ctx.runOpts);
        if (fix) return failed(fix);
      }
      const changes = attrs ? [{ summary: attrs.summary, ...(attrs.diff ? { diff: attrs.diff } : {}) }] : [];
      return { status: attrs ? 'changed' : 'ok', changes, warnings: [], msg, data };
    }
    const { conditional, dir } = first.download;
    const cmd = downloadCmd(a, state, conditional, dir);
    const stdin =
      state.downloader === 'curl'
        ? curlConfig(a)
        : JSON.stringify({ headers: a.headers ?? {}, user: a.url_username ?? null, password: a.url_password ?? null });
    const dl = parseDownload(await t.run(cmd, { ...ctx.runOpts, stdin }));
    // A file already in a directory dest is read for its checksum only when the name is known.
    let inDir: FileInfo | undefined;
    if (state.dest.type === 'directory') {
      const p = probeFiles([
        { path: posix.join(a.dest, dl.filename ?? urlFilename(a.url)), what: { checksum: 'sha1sum' } },
      ]);
      inDir = p.parse(await t.run(p.cmd, ctx.runOpts)).files[0];
    }
    const j = judgeDownload(a, state, dl, inDir);
    const tmp = dl.tmp;
    const drop = async () => {
      if (tmp) await t.run(sh`rm -f -- ${tmp}`, ctx.runOpts);
    };
    if ('failed' in j) {
      await drop();
      if (j.removeTarget && !ctx.check) await t.run(sh`rm -f -- ${j.removeTarget}`, ctx.runOpts);
      return failed(j.failed, j.data);
    }
    if ('unchanged' in j) {
      await drop();
      return { status: 'ok', changes: [], warnings: [], msg: j.msg, data: { ...j.data, msg: j.msg } };
    }
    const current = inDir ?? state.dest;
    const changes: Change[] = [];
    if (j.replace) {
      // Ansible's atomic_move keeps an existing dest's mode and owner; a new file gets 0666 & ~umask.
      const keep = current.exists
        ? sh`chmod --reference=${j.target} "$t" && chown --reference=${j.target} "$t" 2>/dev/null; :`
        : sh`chmod ${octal(0o666 & ~state.umask)} "$t"`;
      changes.push({
        summary: `${current.exists ? 'update' : 'create'} ${j.target} from ${a.url}`,
        steps: [
          {
            run: sh`t=${tmp ?? ''}
${a.backup && current.exists ? sh`cp -p -- ${j.target} ${`${j.target}.${Date.now()}~`} && ` : sh``}${keep} && mv -f -- "$t" ${j.target}`,
          },
        ],
      });
      const after: FileInfo = current.exists
        ? current
        : { ...current, exists: true, type: 'file', mode: 0o666 & ~state.umask };
      const attrs = planAttrs({ ...after, path: j.target }, { owner: a.owner, group: a.group, mode: a.mode });
      if (attrs) changes.push(attrs);
    } else {
      const attrs = planAttrs({ ...current, path: j.target }, { owner: a.owner, group: a.group, mode: a.mode });
      if (attrs) changes.push(attrs);
    }
    if (ctx.check || !j.replace) await drop();
    if (!ctx.check) {
      const fix = await applyRuns(
        t,
        changes.flatMap((c) => c.steps),
        ctx.runOpts,
      );
      if (fix) {
        await drop();
        return failed(fix, j.data);
      }
    }
    const data: Record<string, unknown> = { ...j.data, changed: changes.length > 0 };
    if (!ctx.check) data.md5sum = dl.md5 ?? null;
    return {
      status: changes.length ? 'changed' : 'ok',
      changes: changes.map(({ summary, diff }) => (diff ? { summary, diff } : { summary })),
      warnings: [],
      msg: String(j.data.msg ?? ''),
      data,
    };
  },
};

async function applyRuns(
  t: NonNullable<Parameters<HostActionModule['run']>[1]['transport']>,
  steps: Change['steps'],
  opts: Parameters<HostActionModule['run']>[1]['runOpts'],
): Promise<string | undefined> {
  for (const s of steps) {
    if (!('run' in s)) continue;
    const r = await t.run(s.run, opts);
    if (r.code !== 0) return `command failed (rc=${r.code}): ${s.run.redacted}: ${r.stderr.trim()}`;
  }
  return undefined;
}
