#!/usr/bin/env node
// Regenerates src/lint/keepalived/values.json: which kinds of value each keyword of each keepalived
// release takes, read from the daemon itself. Every keyword of keywords.json is written, in its
// block of a valid director config (test/helpers/keepalived-variants.ts), once with each probe
// value below; `keepalived -t`'s exit status says whether the release takes it. Where the daemon
// names the range it wanted ("outside range [1, 255]"), the range is kept too.
//
// Usage (after scripts/keepalived-binaries.sh): node scripts/keepalived-values.mjs [CACHE]
// Runs the daemons unprivileged (unshare -r -n), one namespace per release.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import process from 'node:process';
import { build } from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const PROBES = [
  '',
  'true',
  '-1',
  '0',
  '1',
  '3',
  '256',
  '65536',
  '4294967296',
  '99999999999999999999',
  '1.5',
  'abc',
  '192.168.200.1',
  '/usr/sbin/keepalived',
];
const RELEASES = { 2.2: 'bookworm', 2.3: 'trixie' };

const tmp = mkdtempSync(join(ROOT, '.values-'));
try {
  const bundle = join(tmp, 'variants.mjs');
  await build({
    entryPoints: [join(ROOT, 'test/helpers/keepalived-variants.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: bundle,
    logLevel: 'warning',
    packages: 'external',
  });
  const { config, BLOCK_KEYWORDS, inBlock } = await import(bundle);
  const cache =
    process.argv[2] ?? execFileSync(join(ROOT, 'scripts/keepalived-binaries.sh'), { encoding: 'utf8' }).trim();
  const tables = JSON.parse(readFileSync(join(ROOT, 'src/lint/keepalived/keywords.json'), 'utf8'));
  const out = {};
  await Promise.all(
    Object.entries(RELEASES).map(async ([version, codename]) => {
      const root = join(cache, codename, 'root');
      const dir = join(root, 'values-probe');
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir);
      const jobs = [];
      for (const [block, kws] of Object.entries(tables[version])) {
        if (block === 'top') continue;
        for (const kw of kws) {
          if (BLOCK_KEYWORDS.has(kw)) continue;
          PROBES.forEach((p, i) => {
            const name = `p${jobs.length}.conf`;
            writeFileSync(join(dir, name), config(inBlock(block, [`${kw} ${p}`.trim()])));
            jobs.push({ block, kw, i, name });
          });
        }
      }
      const script = [
        'ip link add eth0 type veth peer name eth1; ip link set lo up',
        'for f in "$1"/values-probe/p*.conf; do',
        '  out=$(timeout -s KILL 20 chroot "$1" /usr/sbin/keepalived -l -t -f "/values-probe/${f##*/}" 2>&1 </dev/null); rc=$?',
        '  r=$(printf "%s" "$out" | grep -o "outside range \\[[-0-9.]*, [-0-9.]*\\]" | head -n 1)',
        '  printf "@@ %s %s %s\\n" "${f##*/}" "$rc" "$r"',
        'done',
      ].join('\n');
      const r = await promisify(execFile)('unshare', ['-r', '-n', 'sh', '-c', script, 'sh', root], {
        encoding: 'utf8',
        maxBuffer: 256 << 20,
      });
      rmSync(dir, { recursive: true, force: true });
      const results = new Map();
      for (const m of r.stdout.matchAll(/^@@ (\S+) (\d+) ?(.*)$/gm))
        results.set(m[1], { rc: Number(m[2]), range: m[3] });
      const v = (out[version] = {});
      for (const j of jobs) {
        const res = results.get(j.name);
        const e = ((v[j.block] ??= {})[j.kw] ??= { accepts: '', range: undefined });
        e.accepts += res && res.rc === 0 ? '1' : '0';
        const m = /\[([-0-9.]+), ([-0-9.]+)\]/.exec(res?.range ?? '');
        if (m) e.range = [Number(m[1]), Number(m[2])];
      }
    }),
  );
  // A compact table: block -> keyword -> "accepts bits in PROBES order" or [bits, lo, hi].
  const compact = { probes: PROBES };
  for (const [version, blocks] of Object.entries(out)) {
    compact[version] = {};
    for (const [block, kws] of Object.entries(blocks))
      compact[version][block] = Object.fromEntries(
        Object.entries(kws)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([kw, e]) => [kw, e.range ? [e.accepts, ...e.range] : e.accepts]),
      );
  }
  writeFileSync(join(ROOT, 'src/lint/keepalived/values.json'), `${JSON.stringify(compact, null, 1)}\n`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
