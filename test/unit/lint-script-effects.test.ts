// What an init script does, read from its syntax tree, and the rules over it: alone (tools,
// usage line, syntax) and against keepalived.conf or the inventory (VIP, IPVS, forwarding).
import { describe, expect, test } from 'vitest';
import { lint } from '../../src/lint/index.js';
import { readFileSync } from 'node:fs';
import { describeEffects, scriptEffects, ScriptParseError } from '../../src/lint/script-effects.js';

const F = 'test/fixtures/lint/scripts';
const at = (p: { line: number; col: number }) => `${p.line}:${p.col}`;
const rules = (r: ReturnType<typeof lint>, ...ids: string[]) =>
  r.findings.filter((f) => ids.includes(f.rule)).map((f) => `${f.rule}@${f.pos?.line} ${f.severity}`);

describe('script effects', () => {
  test('addresses by ip and ifconfig, with interface, prefix and label; removals', () => {
    const e = scriptEffects(
      'V=10.0.0.5\nip addr add $V/32 dev lo label lo:vip\nip -4 a del ${V}/32 dev lo\n/sbin/ifconfig eth0:1 $V netmask 255.255.255.0 up\nifconfig eth0:1 down\n',
      's',
    );
    expect(
      e.addresses.map((a) => `${a.op} ${a.address}/${a.prefix ?? '-'} ${a.iface} ${a.label ?? '-'} ${a.tool}`),
    ).toEqual([
      'add 10.0.0.5/32 lo lo:vip ip',
      'del 10.0.0.5/32 lo - ip',
      'add 10.0.0.5/24 eth0 eth0:1 ifconfig',
      'del /- eth0 eth0:1 ifconfig',
    ]);
  });

  test('ipvsadm: clear, services, real servers with method and weight, deletions', () => {
    const e = scriptEffects(
      'ipvsadm -C\nipvsadm -A -t 10.0.0.5:80 -s wlc\nipvsadm -a -t 10.0.0.5:80 -r 10.0.0.11:80 -m -w 3\nipvsadm -d -t 10.0.0.5:80 -r 10.0.0.11:80\nipvsadm -D -u 10.0.0.5:53\nipvsadm -A -f 7 -s rr\n',
      's',
    );
    expect(
      e.ipvs.map((x) =>
        [x.op, x.service, x.protocol, x.scheduler, x.real, x.method, x.weight].filter(Boolean).join(' '),
      ),
    ).toEqual([
      'clear',
      'add-service 10.0.0.5:80 tcp wlc',
      'add-real 10.0.0.5:80 tcp 10.0.0.11:80 NAT 3',
      'del-real 10.0.0.5:80 tcp 10.0.0.11:80',
      'del-service 10.0.0.5:53 udp',
      'add-service 7 fwmark rr',
    ]);
  });

  test('sysctls by sysctl -w and by echo into /proc/sys, through a for loop; routes; services', () => {
    const e = scriptEffects(
      'for d in lo all; do\n  sysctl -q -w "net.ipv4.conf.$d.arp_ignore=1"\ndone\necho 1 > /proc/sys/net/ipv4/ip_forward\nip route add 10.1.0.0/16 via 10.0.0.1\nroute add -host 10.0.0.5 dev eth0\nsystemctl restart keepalived.service\nservice nginx start\n/etc/init.d/ipvsadm start\n',
      's',
    );
    expect(e.sysctls.map((s) => `${s.key}=${s.value}@${at(s.pos)}`)).toEqual([
      'net.ipv4.conf.lo.arp_ignore=1@2:3',
      'net.ipv4.conf.all.arp_ignore=1@2:3',
      'net.ipv4.ip_forward=1@4:1',
    ]);
    expect(e.routes.map((r) => `${r.op} ${r.args.join(' ')}`)).toEqual([
      'add 10.1.0.0/16 via 10.0.0.1',
      'add -host 10.0.0.5 dev eth0',
    ]);
    expect(e.services.map((s) => `${s.op} ${s.name}`)).toEqual(['restart keepalived', 'start nginx', 'start ipvsadm']);
  });

  test('functions are followed where called, under the $1 action that calls them; usage and cases are read', () => {
    const e = scriptEffects(
      'up() { ip addr add 10.0.0.5/32 dev lo; }\ncase "$1" in\n  start|reload) up ;;\n  stop) ip addr del 10.0.0.5/32 dev lo ;;\n  *) echo "Usage: $0 {start|stop|status}" ;;\nesac\n',
      's',
    );
    expect(e.addresses.map((a) => `${a.op} ${a.actions.join(',')} ${at(a.pos)}`)).toEqual([
      'add start,reload 1:8',
      'del stop 4:9',
    ]);
    expect(e.cases.map((c) => c.action)).toEqual(['start', 'reload', 'stop']);
    expect(e.usage?.actions).toEqual(['start', 'stop', 'status']);
  });

  test('${V:-default} gives the default when V is not known; ${#V} and ${V%x} stay as written', () => {
    const e = scriptEffects(
      'ip addr add "${VIP:-10.0.0.9}/32" dev lo\nV=10.0.0.5\nip addr add ${V%x}/32 dev lo\n',
      's',
    );
    expect(e.addresses.map((a) => a.address)).toEqual(['10.0.0.9', '$V']);
  });

  test('what a script does, in words, per action, in script order', () => {
    const e = scriptEffects(readFileSync(`${F}/director-conflict.sh`, 'utf8'), 'x');
    expect(describeEffects(e).split('; ')).toEqual([
      'start: sets net.ipv4.ip_forward=1, adds 10.0.7.247/32 on eth0:0, route add -host 10.0.7.247 dev eth0:0, clears the IPVS table, adds IPVS service 10.0.7.247:80 (wrr), adds real server 10.0.7.211:80 to 10.0.7.247:80 (DR, weight 1), adds real server 10.0.7.29:80 to 10.0.7.247:80 (DR, weight 1)',
      'restart: clears the IPVS table, sets net.ipv4.ip_forward=1, adds 10.0.7.247/32 on eth0:0, route add -host 10.0.7.247 dev eth0:0, adds IPVS service 10.0.7.247:80 (wrr), adds real server 10.0.7.211:80 to 10.0.7.247:80 (DR, weight 1), adds real server 10.0.7.29:80 to 10.0.7.247:80 (DR, weight 1)',
      'stop: clears the IPVS table, takes eth0:0 down',
    ]);
  });

  test('a script that does not parse says where', () => {
    expect(() => scriptEffects('case "$1" in\nstart) x ;;\n', 'bad.sh')).toThrow(ScriptParseError);
    try {
      scriptEffects('if then fi\n', 'bad.sh');
    } catch (e) {
      expect((e as ScriptParseError).pos).toEqual({ file: 'bad.sh', line: 1, col: 1 });
    }
  });
});

