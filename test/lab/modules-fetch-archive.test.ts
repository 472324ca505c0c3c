// unarchive, get_url, apt_repository and apt_key on a SysV host of the lab and on a systemd host
// (Debian 12): an archive from the controller unpacked with a mode, a page downloaded from a web
// server on a lab host (python3's, installed from the lab's offline repository), the offline
// repository listed a second time in a file of its own and removed again (apt-get update runs
// against it, offline), each checked, run and rerun: check mode predicts the run, the rerun
// changes nothing. apt_key needs gpg, which the hosts lack until gnupg is installed (from the
// offline repository): the task fails saying so, then adds a key made here and removes it.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeGpgKey } from '../helpers/gpg-key.js';
import { convergeHonestly, ensureKindsLab, hostKinds, onHost, play, runOnKinds } from './modules-system-helpers.js';

const ADDR: Record<string, string> = { client: '', sd12: '10.0.7.141' };
const REPO_LINE = 'deb [trusted=yes] file:///srv/lvsplay-repo ./';

describe.each(hostKinds('client').filter((k) => k.release === 'bookworm'))(
  'archives, downloads and APT sources ($kind)',
  ({ host: H }) => {
    const dir = mkdtempSync(join(tmpdir(), 'lvsplay-fetcharch-'));
    const cleanup = () =>
      onHost(
        H,
        `[ -f /tmp/lvsplay-httpd.pid ] && kill "$(cat /tmp/lvsplay-httpd.pid)" 2>/dev/null
rm -rf /srv/lvsplay-ux /srv/lvsplay-www /srv/lvsplay-dl /tmp/lvsplay-httpd.pid /etc/apt/sources.list.d/srv_lvsplay_repo.list; true`,
      );

    beforeAll(async () => {
      await ensureKindsLab();
      await cleanup();
      mkdirSync(join(dir, 'files', 'tree', 'app', 'conf'), { recursive: true });
      writeFileSync(join(dir, 'files', 'tree', 'app', 'run.sh'), '#!/bin/sh\necho app\n');
      writeFileSync(join(dir, 'files', 'tree', 'app', 'conf', 'app.ini'), '[main]\nport=8080\n');
      execFileSync('tar', ['czf', join(dir, 'files', 'app.tgz'), '-C', join(dir, 'files', 'tree'), 'app']);
      ADDR.client ||= (
        await onHost('client', "ip -4 -o addr show scope global | awk '{print $4}' | cut -d/ -f1 | head -n 1")
      ).trim();
    }, 120_000);

    afterAll(async () => {
      await cleanup();
      rmSync(dir, { recursive: true, force: true });
    });

    it('unarchive: unpacks with a mode; the rerun finds it unpacked', async () => {
      // dest must exist before the task (a check run cannot unpack into a directory it only predicted).
      await onHost(H, 'mkdir -p /srv/lvsplay-ux');
      const state = () => onHost(H, 'find /srv/lvsplay-ux -printf "%p %m\\n" 2>/dev/null | sort; true');
      const r = await convergeHonestly(
        play(
          H,
          `    - name: unpack
      unarchive: { src: app.tgz, dest: /srv/lvsplay-ux, mode: "0750", list_files: true }
`,
        ),
        H,
        state,
        { dir },
      );
      expect([...(r.real.rec.results(H)[0]!.result.data?.files as string[])].sort()).toEqual([
        'app/',
        'app/conf/',
        'app/conf/app.ini',
        'app/run.sh',
      ]);
      expect(await state()).toContain('/srv/lvsplay-ux/app/conf/app.ini 750');
    }, 120_000);

    it('get_url: downloads from a web server on a lab host, then finds it unchanged', async () => {
      await runOnKinds(play(H, `    - package: { name: python3, state: present }\n`));
      await onHost(
        H,
        `mkdir -p /srv/lvsplay-www /srv/lvsplay-dl && printf 'served by a lab host\\n' > /srv/lvsplay-www/page.txt
cd /srv/lvsplay-www && (python3 -m http.server 8099 --bind ${ADDR[H]} >/dev/null 2>&1 & echo $! > /tmp/lvsplay-httpd.pid)
for i in 1 2 3 4 5 6 7 8 9 10; do python3 -c "import urllib.request as u; u.urlopen('http://${ADDR[H]}:8099/page.txt')" 2>/dev/null && break; sleep 0.5; done`,
      );
      const state = () => onHost(H, 'ls -l --time-style=+ /srv/lvsplay-dl; cat /srv/lvsplay-dl/* 2>/dev/null; true');
      await convergeHonestly(
        play(
          H,
          `    - name: download
      get_url: { url: "http://${ADDR[H]}:8099/page.txt", dest: /srv/lvsplay-dl/page.txt, mode: "0640" }
`,
        ),
        H,
        state,
      );
      expect(await state()).toContain('served by a lab host');
    }, 120_000);

    it('apt_repository: lists the offline repository in a file of its own, then removes it', async () => {
      const state = () => onHost(H, 'cat /etc/apt/sources.list.d/*.list 2>/dev/null; true');
      const added = await convergeHonestly(
        play(H, `    - name: add\n      apt_repository: { repo: "${REPO_LINE}" }\n`),
        H,
        state,
      );
      expect(added.real.rec.results(H)[0]!.result.changes[0]!.summary).toContain(
        '/etc/apt/sources.list.d/srv_lvsplay_repo.list',
      );
      expect(await onHost(H, 'cat /etc/apt/sources.list.d/srv_lvsplay_repo.list')).toBe(`${REPO_LINE}\n`);
      await convergeHonestly(
        play(H, `    - name: remove\n      apt_repository: { repo: "${REPO_LINE}", state: absent }\n`),
        H,
        state,
      );
      expect(await onHost(H, 'ls /etc/apt/sources.list.d/srv_lvsplay_repo.list 2>&1; true')).toContain('No such file');
    }, 120_000);

    it('apt_key: without gpg says what it lacks; with gnupg adds a key from data and removes it by id', async () => {
      await onHost(H, 'apt-get -q -y remove gnupg gpg >/dev/null 2>&1; true');
      const lacking = await runOnKinds(
        play(H, `    - name: key\n      apt_key: { id: "0x9A3D21F6AED6B0FF", state: absent }\n`),
      );
      expect(lacking.rec.results(H)[0]!.result.msg).toContain('apt_key needs apt-key and gpg on the host');
      await onHost(H, 'apt-get -q -y install gnupg >/dev/null');
      const key = makeGpgKey(dir);
      writeFileSync(join(dir, 'files', 'key.asc'), key.armored);
      const long = key.long;
      const ring = '/etc/apt/trusted.gpg.d/lvsplay-lab.gpg';
      const state = () =>
        onHost(H, `gpg --no-default-keyring --keyring ${ring} --with-colons --list-keys 2>/dev/null | grep ^pub; true`);
      await convergeHonestly(
        play(H, `    - name: key\n      apt_key: { data: "{{ lookup('file', 'key.asc') }}", keyring: ${ring} }\n`),
        H,
        state,
        { dir },
      );
      expect(await state()).toContain(long);
      await convergeHonestly(
        play(H, `    - name: key gone\n      apt_key: { id: "0x${long}", keyring: ${ring}, state: absent }\n`),
        H,
        state,
        { dir },
      );
      expect(await state()).not.toContain(long);
      await onHost(H, `rm -f ${ring} ${ring}~`);
    }, 180_000);
  },
);
