// The real servers' page that reads the database: the realserver role's service
// (files/lvs-db-page) run here on loopback with its settings rendered from the lab inventory by
// the runner's templar, against a stand-in pymysql whose answer each database address chooses (a
// row, a refused connection, silence, no row). The real driver and server are exercised on the
// lab (test/lab/rolling-update.test.ts).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plan, playOf, ROLES, templarOf, varsFor } from '../helpers/roles.js';
import { revealIfSecret } from '../../src/secret.js';

const CONF_TASK = 'Give it its settings and database login (readable by the web server only; read again when changed)';
const DB1 = '10.0.7.41';
const DB2 = '10.0.7.42';
const p = plan();
const dir = mkdtempSync(join(tmpdir(), 'lvsplay-db-page-'));
const answers = join(dir, 'answers');

// The stand-in driver: records each connection, then does what the file named after the host says.
mkdirSync(join(dir, 'pymysql'), { recursive: true });
writeFileSync(
  join(dir, 'pymysql/__init__.py'),
  `import os, time
ANSWERS = os.environ["STANDIN_ANSWERS"]

def _how(host):
    try:
        with open(os.path.join(ANSWERS, host)) as f:
            return f.read().strip()
    except OSError:
        return "refused"

class _Cursor:
    def __init__(self, host, how):
        self.host, self.how = host, how
    def __enter__(self):
        return self
    def __exit__(self, *a):
        return False
    def execute(self, q):
        with open(os.path.join(ANSWERS, "queries"), "a") as f:
            f.write(q + "\\n")
    def fetchone(self):
        return None if self.how == "norow" else ('A <row> & "more"', "db-" + self.host)

class _Conn:
    def __init__(self, host, how):
        self.host, self.how = host, how
    def cursor(self):
        return _Cursor(self.host, self.how)
    def close(self):
        pass

def connect(host, port, user, password, database, connect_timeout, read_timeout, write_timeout):
    with open(os.path.join(ANSWERS, "calls"), "a") as f:
        f.write(" ".join(map(str, (host, port, user, password, database, connect_timeout, read_timeout))) + "\\n")
    how = _how(host)
    if how == "refused":
        raise OSError("(2003, \\"Can't connect to MySQL server on '%s' ([Errno 111] Connection refused)\\")" % host)
    if how == "silent":
        time.sleep(connect_timeout)
        raise OSError("timed out")
    return _Conn(host, how)
`,
);

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** The role's settings file for `web`, as the template task writes it, on a port of our own. */
function config(web: string, port: number, extra: Record<string, unknown> = {}): string {
  const vars = { ...varsFor(p, 'realservers', web, CONF_TASK), web_db_listen_port: port, ...extra };
  return String(revealIfSecret(templarOf(p).renderFile(join(ROLES, 'realserver/templates/db-page.conf.j2'), vars)));
}

const services: Record<string, { port: number; conf: string; proc: ChildProcess }> = {};

async function startService(web: string): Promise<void> {
  const port = await freePort();
  const conf = join(dir, `${web}.conf`);
  writeFileSync(conf, config(web, port));
  const proc = spawn('python3', [join(ROLES, 'realserver/files/lvs-db-page'), conf], {
    env: { ...process.env, PYTHONPATH: dir, STANDIN_ANSWERS: answers },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  services[web] = { port, conf, proc };
  // listening once it answers
  for (let i = 0; i < 100; i++) {
    if ((await fetchPage(port, '/nothing').catch(() => undefined))?.status === 404) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`lvs-db-page for ${web} did not listen on ${port}`);
}

function fetchPage(port: number, path = '/db'): Promise<{ status: number; body: string; type: string }> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, timeout: 20_000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, type: String(res.headers['content-type']) }));
    }).on('error', reject);
  });
}

interface Answer {
  status: number;
  body: string;
  type: string;
  calls: string[];
  ms: number;
}

/** One request to a real server's page, each database address answering as given (default: refused). */
async function page(web: 'web1' | 'web2', db: Record<string, 'row' | 'silent' | 'norow'>): Promise<Answer> {
  rmSync(answers, { recursive: true, force: true });
  mkdirSync(answers);
  for (const [addr, how] of Object.entries(db)) writeFileSync(join(answers, addr), how);
  const t0 = Date.now();
  const r = await fetchPage(services[web]!.port);
  const ms = Date.now() - t0;
  let calls: string[] = [];
  try {
    calls = readFileSync(join(answers, 'calls'), 'utf8').trim().split('\n');
  } catch {
    // no connection at all
  }
  return { ...r, calls, ms };
}

const hostOf = (call: string) => call.split(' ')[0];

beforeAll(async () => {
  mkdirSync(answers, { recursive: true });
  await Promise.all(['web1', 'web2'].map(startService));
}, 60_000);

afterAll(() => {
  for (const s of Object.values(services)) s.proc.kill();
});

