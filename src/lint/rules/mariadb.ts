// MariaDB dual-master rules: the settings that make two masters collide or drift apart.
import { groupBy, hit, type Hit, type Rule } from '../rule.js';

export const mariadbRules: Rule[] = [
  {
    id: 'db-server-id-unique',
    severity: 'error',
    title: 'server_id unique',
    why: 'a replica ignores events carrying its own server_id, so with equal ids neither master applies what the other writes',
    fix: 'give every database server its own server_id (mysql_server_id per host)',
    check(m) {
      const out: Hit[] = [];
      for (const [id, same] of groupBy(m.dbMasters, (d) =>
        d.serverId === undefined ? undefined : String(d.serverId),
      )) {
        if (same.length > 1)
          out.push(hit(`${same.map((d) => d.name).join(' and ')} share server_id ${id}`, same[1]!.pos.serverId));
      }
      return out;
    },
  },
  {
    id: 'db-auto-increment',
    severity: 'error',
    title: 'auto_increment_increment at least the number of masters, offsets distinct',
    why: 'both masters accept inserts: unless their AUTO_INCREMENT values interleave, both hand out the same id and replication stops on a duplicate key',
    fix: 'set auto_increment_increment to the number of masters (or more) and a distinct auto_increment_offset (1..increment) on each',
    check(m) {
      const out: Hit[] = [];
      const n = m.dbMasters.length;
      if (n < 2) return out;
      for (const d of m.dbMasters) {
        if ((d.autoIncrementIncrement ?? 1) < n)
          out.push(
            hit(
              `${d.name}: auto_increment_increment is ${d.autoIncrementIncrement ?? '1 (default)'} with ${n} masters`,
              d.pos.autoIncrementIncrement ?? d.pos.name,
            ),
          );
        else if (d.autoIncrementOffset !== undefined && d.autoIncrementOffset > d.autoIncrementIncrement!)
          out.push(
            hit(
              `${d.name}: auto_increment_offset ${d.autoIncrementOffset} is above auto_increment_increment ${d.autoIncrementIncrement} (MariaDB then ignores the offset)`,
              d.pos.autoIncrementOffset,
            ),
          );
      }
      for (const [off, same] of groupBy(m.dbMasters, (d) => String(d.autoIncrementOffset ?? 1))) {
        if (same.length > 1)
          out.push(
            hit(
              `${same.map((d) => d.name).join(' and ')} share auto_increment_offset ${off}`,
              same[1]!.pos.autoIncrementOffset ?? same[1]!.pos.name,
            ),
          );
      }
      return out;
    },
  },
  {
    id: 'db-binlog',
    severity: 'error',
    title: 'binary log on',
    why: 'a master without a binary log has nothing for its peer to replicate',
    fix: 'set log-bin in the server configuration',
    check: (m) =>
      m.dbMasters
        .filter((d) => d.logBin === false)
        .map((d) => hit(`${d.name}: the binary log is off`, d.pos.logBin ?? d.pos.name)),
  },
  {
    id: 'db-gtid-agree',
    severity: 'error',
    title: 'same GTID mode on both masters',
    why: 'with gtid_strict_mode on one master only, an out-of-order transaction stops replication in one direction and not the other, and the two drift apart',
    fix: 'set gtid_strict_mode the same on every master',
    check(m) {
      const out: Hit[] = [];
      const modes = groupBy(m.dbMasters, (d) =>
        String(d.gtidStrictMode ?? 'OFF')
          .toUpperCase()
          .replace(/^(1|TRUE|YES)$/, 'ON')
          .replace(/^(0|FALSE|NO)$/, 'OFF'),
      );
      if (modes.size > 1) {
        const odd = [...modes.values()][1]![0]!;
        out.push(
          hit(
            `masters disagree on gtid_strict_mode (${m.dbMasters.map((d) => `${d.name}: ${String(d.gtidStrictMode ?? 'OFF')}`).join(', ')})`,
            odd.pos.gtidStrictMode ?? odd.pos.name,
          ),
        );
      }
      return out;
    },
  },
];
