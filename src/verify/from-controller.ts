// Checks only the client's side of the network can make: does each real server answer HTTP on
// its service port, does the VIP answer (where the directors forward with IPVS), and does only
// the VIP's holder answer ARP for the VIP (a real server that answers steals the VIP's
// traffic). They need a vantage point on the cluster's segment: the lab's controller namespace.
// Every address goes through the lab's route guard first; an inventory that is not the lab's
// gets no such checks (verify never sends traffic from the machine's own network).
import type { ClusterModel } from '../cluster/model.js';
import { assertLabRoute, macOf, runFromController } from '../lab/index.js';
import type { HostProbe, HostReading } from '../status/index.js';
import type { Check } from './checks.js';

/** true when every address is a lab address reachable from the controller namespace. */
async function allInLab(addrs: string[]): Promise<boolean> {
  try {
    for (const a of addrs) await assertLabRoute(a);
    return true;
  } catch {
    return false;
  }
}

/** `curl` from the controller: the HTTP status and the time, or why there was none. */
async function httpFrom(addr: string, port: number): Promise<{ code: number; ms: number } | { error: string }> {
  const r = await runFromController(
    [addr],
    ['curl', '-s', '-o', '/dev/null', '--max-time', '3', '-w', '%{http_code} %{time_total}', `http://${addr}:${port}/`],
  );
  const [code, secs] = r.stdout.trim().split(' ');
  if (r.code === 127 || /not found|No such file/.test(r.stderr))
    return { error: 'curl is not installed on this machine' };
  if (!code || code === '000') return { error: `no HTTP answer (curl exit ${r.code})` };
  return { code: Number(code), ms: Math.round(Number(secs) * 1000) };
}

/** The MACs that answer ARP for `ip` on the lab segment (every reply, not just the first). */
export function arpRepliers(arpingOutput: string): string[] {
  const macs = [...arpingOutput.matchAll(/reply from \S+ \[([0-9A-Fa-f:]{17})\]/g)].map((m) => m[1]!.toLowerCase());
  return [...new Set(macs)];
}

export async function controllerChecks(model: ClusterModel, probes: HostProbe[], hosts: string[]): Promise<Check[]> {
  const vips = [...new Set(model.services.map((s) => s.vip))];
  const realServers = model.realServers.filter((r) => hosts.includes(r.host));
  if (!(await allInLab([...vips, ...realServers.map((r) => r.address)]))) return [];
  const checks: Check[] = [];
  const readingOf = (h: string) => probes.find((p): p is HostReading => p.host === h && p.reachable);
  for (const rs of realServers) {
    const ports = [
      ...new Set(
        model.services.flatMap((s) => s.realServers.filter((x) => x.host === rs.host).map((x) => x.port ?? s.port)),
      ),
    ].filter((p): p is number => p !== undefined);
    for (const port of ports) {
      const r = await httpFrom(rs.address, port);
      const ok = 'code' in r && r.code >= 200 && r.code < 400;
      checks.push({
        id: 'http',
        host: rs.host,
        title: `answers HTTP on ${rs.address}:${port} from the controller`,
        ok,
        detail: 'code' in r ? `HTTP ${r.code} in ${r.ms} ms` : r.error,
      });
    }
  }
  const directors = model.directors.filter((d) => hosts.includes(d.host));
  // The VIP only serves where a director forwards it with IPVS; VRRP alone just holds the address.
  const ipvs = directors.some((d) => readingOf(d.host)?.ipvs !== undefined);
  for (const s of ipvs ? model.services : []) {
    if (s.port === undefined || s.protocol.toUpperCase() !== 'TCP') continue;
    const r = await httpFrom(s.vip, s.port);
    const ok = 'code' in r && r.code >= 200 && r.code < 400;
    checks.push({
      id: 'http-vip',
      title: `the VIP answers HTTP on ${s.vip}:${s.port} from the controller`,
      ok,
      detail: 'code' in r ? `HTTP ${r.code} in ${r.ms} ms` : r.error,
    });
  }
  // ARP silence is judged for the whole segment: it needs every director and real server read.
  if (directors.length !== model.directors.length || realServers.length !== model.realServers.length) return checks;
  const names = new Map([...model.directors, ...model.realServers].map((h) => [macOf(h.host), h.host]));
  for (const vip of vips) {
    const holders = model.directors
      .filter((d) => readingOf(d.host)?.addresses.some((a) => a.address === vip && a.dev !== 'lo'))
      .map((d) => d.host);
    const r = await runFromController([vip], ['arping', '-c', '3', '-w', '3', '-I', 'eth0', vip]);
    if (r.code === 127 || /not found|No such file/.test(r.stderr)) {
      checks.push({
        id: 'arp-silence',
        title: `only the VIP's holder answers ARP for ${vip}`,
        ok: false,
        detail: 'arping is not installed on this machine (apt-get install iputils-arping)',
      });
      continue;
    }
    const who = arpRepliers(r.stdout).map((m) => names.get(m) ?? m);
    const strangers = who.filter((h) => !holders.includes(h));
    checks.push({
      id: 'arp-silence',
      title: `only the VIP's holder answers ARP for ${vip}`,
      ok: who.length === 1 && strangers.length === 0,
      detail: who.length
        ? `answered by ${who.join(', ')}${strangers.length ? ` (not the holder: ${strangers.join(', ')})` : ''}`
        : 'nobody answered',
    });
  }
  return checks;
}
