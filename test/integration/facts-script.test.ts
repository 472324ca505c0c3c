// The facts script run by /bin/sh on this machine: what it reads with the shell's own builtins
// (files, the kernel's names, the user) equals what the programs it replaced print, and it
// starts few processes (each costs tens of milliseconds on a small or emulated host). Every
// program it may start is put on PATH as a wrapper that logs its name, then runs the real one.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { factsProbeCommand, parseFacts } from '../../src/modules/setup.js';

const dir = mkdtempSync(join(tmpdir(), 'lvsplay-facts-'));
const log = join(dir, 'started');
const PROGRAMS = ['uname', 'hostname', 'ip', 'nproc', 'grep', 'date', 'id', 'cat', 'head', 'awk', 'sed', 'tr'];
for (const p of PROGRAMS) {
  let real: string;
  try {
    real = execFileSync('sh', ['-c', `command -v ${p}`], { encoding: 'utf8' }).trim();
  } catch {
    continue; // not on this machine: the script must do without it
  }
  writeFileSync(join(dir, p), `#!/bin/sh\necho ${p} >> ${log}\nexec ${real} "$@"\n`);
  chmodSync(join(dir, p), 0o755);
}
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (cmd: string) => execFileSync('sh', ['-c', cmd], { encoding: 'utf8' });
const out = execFileSync('sh', ['-c', factsProbeCommand().text], {
  encoding: 'utf8',
  env: { PATH: `${dir}:/usr/sbin:/usr/bin:/sbin:/bin` },
});
const section = (name: string) => {
  const lines = out.split('\n');
  const at = lines.indexOf(`@@${name}`);
  const end = lines.findIndex((l, i) => i > at && l.startsWith('@@'));
  return lines.slice(at + 1, end).filter((l) => l !== '');
};

describe('the facts script on this machine', () => {
  it('reads files, kernel names and the user as the programs it replaced print them', () => {
    expect(section('os')).toEqual(run('cat /etc/os-release').split('\n').filter(Boolean));
    expect(section('uname')).toEqual(['-s', '-r', '-v', '-m', '-n'].map((o) => run(`uname ${o}`).trim()));
    // the totals (what is free changes between two reads)
    const totals = (lines: string[]) => lines.filter((l) => /^(MemTotal|SwapTotal):/.test(l));
    const keys = (lines: string[]) => lines.map((l) => l.split(':')[0]);
    const mem = run("grep -E '^(MemTotal|MemFree|SwapTotal|SwapFree):' /proc/meminfo").split('\n').filter(Boolean);
    expect(totals(section('mem'))).toEqual(totals(mem));
    expect(keys(section('mem'))).toEqual(keys(mem));
    expect(section('user')).toEqual([run('id -un').trim(), run('id -u').trim()]);
    const facts = parseFacts(out);
    expect(facts).toMatchObject({ system: 'Linux', user_id: run('id -un').trim() });
  });

  it('starts at most 8 processes: uname -m, hostname, 4 ip, nproc, date', () => {
    const started = readFileSync(log, 'utf8').trim().split('\n');
    console.log(`facts script: ${started.length} processes (${started.join(', ')})`);
    expect(started.length, started.join(' ')).toBeLessThanOrEqual(8);
    expect(started.filter((p) => ['cat', 'id', 'grep'].includes(p))).toEqual([]);
  });
});