describe('the page that reads the database', () => {
  it('answers 200 with the row it read, naming the real server, the site version and the database server', async () => {
    const a = await page('web1', { [DB1]: 'row', [DB2]: 'row' });
    expect(a.status).toBe(200);
    expect(a.type).toBe('text/html; charset=utf-8');
    expect(a.body).toContain(
      '<title>web1</title><meta name="site-version" content="1"><meta name="db-server" content="db-10.0.7.41">',
    );
    // the row as text, never as markup
    expect(a.body).toContain('<p class="db-row">A &lt;row&gt; &amp; &quot;more&quot;</p>');
    // one connection, to the first server, as the read-only user, with the role's timeouts
    expect(a.calls).toHaveLength(1);
    expect(a.calls[0]).toMatch(/^10\.0\.7\.41 3306 web_reader \S+ web 1\.0 2\.0$/);
    expect(readFileSync(join(answers, 'queries'), 'utf8')).toBe(
      "SELECT body, @@hostname FROM pages WHERE name = 'db-page'\n",
    );
  });

  it('spreads the reads: each real server starts from a different database server', async () => {
    expect((await page('web1', { [DB1]: 'row', [DB2]: 'row' })).calls.map(hostOf)).toEqual([DB1]);
    expect((await page('web2', { [DB1]: 'row', [DB2]: 'row' })).calls.map(hostOf)).toEqual([DB2]);
  });

  it('reads from the other server when the first refuses, or answers without the row', async () => {
    const refused = await page('web1', { [DB2]: 'row' });
    expect(refused.status).toBe(200);
    expect(refused.body).toContain('<meta name="db-server" content="db-10.0.7.42">');
    expect(refused.calls.map(hostOf)).toEqual([DB1, DB2]);
    const norow = await page('web2', { [DB2]: 'norow', [DB1]: 'row' });
    expect(norow.status).toBe(200);
    expect(norow.calls.map(hostOf)).toEqual([DB2, DB1]);
  });

  it('gives a silent server its connect timeout, then reads from the next', async () => {
    const a = await page('web1', { [DB1]: 'silent', [DB2]: 'row' });
    expect(a.status).toBe(200);
    expect(a.body).toContain('content="db-10.0.7.42"');
    // web_db_connect_timeout is 1 s
    expect(a.ms).toBeGreaterThanOrEqual(900);
    expect(a.ms).toBeLessThan(15_000);
  });

  it('answers 503, naming the real server and what it tried, when no database server answered', async () => {
    const a = await page('web2', {});
    expect(a.status).toBe(503);
    expect(a.body).toContain('<title>web2</title>');
    expect(a.body).toContain('no database server answered (tried: 10.0.7.42 10.0.7.41)');
    expect(a.body).not.toContain('db-server');
  });

  it('serves only its URL, and takes a new site version from its settings without a restart', async () => {
    expect((await fetchPage(services.web1!.port, '/other')).status).toBe(404);
    const s = services.web2!;
    writeFileSync(s.conf, config('web2', s.port, { web_site_version: 2 }));
    try {
      const a = await page('web2', { [DB2]: 'row' });
      expect(a.body).toContain('<meta name="site-version" content="2">');
      expect(s.proc.exitCode).toBeNull();
    } finally {
      writeFileSync(s.conf, config('web2', s.port));
    }
  });
});

describe("the page's login and the database's users", () => {
  it('keeps the password out of the page, in settings readable by the web server only', async () => {
    const password = /^password = (.*)$/m.exec(readFileSync(services.web1!.conf, 'utf8'))![1]!;
    expect(password.length).toBeGreaterThanOrEqual(16);
    expect((await page('web1', { [DB1]: 'row' })).body).not.toContain(password);
    expect((await page('web1', {})).body).not.toContain(password);
    const task = playOf(p, 'realservers').compiled.tasks.find((x) => x.task.name === CONF_TASK)!;
    expect(task.task.args).toMatchObject({ owner: 'root', group: '{{ web_group }}', mode: '0640' });
  });

  it("mysql-master gives each real server a user that may only read the page's database", () => {
    const taskName = "Let the real servers' page read its database (SELECT only)";
    const t = playOf(p, 'dbservers').compiled.tasks.find((x) => x.task.name === taskName)!;
    const vars = varsFor(p, 'dbservers', 'db2', taskName);
    const templar = templarOf(p);
    const hosts = (templar.render(t.task.loop!.value, vars) as string[]).map((item) =>
      templar.render(t.task.args.host, { ...vars, item }),
    );
    expect(hosts).toEqual(['10.0.7.211', '10.0.7.29']);
    expect(templar.render(t.task.args.priv, vars)).toBe('web.*:SELECT');
    expect(t.when.every((c) => templar.evalCondition(c, vars))).toBe(true);
  });

  it('a cluster without web_db_password (made before the page, or adopted) gets no page and no user', () => {
    for (const [hosts, host, taskName] of [
      ['realservers', 'web1', CONF_TASK],
      ['dbservers', 'db1', "Let the real servers' page read its database (SELECT only)"],
    ] as const) {
      const t = playOf(p, hosts).compiled.tasks.find((x) => x.task.name === taskName)!;
      const { web_db_password: password, ...without } = varsFor(p, hosts, host, taskName) as Record<string, unknown>;
      expect(password).toBeDefined();
      // every condition on the task, those of its import included
      expect(t.when.length).toBeGreaterThan(0);
      expect(t.when.every((c) => templarOf(p).evalCondition(c, without))).toBe(false);
      expect(t.when.every((c) => templarOf(p).evalCondition(c, { ...without, web_db_password: password }))).toBe(true);
    }
  });
});

// python3 itself compiles the service (a syntax error fails here, not on a real server)
it('the service compiles', () => {
  const r = spawnSync('python3', ['-m', 'py_compile', join(ROLES, 'realserver/files/lvs-db-page')], {
    encoding: 'utf8',
    env: { ...process.env, PYTHONPYCACHEPREFIX: join(dir, 'pycache') },
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
});
