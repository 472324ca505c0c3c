// apt_key: an OpenPGP key added to or removed from APT's keyring with apt-key, as ansible-core
// 2.14's apt_key does it (it needs apt-key and gpg on the host, as Ansible's does). Offline: the
// key comes from `data` (sent on stdin) or a `file` on the host; `url` and `keyserver` need a
// network and are not implemented. The probe lists the keyring's keys and, without `id`, reads
// the key's id with `gpg --with-colons`; the pure plan compares (8-character ids against short
// ids, longer ones against the 16-character ids) and the step adds or deletes, then lists again
// and fails if the key is not where it should be, as Ansible checks.
import type { z } from 'zod';
import type { Revealed } from '../secret.js';
import { sh, type ShellCommand } from '../transport/quote.js';
import type { ExecResult } from '../transport/types.js';
import { choice, moduleArgs, str } from './args.js';
import type { PlanOutcome, Probe, StateModule } from './runtime.js';

const aptKeyArgs = moduleArgs({
  id: str().optional(),
  data: str().optional(),
  file: str().optional(),
  keyring: str().optional(),
  state: choice('present', 'absent').optional(),
}).superRefine((a, ctx) => {
  if (a.data !== undefined && a.file !== undefined)
    ctx.addIssue({ code: 'custom', path: ['file'], message: 'parameters are mutually exclusive: data|file' });
});

export type AptKeyArgs = Revealed<z.output<typeof aptKeyArgs>>;

export interface AptKeyState {
  tools: boolean;
  missing: string[];
  listed: boolean;
  /** The `apt-key adv --list-public-keys --keyid-format=long` output. */
  listing: string;
  /** `gpg --with-colons` of the key given, when no id is. */
  keyOutput?: string;
  keyRc?: number;
}

/** parse_output_for_keys: the ids of the pub/sub lines that are not expired. */
export function keysIn(output: string, short = false): string[] {
  const found: string[] = [];
  for (const line of output.split('\n')) {
    if (!(line.startsWith('pub') || line.startsWith('sub')) || line.includes('expired')) continue;
    const tokens = line.split(/\s+/).filter(Boolean);
    const slash = tokens[1]?.split('/');
    if (slash?.length === 2) found.push(slash[1]!);
    else {
      const colons = line.split(':');
      if (colons.length > 4) found.push(colons[4]!);
    }
  }
  return short ? found.map((k) => k.slice(-8)) : found;
}

/** parse_key_id: the id for apt-key del, the one to compare, the whole id; or why it is invalid. */
export function parseKeyId(id: string): { short: string; fp: string; keyId: string } | undefined {
  let k = id.toUpperCase();
  if (k.startsWith('0X')) k = k.slice(2);
  if (!/^[0-9A-F]+$/.test(k)) return undefined;
  if (k.length !== 8 && k.length !== 16 && k.length <= 16) return undefined;
  return { short: k.slice(-8), fp: k.length > 16 ? k.slice(-16) : k, keyId: k };
}

const ring = (a: AptKeyArgs) => (a.keyring !== undefined ? ['--keyring', a.keyring] : []);

function listCmd(a: AptKeyArgs): ShellCommand {
  return sh`LC_ALL=C apt-key ${ring(a)} adv --list-public-keys --keyid-format=long 2>/dev/null`;
}

function probeAptKey(a: AptKeyArgs): Probe<AptKeyState> {
  const keyRead =
    a.id !== undefined
      ? sh`:`
      : a.file !== undefined
        ? sh`out=$(LC_ALL=C gpg --with-colons ${a.file} 2>/dev/null); echo keyrc=$?; printf '%s\n' "$out" | sed 's/^/key:/'`
        : sh`out=$(LC_ALL=C gpg --with-colons - 2>/dev/null); echo keyrc=$?; printf '%s\n' "$out" | sed 's/^/key:/'`;
  return {
    cmd: sh`for b in apt-key gpg; do command -v $b >/dev/null 2>&1 || echo missing=$b; done
if command -v apt-key >/dev/null 2>&1 && command -v gpg >/dev/null 2>&1; then
  ${keyRead}
  out=$(${listCmd(a)}) && echo listed=1
  printf '%s\n' "$out" | sed 's/^/list:/'
fi`,
    ...(a.id === undefined && a.data !== undefined ? { stdin: a.data } : {}),
    parse: (r: ExecResult) => parseAptKey(r.stdout),
  };
}