describe('script rules', () => {
  test('script-vip-vrrp and script-ipvs-keepalived: a director script against its keepalived.conf', () => {
    const r = lint({
      scripts: [`${F}/director-conflict.sh`],
      keepalived: [`${F}/director-keepalived.conf`],
      shellcheck: false,
    });
    expect(rules(r, 'script-vip-vrrp', 'script-ipvs-keepalived')).toEqual([
      'script-vip-vrrp@10 error',
      'script-ipvs-keepalived@12 error',
      'script-ipvs-keepalived@13 error',
      'script-ipvs-keepalived@15 error',
      'script-ipvs-keepalived@24 error',
    ]);
    expect(r.findings.find((f) => f.rule === 'script-vip-vrrp')?.message).toContain(
      'adds 10.0.7.247 on eth0 (ifconfig), which VRRP instance VI_1',
    );
  });

  test('the same script against the inventory: the director role owns the VIP and the virtual service', () => {
    const r = lint({
      inventory: ['test/fixtures/lint/inventory/good.ini'],
      scripts: [`${F}/director-conflict.sh`],
      shellcheck: false,
    });
    expect(rules(r, 'script-vip-vrrp')).toEqual(['script-vip-vrrp@10 error']);
    expect(rules(r, 'script-ipvs-keepalived')).toHaveLength(4);
  });

  test('alone, the script conflicts with nothing; ip_forward is info only next to DR services', () => {
    const r = lint({ scripts: [`${F}/director-conflict.sh`], shellcheck: false });
    expect(rules(r, 'script-vip-vrrp', 'script-ipvs-keepalived')).toEqual([]);
    // its own ipvsadm services are DR (-g)
    expect(rules(r, 'script-ip-forward')).toEqual(['script-ip-forward@9 info']);
    const nat = lint({
      scripts: [`${F}/director-conflict.sh`],
      keepalived: ['test/fixtures/lint/keepalived-corpus/tutorial-lvs-nat.conf'],
      shellcheck: false,
    });
    // the script's services are still DR: the rule sees one
    expect(rules(nat, 'script-ip-forward')).toEqual(['script-ip-forward@9 info']);
  });

  test('script-net-tools: ifconfig and route, with the ip command to write instead', () => {
    const r = lint({ scripts: [`${F}/director-conflict.sh`], shellcheck: false });
    const f = r.findings.filter((x) => x.rule === 'script-net-tools');
    expect(f.map((x) => `${x.pos?.line} ${x.severity} ${x.fix}`)).toEqual([
      '10 warning use ip addr add 10.0.7.247/32 dev eth0 label eth0:0',
      '11 warning use ip route add|del ...',
      '29 warning use ip addr add ADDR/PREFIX dev IFACE label IFACE:N (and ip link set IFACE up)',
    ]);
  });

  test('script-usage: handled but not listed, listed but not handled', () => {
    const r = lint({ scripts: [`${F}/director-conflict.sh`], shellcheck: false });
    expect(r.findings.filter((x) => x.rule === 'script-usage').map((x) => `${x.pos?.line} ${x.message}`)).toEqual([
      "23 the script handles 'restart', which its usage line (start|stop|status) does not list",
      `32 the usage line lists 'status', which no case of "$1" handles (it falls to the usage message)`,
    ]);
  });

  test('rs-arp-sysctls from a script: lo alone is not enough; the loop over lo and all is', () => {
    expect(rules(lint({ scripts: [`${F}/realserver-lo-only.sh`], shellcheck: false }), 'rs-arp-sysctls')).toEqual([
      'rs-arp-sysctls@7 error',
      'rs-arp-sysctls@8 error',
    ]);
    expect(lint({ scripts: [`${F}/realserver-loop.sh`], shellcheck: false }).findings).toEqual([]);
  });

  test('script-parse: an error at the place the shell stops', () => {
    const r = lint({ scripts: [`${F}/broken-syntax.sh`], shellcheck: false });
    expect(r.findings.map((f) => `${f.rule} ${f.severity} ${f.pos?.line}:${f.pos?.col}`)).toEqual([
      'script-parse error 3:1',
    ]);
  });
});
