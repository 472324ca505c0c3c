// get_url against ansible-playbook 2.14: one playbook run by both tools on the controller itself
// (ansible_connection=local, files under a temporary directory), the URLs served on 127.0.0.1 by
// a small server of this test (Last-Modified and If-Modified-Since as a web server answers them,
// a basic-auth page, a page that echoes a header, a 404) and file:// URLs. Check mode, a run, a
// rerun and a run after the served files changed must leave the same files (bytes, modes) and
// register the same values; the password never appears in either tool's output.
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ansiblePlaybook, lvsplayRun } from '../helpers/compat.js';

const work = mkdtempSync(join(tmpdir(), 'lvsplay-geturl-'));
const served = join(work, 'srv');
const PASSWORD = 's3cr3t-pw';
let server: Server;
let base = '';

beforeAll(async () => {
  mkdirSync(served);
  server = createServer((req, res) => {
    const path = (req.url ?? '/').replace(/\?.*$/, '');
    if (path === '/private.txt') {
      const want = `Basic ${Buffer.from(`fetcher:${PASSWORD}`).toString('base64')}`;
      if (req.headers.authorization !== want) {
        res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="x"' }).end();
        return;
      }
    }
    if (path === '/echo') {
      const body = `token=${String(req.headers['x-token'])}\n`;
      res.writeHead(200, { 'Content-Length': Buffer.byteLength(body) }).end(body);
      return;
    }
    const file = join(served, path.replace(/^\/+/, ''));
    let st;
    try {
      st = statSync(file);
    } catch {
      res.writeHead(404).end('not found');
      return;
    }
    const since = req.headers['if-modified-since'];
    if (since && Math.floor(st.mtimeMs / 1000) <= Date.parse(since) / 1000) {
      res.writeHead(304).end();
      return;
    }
    const body = readFileSync(file);
    res
      .writeHead(200, { 'Content-Length': body.length, 'Last-Modified': st.mtime.toUTCString() })
      .end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.close();
  rmSync(work, { recursive: true, force: true });
});

const PLAYBOOK = `
- hosts: localhost
  gather_facts: false
  tasks:
    - name: a page with a mode
      get_url: { url: "{{ base }}/page.txt", dest: "{{ playbook_dir }}/out/page.txt", mode: "0640" }
      register: page
    - name: into a directory
      get_url: { url: "{{ base }}/two.txt", dest: "{{ playbook_dir }}/out/" }
      register: indir
    - name: a file URL with a checksum
      get_url: { url: "file://{{ srv }}/two.txt", dest: "{{ playbook_dir }}/out/f.txt", checksum: "sha256:{{ two_sha256 }}" }
      register: file
    - name: forced
      get_url: { url: "{{ base }}/page.txt", dest: "{{ playbook_dir }}/out/forced.txt", force: true }
      register: forced
    - name: with a password
      get_url: { url: "{{ base }}/private.txt", dest: "{{ playbook_dir }}/out/private.txt", url_username: fetcher, url_password: "{{ pw }}", force_basic_auth: true }
      register: private
    - name: with a header
      get_url: { url: "{{ base }}/echo", dest: "{{ playbook_dir }}/out/echo.txt", headers: { X-Token: abc } }
      register: echo
    - name: a wrong checksum
      get_url: { url: "{{ base }}/two.txt", dest: "{{ playbook_dir }}/out/bad.txt", checksum: "sha1:0000" }
      register: bad
      ignore_errors: true
    - name: not found
      get_url: { url: "{{ base }}/nothere", dest: "{{ playbook_dir }}/out/n.txt" }
      register: missing
      ignore_errors: true
    - name: what was registered
      when: not ansible_check_mode
      copy:
        dest: "{{ playbook_dir }}/reg.txt"
        content: |
          {{ page.changed }} {{ page.checksum_src | default('-') }} {{ page.checksum_dest | default('-') }} {{ page.md5sum | default('-') }} {{ page.msg }} {{ page.status_code }}
          {{ indir.changed }} {{ indir.dest | basename }} {{ indir.msg }} {{ indir.checksum_dest }} {{ indir.md5sum }}
          {{ file.changed }} {{ file.checksum_src }} {{ file.msg }}
          {{ forced.changed }} {{ forced.checksum_src }} {{ forced.checksum_dest }} {{ forced.status_code }}
          {{ private.changed }} {{ private.status_code | default('-') }} {{ echo.changed }}
          {{ bad.failed }} {{ bad.changed }} {{ bad.msg | replace(playbook_dir, '') }}
          {{ missing.failed }} {{ missing.msg }} {{ missing.status_code }}
`;

function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of readdirSync(join(dir, 'out')).sort()) {
    const p = join(dir, 'out', n);
    out[n] = `${(statSync(p).mode & 0o7777).toString(8)} ${readFileSync(p, 'utf8')}`;
  }
  return out;
}

