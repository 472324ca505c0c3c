// Privileges as community.mysql's `priv` writes them ('db.*:ALL,GRANT/*.*:REPLICATION SLAVE' or a
// mapping) and as SHOW GRANTS prints them, brought to one form so they can be compared:
// target 'db.table' (no backticks) -> set of privilege names, ALL -> ALL PRIVILEGES, and the
// grant option as the pseudo-privilege GRANT.

export type Privileges = Map<string, Set<string>>;

const normalPriv = (p: string): string => {
  const u = p.trim().replace(/\s+/g, ' ').toUpperCase();
  return u === 'ALL' ? 'ALL PRIVILEGES' : u;
};

/** 'db.*', '`db`.*', '*.*' -> 'db.*' form; the table part kept as written, backticks removed. */
export function normalTarget(t: string): string {
  const parts = splitTarget(t.trim());
  return `${parts.db}.${parts.table}`;
}

/** Splits a target on its first dot outside backticks. */
export function splitTarget(t: string): { db: string; table: string } {
  let inTick = false;
  for (let i = 0; i < t.length; i++) {
    if (t[i] === '`') {
      if (inTick && t[i + 1] === '`') {
        i++;
        continue;
      }
      inTick = !inTick;
    } else if (t[i] === '.' && !inTick) {
      return { db: unTick(t.slice(0, i)), table: unTick(t.slice(i + 1)) };
    }
  }
  return { db: unTick(t), table: '*' };
}

const unTick = (s: string): string =>
  s.startsWith('`') && s.endsWith('`') && s.length >= 2 ? s.slice(1, -1).replace(/``/g, '`') : s;

/** Parses `priv`; throws a message naming the bad part. */
export function parsePriv(priv: unknown): Privileges {
  const out: Privileges = new Map();
  const add = (target: string, privs: string): void => {
    const list = privs
      .split(',')
      .map(normalPriv)
      .filter((p) => p !== '');
    if (!target.trim() || !list.length) throw new Error(`priv '${target}:${privs}' must be 'db.table:PRIV[,PRIV...]'`);
    const key = normalTarget(target);
    const set = out.get(key) ?? new Set<string>();
    for (const p of list) set.add(p);
    out.set(key, set);
  };
  if (priv !== null && typeof priv === 'object' && !Array.isArray(priv)) {
    for (const [t, p] of Object.entries(priv as Record<string, unknown>)) add(t, String(p));
    return dropUsage(out);
  }
  for (const part of String(priv).split('/')) {
    if (part.trim() === '') continue;
    const at = part.lastIndexOf(':');
    if (at <= 0) throw new Error(`priv '${part}' must be 'db.table:PRIV[,PRIV...]'`);
    add(part.slice(0, at), part.slice(at + 1));
  }
  return dropUsage(out);
}

/** USAGE means "no privilege": an account with only USAGE on *.* has nothing to compare. */
function dropUsage(p: Privileges): Privileges {
  for (const [t, set] of p) {
    set.delete('USAGE');
    if (!set.size) p.delete(t);
  }
  return p;
}

/** Reads SHOW GRANTS lines; role and PROXY grants are not privileges on objects and are left out. */
export function parseGrants(lines: readonly string[]): Privileges {
  const out: Privileges = new Map();
  for (const line of lines) {
    const m = /^GRANT (.+?) ON (\S+) TO \S+(.*)$/.exec(line);
    if (!m) continue;
    const [, privs, target, rest] = m as unknown as [string, string, string, string];
    if (/^PROXY$/i.test(privs)) continue;
    const set = out.get(normalTarget(target)) ?? new Set<string>();
    // Column privileges (`SELECT (a, b)`) carry commas of their own: split outside parentheses.
    for (const p of splitPrivList(privs)) set.add(normalPriv(p));
    if (/WITH GRANT OPTION/.test(rest)) set.add('GRANT');
    out.set(normalTarget(target), set);
  }
  return dropUsage(out);
}

function splitPrivList(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((p) => p.trim()).filter((p) => p !== '');
}

/** 'db.*:ALL PRIVILEGES,GRANT/...' sorted, for diffs and messages. */
export function formatPrivileges(p: Privileges): string {
  if (!p.size) return '*.*:USAGE';
  return [...p.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([t, s]) => `${t}:${[...s].sort().join(',')}`)
    .join('/');
}
