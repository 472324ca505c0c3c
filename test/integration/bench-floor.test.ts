// The floor program: one connection and one command per host, all at once, through the same
// transport and inventory settings as lvsplay; it says when a host could not be reached.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startSshd, type Sshd } from '../transport/sshd.js';

const project = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'lvsplay-bench-floor-'));
let sshd: Sshd;

beforeAll(async () => {
  execFileSync('npx', ['tsc', '-p', 'bench/tsconfig.json'], { cwd: project, stdio: 'inherit' });
  sshd = await startSshd();
}, 120_000);
afterAll(async () => {
  await sshd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function inventory(extraHost = ''): string {
  const file = join(dir, 'hosts.ini');
  writeFileSync(
    file,
    `[bench]\n${[1, 2, 3].map((i) => `h${i} ansible_host=127.0.0.1 ansible_port=${sshd.port}`).join('\n')}\n${extraHost}\n` +
      `[all:vars]\nansible_user=root\nansible_ssh_private_key_file=${sshd.clientKey}\n` +
      `ansible_ssh_common_args='-o UserKnownHostsFile=${sshd.knownHosts} -o StrictHostKeyChecking=yes'\n`,
  );
  return file;
}

const floor = (inv: string) =>
  spawnSync(process.execPath, ['bench/.build/bench/src/floor.js', inv, 'bench'], {
    cwd: project,
    encoding: 'utf8',
    timeout: 60_000,
  });

describe('floor', () => {
  it('reaches every host of the group once and exits 0', () => {
    const r = floor(inventory());
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('floor: 3/3 hosts\n');
    expect(r.status).toBe(0);
  });

  it('names a host it cannot reach and exits 3', async () => {
    const r = floor(inventory(`h4 ansible_host=127.0.0.1 ansible_port=${await freePort()}`));
    expect(r.stdout).toBe('floor: 3/4 hosts\n');
    expect(r.stderr).toMatch(/^h4: /m);
    expect(r.status).toBe(3);
  });
});
