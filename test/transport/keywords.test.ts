// Login and become keywords over a real ssh connection (a throwaway loopback sshd): remote_user
// on a play and on a task, with the host's ansible_user winning over both as in Ansible 2.14
// (checked against ansible-playbook -vvv: "ESTABLISH SSH CONNECTION FOR USER"), become_flags
// reaching sudo, and the host's ansible_become* variables winning over the become keywords as
// in Ansible 2.14 (PlayContext applies its "magic" variables after the task's keywords; checked
// with ansible-playbook: ansible_become=true and a task's become: false ran as the become user).
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPlaybookIn } from '../helpers/run-playbook.js';
import { sshdWithUsers } from './sshd.js';

const userA = 'lvsplay-kw1';
const userB = 'lvsplay-kw2';
const fx = sshdWithUsers([{ name: userA }, { name: userB }], {
  file: '/etc/sudoers.d/lvsplay-keywords-test',
  rules: `${userA} ALL=(ALL:ALL) NOPASSWD: ALL\n`,
});

async function run(playbook: string, inventory: string) {
  const dir = mkdtempSync(join(tmpdir(), 'lvsplay-kwssh-'));
  // The "remote" host is this machine: the users write their answers here.
  chmodSync(dir, 0o777);
  const conn = `ansible_host=127.0.0.1 ansible_ssh_private_key_file=${fx.sshd.clientKey}`;
  writeFileSync(join(dir, 'inv.ini'), inventory.replaceAll('CONN', conn).replaceAll('PORT', String(fx.sshd.port)));
  writeFileSync(join(dir, 'play.yml'), playbook.replaceAll('DIR', dir).replaceAll('PORT', String(fx.sshd.port)));
  writeFileSync(join(dir, 'ansible.cfg'), '[defaults]\n');
  const r = await runPlaybookIn(dir, {}, { targetOpts: fx.targetOpts() });
  const read = (f: string) => readFileSync(join(dir, f), 'utf8').trim();
  return { ...r, read };
}

describe('remote_user', () => {
  it("logs in as the play's, then the task's remote_user; a host's ansible_user wins over both", async () => {
    const r = await run(
      `
- hosts: all
  gather_facts: false
  remote_user: ${userA}
  tasks:
    - shell: id -un > DIR/play-{{ inventory_hostname }}
    - shell: id -un > DIR/task-{{ inventory_hostname }}
      remote_user: ${userB}
`,
      `plain CONN ansible_port=PORT\npinned CONN ansible_port=PORT ansible_user=${userB}\n`,
    );
    expect(r.exitCode).toBe(0);
    expect(r.read('play-plain')).toBe(userA);
    expect(r.read('task-plain')).toBe(userB);
    expect(r.read('play-pinned')).toBe(userB);
    expect(r.read('task-pinned')).toBe(userB);
  });
});

describe('become_flags', () => {
  it('are given to sudo (here -g: the primary group of the command)', async () => {
    const r = await run(
      `
- hosts: all
  gather_facts: false
  remote_user: ${userA}
  become: true
  tasks:
    - shell: id -gn > DIR/plain
    - shell: id -gn > DIR/flagged
      become_flags: -H -g ${userB}
`,
      'h CONN ansible_port=PORT\n',
    );
    expect(r.exitCode).toBe(0);
    expect(r.read('plain')).toBe('root');
    expect(r.read('flagged')).toBe(userB);
  });
});

describe('port, become, become_user, become_method', () => {
  it('connect to the port the play names and run as the user become_user names', async () => {
    const r = await run(
      `
- hosts: all
  gather_facts: false
  port: PORT
  remote_user: ${userA}
  tasks:
    - shell: id -un > DIR/login
    - shell: id -un > DIR/become
      become: true
      become_method: sudo
      become_user: ${userB}
`,
      'h CONN\n',
    );
    expect(r.exitCode).toBe(0);
    expect(r.read('login')).toBe(userA);
    expect(r.read('become')).toBe(userB);
  });
});

describe("the host's ansible_become variables", () => {
  it('win over become, become_user and become_method on the play and the task', async () => {
    const r = await run(
      `
- hosts: all
  gather_facts: false
  remote_user: ${userA}
  tasks:
    - shell: id -un > DIR/off-{{ inventory_hostname }}
      become: false
    - shell: id -un > DIR/as-{{ inventory_hostname }}
      become: true
      become_user: root
`,
      [
        'plain CONN ansible_port=PORT',
        `pinned CONN ansible_port=PORT ansible_become=true ansible_become_user=${userB}`,
        'never CONN ansible_port=PORT ansible_become=false',
      ].join('\n') + '\n',
    );
    expect(r.exitCode).toBe(0);
    // no variable: the keywords decide
    expect([r.read('off-plain'), r.read('as-plain')]).toEqual([userA, 'root']);
    // the variables decide whatever the keywords say
    expect([r.read('off-pinned'), r.read('as-pinned')]).toEqual([userB, userB]);
    expect([r.read('off-never'), r.read('as-never')]).toEqual([userA, userA]);
  });
});
