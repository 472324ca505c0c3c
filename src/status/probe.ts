// One shell script per host that reads everything status and verify look at, in one round trip.
// Its output is a list of sections, each opened by a marker line; files come back in base64 so
// their bytes (a missing final newline included) survive for the drift diff.
import { joinCommands, raw, sh, type ShellCommand } from '../transport/index.js';

export const MARK = '@@lvsplay-section ';

const FIXED = String.raw`s() { echo "${MARK}$1"; }
s addr; ip -o -4 addr 2>&1
s keepalived
if [ -r /run/keepalived.pid ] && kill -0 "$(cat /run/keepalived.pid)" 2>/dev/null; then echo running
elif pidof keepalived >/dev/null 2>&1; then echo running
elif command -v keepalived >/dev/null 2>&1 || [ -x /usr/sbin/keepalived ]; then echo stopped
else echo absent; fi
if [ -r /proc/net/ip_vs ]; then s ipvs; cat /proc/net/ip_vs; s ipvs_stats; cat /proc/net/ip_vs_stats 2>/dev/null; fi
s sysctl
for c in all lo; do for k in arp_ignore arp_announce; do printf '%s.%s=%s\n' "$c" "$k" "$(cat /proc/sys/net/ipv4/conf/$c/$k 2>/dev/null)"; done; done
s tcp; cat /proc/net/tcp /proc/net/tcp6 2>/dev/null
if command -v mysql >/dev/null 2>&1; then
  s mysql_slave; mysql --connect-timeout=1 -e 'SHOW SLAVE STATUS\G' 2>&1 || echo "@@error exit $?"
  s mysql_server_id; mysql --connect-timeout=1 -N -B -e 'SELECT @@server_id' 2>&1 || echo "@@error exit $?"
fi`;

/** The probe; `files` are read whole (absent files are reported as such). */
export function probeScript(files: readonly string[] = []): ShellCommand {
  const reads = files.map((f) => sh`if [ -r ${f} ]; then s ${'file:' + f}; base64 < ${f}; else s ${'nofile:' + f}; fi`);
  return joinCommands([sh`${raw(FIXED)}`, ...reads]);
}

/** Section name -> its text (without the marker lines). */
export function splitSections(stdout: string): Map<string, string> {
  const out = new Map<string, string>();
  let name: string | undefined;
  let lines: string[] = [];
  const flush = () => {
    if (name !== undefined) out.set(name, lines.join('\n'));
  };
  for (const line of stdout.split('\n')) {
    if (line.startsWith(MARK)) {
      flush();
      name = line.slice(MARK.length);
      lines = [];
    } else if (name !== undefined) lines.push(line);
  }
  flush();
  return out;
}
