// The replication proof: a row written on each database master must appear on the others.
// The probe writes into its own table (lvsplay_probe.rows), measures how long each row takes to
// arrive, and deletes its rows again on the master that wrote them, whatever happens. It never
// drops the table: a replica that is stopped or behind would later replay a row insert into a
// table that is gone, and its replication would stop on that error (seen on the lab). A delete
// from the writing master arrives after that master's insert, in order, on every replica.
import { randomBytes } from 'node:crypto';
import { sh } from '../transport/quote.js';
import type { ClusterSession } from '../status/index.js';
import { connectionVarsOf } from '../status/collect.js';
import type { Check } from './checks.js';

const DB = 'lvsplay_probe';
const POLL_MS = 20;

async function sql(c: ClusterSession, host: string, statement: string): Promise<string> {
  const t = await c.pool.get(host, connectionVarsOf(c.plan, host));
  // The SQL goes on stdin: nothing of it appears in the process list.
  const r = await t.run(sh`mysql --batch --skip-column-names`, { become: true, stdin: statement, timeoutMs: 10_000 });
  if (r.code !== 0) throw new Error(`${host}: mysql: ${r.stderr.trim() || `rc ${r.code}`}`);
  return r.stdout.trim();
}

async function until(limitMs: number, test: () => Promise<boolean>): Promise<number | undefined> {
  const t0 = performance.now();
  while (performance.now() - t0 < limitMs) {
    if (await test()) return Math.round(performance.now() - t0);
    await new Promise((res) => setTimeout(res, POLL_MS));
  }
  return undefined;
}

export async function replicationProbeChecks(c: ClusterSession, limitMs = 10_000): Promise<Check[]> {
  const dbs = c.model.databases.map((d) => d.host);
  if (dbs.length < 2) return [];
  const token = randomBytes(6).toString('hex');
  const checks: Check[] = [];
  const [first] = dbs as [string, ...string[]];
  const written: Array<{ host: string; id: string }> = [];
  try {
    await sql(
      c,
      first,
      `CREATE DATABASE IF NOT EXISTS ${DB}; CREATE TABLE IF NOT EXISTS ${DB}.rows (id VARCHAR(64) PRIMARY KEY, written_on VARCHAR(255));`,
    );
    const tableEverywhere = await until(limitMs, async () => {
      const seen = await Promise.all(
        dbs.map((h) =>
          sql(c, h, `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema='${DB}' AND table_name='rows';`),
        ),
      );
      return seen.every((n) => n === '1');
    });
    if (tableEverywhere === undefined) {
      return [
        {
          id: 'replication-probe',
          title: 'the probe table created on one master appears on the others',
          ok: false,
          detail: `not on every master after ${limitMs} ms`,
        },
      ];
    }
    for (const from of dbs) {
      const id = `${token}-${from}`.slice(0, 64);
      await sql(c, from, `INSERT INTO ${DB}.rows VALUES ('${id}', '${from}');`);
      written.push({ host: from, id });
      for (const to of dbs.filter((h) => h !== from)) {
        const ms = await until(
          limitMs,
          async () => (await sql(c, to, `SELECT COUNT(*) FROM ${DB}.rows WHERE id='${id}';`)) === '1',
        );
        checks.push({
          id: 'replication-probe',
          host: to,
          title: `a row written on ${from} appears on ${to}`,
          ok: ms !== undefined,
          detail: ms !== undefined ? `after ${ms} ms` : `not after ${limitMs} ms`,
        });
      }
    }
    return checks;
  } catch (e) {
    // A master that cannot be reached or refuses the SQL: the probe fails, verify goes on.
    return [
      ...checks,
      {
        id: 'replication-probe',
        title: 'the replication probe runs on every master',
        ok: false,
        detail: e instanceof Error ? e.message : String(e),
      },
    ];
  } finally {
    for (const w of written) await sql(c, w.host, `DELETE FROM ${DB}.rows WHERE id='${w.id}';`).catch(() => undefined);
  }
}