export function parseAptKey(stdout: string): AptKeyState {
  const lines = stdout.split('\n');
  const pick = (p: string) =>
    lines
      .filter((l) => l.startsWith(p))
      .map((l) => l.slice(p.length))
      .join('\n');
  const missing = lines.filter((l) => l.startsWith('missing=')).map((l) => l.slice(8));
  const rc = /^keyrc=(\d+)$/m.exec(stdout)?.[1];
  return {
    tools: missing.length === 0,
    missing,
    listed: /^listed=1$/m.test(stdout),
    listing: pick('list:'),
    ...(rc !== undefined ? { keyOutput: pick('key:'), keyRc: Number(rc) } : {}),
  };
}

function planAptKey(a: AptKeyArgs, s: AptKeyState): PlanOutcome {
  if (!s.tools)
    return {
      failed: `Failed to find required executable "${s.missing[0]}" in paths: apt_key needs apt-key and gpg on the host`,
    };
  let id = a.id;
  if (id === undefined) {
    if (a.data === undefined && a.file === undefined) return { failed: 'Invalid key_id' };
    if (s.keyRc !== 0)
      return { failed: `Unable to extract key from '${a.data !== undefined ? 'inline data' : a.file}'` };
    id = keysIn(s.keyOutput ?? '')[0];
  }
  const data: Record<string, unknown> = { id: id ?? null };
  const parsed = id !== undefined ? parseKeyId(id) : undefined;
  if (!parsed) return { failed: 'Invalid key_id', data };
  Object.assign(data, { short_id: parsed.short, fp: parsed.fp, key_id: parsed.keyId });
  if (!s.listed) return { failed: 'Unable to list public keys', data };
  const short = parsed.keyId.length === 8;
  const keys = keysIn(s.listing, short);
  data.before = keys;
  const has = keys.includes(short ? parsed.short : parsed.fp);
  const listed = (id: string) => sh`${listCmd(a)} | grep -E -q -- ${`^(pub|sub) +[^ ]*/${id} `}`;
  if ((a.state ?? 'present') === 'present') {
    if (has) return { changes: [], data };
    if (a.data === undefined && a.file === undefined)
      return { failed: 'a key to add needs data or file here (url and keyserver need a network)', data };
    const add = a.file !== undefined ? sh`apt-key ${ring(a)} add ${a.file}` : sh`apt-key ${ring(a)} add -`;
    return {
      changes: [
        {
          summary: `add key ${parsed.keyId}${a.keyring !== undefined ? ` to ${a.keyring}` : ''}`,
          steps: [
            {
              run: sh`${add} >/dev/null || exit 1
${listed(short ? `[0-9A-F]*${parsed.short}` : parsed.fp)} || { echo ${`apt-key did not return an error, but failed to add the key (check that the id is correct and *not* a subkey)`} >&2; exit 1; }`,
              ...(a.file === undefined ? { stdin: a.data! } : {}),
            },
          ],
        },
      ],
      data,
    };
  }
  if (!keys.includes(parsed.fp)) return { changes: [], data };
  return {
    changes: [
      {
        summary: `remove key ${parsed.keyId}${a.keyring !== undefined ? ` from ${a.keyring}` : ''}`,
        steps: [
          {
            run: sh`apt-key ${ring(a)} del ${parsed.short} >/dev/null || exit 1
if ${listed(parsed.fp)}; then echo 'apt-key did not return an error, but the key was not removed (check that the id is correct and *not* a subkey)' >&2; exit 1; fi`,
          },
        ],
      },
    ],
    data,
  };
}

export const aptKeyModule: StateModule<z.output<typeof aptKeyArgs>, AptKeyState> = {
  name: 'apt_key',
  aliases: ['ansible.builtin.apt_key'],
  exec: 'state',
  args: aptKeyArgs,
  probe: probeAptKey,
  plan: planAptKey,
};