const statuses = (out: string) =>
  [...out.matchAll(/^(ok|changed|skipping|fatal|failed|unknown): \[localhost\]/gm)].map((m) => m[1]!);

function serve(name: string, text: string, mtime: number) {
  writeFileSync(join(served, name), text);
  utimesSync(join(served, name), mtime, mtime);
}

describe('get_url gives what ansible-playbook 2.14 gives', () => {
  it('check, run, rerun and a run after the served files changed', async () => {
    const hour = Math.floor(Date.now() / 1000) - 3600;
    serve('page.txt', 'hello web\n', hour);
    serve('two.txt', 'two\n', hour);
    serve('private.txt', 'for your eyes\n', hour);
    const seed = join(work, 'seed');
    mkdirSync(join(seed, 'out'), { recursive: true });
    writeFileSync(join(seed, 'play.yml'), PLAYBOOK);
    writeFileSync(
      join(seed, 'inv'),
      'localhost ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n',
    );
    const dirs = { ansible: join(work, 'ansible'), lvsplay: join(work, 'lvsplay') };
    cpSync(seed, dirs.ansible, { recursive: true });
    cpSync(seed, dirs.lvsplay, { recursive: true });
    const vars = [
      '-e',
      `base=${base}`,
      '-e',
      `srv=${served}`,
      '-e',
      `pw=${PASSWORD}`,
      '-e',
      'two_sha256=27dd8ed44a83ff94d557f9fd0412ed5a8cbca69ea04922d88c01184a07300a5a',
    ];
    const both = async (extra: string[] = []) => {
      const a = await ansiblePlaybook(['-i', 'inv', 'play.yml', ...vars, ...extra], dirs.ansible);
      const l = await lvsplayRun(['-i', 'inv', 'play.yml', ...vars, ...extra], dirs.lvsplay);
      expect(a.code, a.out + a.err).toBe(0);
      expect(l.code, l.out + l.err).toBe(0);
      expect(l.out + l.err).not.toContain(PASSWORD);
      return { a: a.out, l: l.out };
    };

    // Check mode: Ansible sends HEAD requests and so cannot compare; the first run creates every file.
    const check = await both(['--check']);
    expect(statuses(check.l).slice(0, 6)).toEqual(statuses(check.a).slice(0, 6));
    expect(tree(dirs.lvsplay)).toEqual({});

    const run = await both();
    expect(statuses(run.l)).toEqual(statuses(run.a));
    expect(statuses(run.l).slice(0, 6)).toEqual(statuses(check.l).slice(0, 6));
    expect(tree(dirs.lvsplay)).toEqual(tree(dirs.ansible));
    expect(Object.keys(tree(dirs.ansible))).toHaveLength(6);
    expect(readFileSync(join(dirs.lvsplay, 'reg.txt'), 'utf8')).toBe(
      readFileSync(join(dirs.ansible, 'reg.txt'), 'utf8'),
    );

    // A rerun: 304 for the conditional requests, the checksum matches, a forced download compares.
    const rerun = await both();
    expect(statuses(rerun.l)).toEqual(statuses(rerun.a));
    expect(readFileSync(join(dirs.lvsplay, 'reg.txt'), 'utf8')).toBe(
      readFileSync(join(dirs.ansible, 'reg.txt'), 'utf8'),
    );

    // The server's files change (newer than the copies): the pages are fetched again.
    serve('page.txt', 'hello again\n', hour + 7200);
    serve('two.txt', 'two, newer\n', hour + 7200);
    const drift = await both();
    expect(statuses(drift.l)).toEqual(statuses(drift.a));
    expect(tree(dirs.lvsplay)).toEqual(tree(dirs.ansible));
    expect(readFileSync(join(dirs.lvsplay, 'reg.txt'), 'utf8')).toBe(
      readFileSync(join(dirs.ansible, 'reg.txt'), 'utf8'),
    );
  }, 300_000);
});
