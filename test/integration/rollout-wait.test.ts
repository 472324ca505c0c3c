// lvs-real-server-wait (the director role's files/), the drain and return conditions of
// playbooks/rolling-update.yaml, run for real against a stand-in ipvsadm that replays tables
// in the shape `ipvsadm -L -n -t VIP:PORT` prints them (as captured on the lab's UML directors).
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SCRIPT = resolve(import.meta.dirname, '../../roles/director/files/lvs-real-server-wait');

/** The table with web2 (10.0.7.29) and web1 (10.0.7.211); `web1` is web1's "weight active inactive". */
const table = (web1: string | undefined, web2 = '40 0 12') => {
  const line = (addr: string, s: string) => {
    const [w, a, i] = s.split(' ');
    return `  -> ${`${addr}:80`.padEnd(29)} Route   ${w!.padEnd(6)} ${a!.padEnd(10)} ${i}         \n`;
  };
  return (
    'Prot LocalAddress:Port Scheduler Flags\n' +
    '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n' +
    'TCP  10.0.7.247:80 wlc\n' +
    line('10.0.7.29', web2) +
    (web1 ? line('10.0.7.211', web1) : '') +
    // an address that 10.0.7.211 starts with: never mistaken for it
    line('10.0.7.21', '0 0 0')
  );
};

/** Runs the script with an ipvsadm that prints `tables` one per call, then the last one again. */
function wait(tables: string[], args: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'lvsplay-wait-'));
  tables.forEach((t, i) => writeFileSync(join(dir, `table.${i}`), t));
  writeFileSync(
    join(dir, 'ipvsadm'),
    `#!/bin/sh
n=$(cat "${dir}/calls" 2>/dev/null || echo 0)
[ -e "${dir}/table.$n" ] && echo $((n + 1)) > "${dir}/calls" || n=$((n - 1))
cat "${dir}/table.$n"
`,
  );
  chmodSync(join(dir, 'ipvsadm'), 0o755);
  const r = spawnSync('sh', [SCRIPT, '10.0.7.247:80', '10.0.7.211:80', ...args], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${dir}:${process.env.PATH}` },
    timeout: 30_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('lvs-real-server-wait', () => {
  it('waits for a drained real server: weight 0 first, then its last active connection gone', () => {
    const r = wait([table('60 3 40'), table('0 2 41'), table('0 0 43')], ['drained', '20']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^10\.0\.7\.211:80 on \S+: 0 0 43 \(weight, active, inactive connections\) after \d+ s\n$/);
  });

  it('does not take weight 0 with active connections, nor a weight above 0 without, for drained', () => {
    expect(wait([table('0 1 40')], ['drained', '1']).code).toBe(1);
    expect(wait([table('60 0 40')], ['drained', '1']).code).toBe(1);
  });

  it('fails after its timeout naming the last state, and says the server stays drained', () => {
    const r = wait([table('0 4 40')], ['drained', '1']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('10.0.7.211:80 is not drained on');
    expect(r.err).toContain('"0 4 40" (weight, active, inactive connections)');
    expect(r.err).toContain('It stays drained');
  });

  it('waits for a returning real server to be listed at its weight', () => {
    const r = wait([table(undefined), table('0 0 3'), table('60 0 3')], ['weight', '60', '20']);
    expect(r.code).toBe(0);
    expect(r.out).toContain(': 60 0 3 (weight');
  });

  it('reports a real server missing from the table as absent', () => {
    const r = wait([table(undefined)], ['weight', '60', '1']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('"absent"');
    expect(r.err).toContain('wanted weight 60');
  });

  it.each([[['drained']], [['weight', '60']], [['gone', '5']], [['drained', 'soon']], [['weight', 'x', '5']]])(
    'refuses %j with its usage (exit 2)',
    (args) => {
      const r = wait([table('60 0 0')], args);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/^usage: /);
    },
  );
});
