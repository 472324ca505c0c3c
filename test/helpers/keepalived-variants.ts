// Generated keepalived.conf files for the differential lint test: deterministic (a seeded PRNG),
// built from the keyword tables (src/lint/keepalived/keywords.json) and a valid director config
// modelled on the corpus, each variant changing one thing: a keyword in its block, in the wrong
// block, without its value, with a value out of range or of the wrong type or case, addresses,
// references to undefined things, duplicates, braces, includes, comments, quoting, tabs, CRLF,
// a BOM, long lines, empty files.
import { seeded } from '../../bench/src/faults.js';
import tables from '../../src/lint/keepalived/keywords.json' with { type: 'json' };
import { CHECKERS } from '../../src/lint/keepalived/model.js';

export interface Variant {
  /** File name (unique, [A-Za-z0-9._-]). */
  name: string;
  /** What kind of change it makes (the test reports agreement per category). */
  category: string;
  text: string;
  /** Further files written beside it (for include). */
  extra?: Record<string, string>;
  /**
   * Why `keepalived -t`'s verdict on it depends on the machine it runs on rather than on the file
   * (an interface the host may lack, a kernel feature): no file-only check can predict those.
   */
  host?: string;
}

/** What makes a file's verdict the host's: an interface name, a kernel feature. */
const HOST_DEPENDENT: Array<[RegExp, string]> = [
  [/\beth9\b/, 'names an interface (eth9): -t fails where the host has none of that name'],
  [/\bdisable_local_igmp\b/, 'needs /proc/sys/net/ipv4/igmp_link_local_mcast_reports, which not every kernel has'],
  [/^\s*vrf\b/m, 'names a VRF interface, which the host has or not'],
];

/**
 * Keywords whose values are words from a list of keepalived's own that lint does not know yet
 * (the values probe finds no word they take): variants that give them a bad value are reported
 * as open, not failed. None now: the six that were (ip_family, old_unicast_checksum, strict_mode,
 * lvs_timeouts, vrrp_iptables, init_file) have their words in check.ts's WORD_VALUES.
 */
export const OPEN_KEYWORDS: string[] = [];

/** A seeded generator (mulberry32, the fault bench's): the same sequence on every machine. */
export const prng = seeded;

type Table = Record<string, string[]>;
const T = tables as Record<'2.2' | '2.3', Table>;
/** Block -> every keyword either version knows there. */
export const UNION: Table = Object.fromEntries(
  [...new Set([...Object.keys(T['2.2']), ...Object.keys(T['2.3'])])].map((b) => [
    b,
    [...new Set([...(T['2.2'][b] ?? []), ...(T['2.3'][b] ?? [])])].sort(),
  ]),
);

/** The checkers a real server can hold (BFD_CHECK needs a bfd_instance, left out). */
const CHECKS = [...CHECKERS].filter((c) => c !== 'BFD_CHECK');

/** Lines added to each block of the base config (`top` is the file level). */
export type Parts = Partial<Record<string, string[]>>;

const ind = (n: number, ls: readonly string[] = []): string[] => ls.map((l) => `${' '.repeat(n)}${l}`);

/**
 * A valid director config (one VRRP instance, one DR virtual service with one real server and its
 * check), with `parts` added to its blocks; blocks that only some variants need (vrrp_script,
 * the sync group and its second instance, track process and file) appear when a part names them.
 */
export function config(parts: Parts = {}, withCheck?: string): string {
  const p = (b: string): string[] => parts[b] ?? [];
  const check = withCheck ?? CHECKS.find((c) => parts[c]) ?? 'TCP_CHECK';
  const checkBody: Record<string, string[]> = {
    TCP_CHECK: ['connect_timeout 3'],
    HTTP_GET: ['url {', '    path /', '    status_code 200', ...ind(4, p('url')), '}', 'connect_timeout 3'],
    SSL_GET: ['url {', '    path /', '    status_code 200', ...ind(4, p('url')), '}', 'connect_timeout 3'],
    MISC_CHECK: ['misc_path "/usr/sbin/keepalived"'],
    SMTP_CHECK: ['connect_timeout 3'],
    DNS_CHECK: ['name example.com'],
    UDP_CHECK: ['connect_timeout 3'],
    PING_CHECK: ['connect_timeout 3'],
    FILE_CHECK: ['track_file tf'],
  };
  const needScript = !!parts.vrrp_script || check === 'MISC_CHECK';
  const needFile = !!parts.vrrp_track_file || check === 'FILE_CHECK';
  const out = [
    'global_defs {',
    ...ind(3, ['router_id LVS_DEVEL', ...(needScript ? ['enable_script_security', 'script_user root'] : [])]),
    ...ind(3, p('global_defs')),
    '}',
  ];
  if (parts.vrrp_script)
    out.push(
      'vrrp_script chk {',
      ...ind(3, ['script "/usr/sbin/keepalived"', 'interval 2']),
      ...ind(3, p('vrrp_script')),
      '}',
    );
  if (parts.vrrp_track_process)
    out.push('vrrp_track_process tp {', ...ind(3, ['process haproxy']), ...ind(3, p('vrrp_track_process')), '}');
  if (needFile)
    out.push('vrrp_track_file tf {', ...ind(3, ['file "/etc/passwd"']), ...ind(3, p('vrrp_track_file')), '}');
  const instance = (name: string, vrid: number, vip: string, extra: string[]): string[] => [
    `vrrp_instance ${name} {`,
    ...ind(3, ['state MASTER', 'interface eth0', `virtual_router_id ${vrid}`, 'priority 100', 'advert_int 1']),
    ...ind(3, ['authentication {', '    auth_type PASS', '    auth_pass 1111', ...ind(4, p('authentication')), '}']),
    ...ind(3, ['virtual_ipaddress {', `    ${vip}`, '}']),
    ...ind(3, extra),
    '}',
  ];
  out.push(
    ...instance('VI_1', 51, '192.168.200.16', [
      ...(parts.vrrp_script ? ['track_script {', '    chk', '}'] : []),
      ...(parts.vrrp_track_process ? ['track_process {', '    tp', '}'] : []),
      ...(parts.vrrp_track_file ? ['track_file {', '    tf', '}'] : []),
      ...p('vrrp_instance'),
    ]),
  );
  if (parts.vrrp_sync_group)
    out.push(
      ...instance('VI_2', 52, '192.168.200.17', []),
      'vrrp_sync_group VG1 {',
      ...ind(3, ['group {', '    VI_1', '    VI_2', '}']),
      ...ind(3, p('vrrp_sync_group')),
      '}',
    );
  out.push(
    'virtual_server 192.168.200.16 80 {',
    ...ind(4, ['delay_loop 6', 'lb_algo wrr', 'lb_kind DR', 'protocol TCP', ...p('virtual_server')]),
    ...ind(4, ['real_server 192.168.200.2 80 {', '    weight 1', ...ind(4, p('real_server'))]),
    ...ind(8, [`${check} {`, ...ind(4, checkBody[check]), ...ind(4, p(check)), '}']),
    '    }',
    // A second real server: what the first one's lines do (a weight 0) is judged on its own.
    ...ind(4, [
      'real_server 192.168.200.3 80 {',
      '    weight 1',
      '    TCP_CHECK {',
      '        connect_timeout 3',
      '    }',
      '}',
    ]),
    '}',
    ...p('top'),
  );
  return `${out.join('\n')}\n`;
}

/** A value keepalived should take for a keyword (a guess from its name; the daemon is the judge). */
export function plausibleValue(kw: string, block: string): string {
  const known: Record<string, string> = {
    state: 'BACKUP',
    interface: 'eth0',
    virtual_router_id: '60',
    priority: '90',
    lb_algo: 'rr',
    lvs_sched: 'rr',
    lb_kind: 'DR',
    lvs_method: 'DR',
    protocol: 'TCP',
    auth_type: 'PASS',
    auth_pass: 'secret',
    router_id: 'LVS_B',
    script: '"/usr/sbin/keepalived"',
    misc_path: '"/usr/sbin/keepalived"',
    path: '/index.html',
    url: '',
    digest: '9b3a0c85a887a256d6939da88aabd8cd',
    status_code: '200',
    virtualhost: 'www.example.com',
    smtp_server: '127.0.0.1',
    notification_email_from: 'lvs@example.com',
    process: 'haproxy',
    file: '"/etc/passwd"',
    track_file: 'tf',
    name: 'example.com',
    type: 'A',
    helo_name: 'lvs.example.com',
    host: '192.168.200.2',
    user: 'root',
    script_user: 'root',
    http_protocol: '1.1',
    payload: '00',
    sorry_server: '192.168.200.9 80',
    mcast_src_ip: '192.168.200.1',
    unicast_src_ip: '192.168.200.1',
    vrrp_mcast_group4: '224.0.0.18',
    vrrp_mcast_group6: 'ff02::12',
    default_interface: 'eth0',
    lvs_sync_daemon: 'eth0 VI_1',
    lvs_sync_daemon_interface: 'eth0',
    version: '2',
    vrrp_version: '2',
    umask: '022',
    vmac_prefix: '00:00:5e:00:01',
    vmac_addr_prefix: '00:00:5e:00:01',
  };
  if (known[kw] !== undefined) return known[kw];
  if (/(^|_)(notify|script|fifo|quorum_up|quorum_down)($|_)|_script$/.test(kw)) return '"/usr/sbin/keepalived"';
  if (/(_ip|_addr|_src|bindto|connect_ip)$/.test(kw)) return '192.168.200.1';
  if (/(interface|_if|_dev)$/.test(kw)) return 'eth0';
  if (/(file|_dir|_path)$/.test(kw)) return '"/tmp/keepalived.x"';
  if (/(process_name|service_name|_name)$/.test(kw)) return 'kname';
  if (/(_email)$/.test(kw)) return 'admin@example.com';
  void block;
  return '3';
}

/** Keywords that open a block of their own (written `kw {` ... `}`). */
export const BLOCK_KEYWORDS = new Set([
  'authentication',
  'virtual_ipaddress',
  'virtual_ipaddress_excluded',
  'virtual_routes',
  'virtual_rules',
  'unicast_peer',
  'track_interface',
  'track_script',
  'track_process',
  'track_file',
  'track_bfd',
  'notification_email',
  'url',
  'group',
  // SMTP_CHECK's host { ... }: 2.3.3 written `host ADDRESS` never returns from -t.
  'host',
  'real_server',
  'sorry_server_inhibit',
  'static_ipaddress',
  'static_routes',
  'static_rules',
  'linkbeat_interfaces',
  ...CHECKS,
]);

/** `lines` added to block `b` of the base config. */
export const inBlock = (b: string, lines: string[]): Parts =>
  b === 'url' ? { HTTP_GET: [], url: lines } : { [b]: lines };

export function keepalivedVariants(seed: number): Variant[] {
  const rnd = prng(seed);
  const pick = <X>(xs: readonly X[]): X => xs[Math.floor(rnd() * xs.length)]!;
  const out: Variant[] = [];
  const add = (category: string, text: string, extra?: Record<string, string>): void => {
    const host = HOST_DEPENDENT.find(([re]) => re.test(text))?.[1];
    out.push({
      name: `g${String(out.length).padStart(4, '0')}-${category}.conf`,
      category,
      text,
      ...(extra ? { extra } : {}),
      ...(host ? { host } : {}),
    });
  };
  const blocks = Object.keys(UNION).filter((b) => b !== 'top');
  const numeric = (kw: string, b: string): boolean =>
    plausibleValue(kw, b) === '3' || /^\d+$/.test(plausibleValue(kw, b));

  add('base', config());
  // Every keyword of either version, in its block, with a plausible value.
  for (const b of blocks) {
    for (const kw of UNION[b]!) {
      if (BLOCK_KEYWORDS.has(kw)) continue;
      add('in-block', config(inBlock(b, [`${kw} ${plausibleValue(kw, b)}`])));
    }
  }
  const pairs = blocks.flatMap((b) => UNION[b]!.filter((k) => !BLOCK_KEYWORDS.has(k)).map((k) => [b, k] as const));
  // A keyword in a block that does not take it.
  for (let i = 0; i < 40; i++) {
    const [from, kw] = pick(pairs);
    const to = pick(blocks.filter((b) => b !== from && !UNION[b]!.includes(kw)));
    add('wrong-block', config(inBlock(to, [`${kw} ${plausibleValue(kw, from)}`])));
  }
  // Without its value.
  for (let i = 0; i < 40; i++) {
    const [b, kw] = pick(pairs);
    add('no-value', config(inBlock(b, [kw])));
  }
  // Numbers out of range, and values of the wrong type.
  const numbers = pairs.filter(([b, k]) => numeric(k, b));
  for (let i = 0; i < 40; i++) {
    const [b, kw] = pick(numbers);
    add(
      'out-of-range',
      config(inBlock(b, [`${kw} ${pick(['-1', '0', '4294967296', '99999999999999999999', '256', '65536'])}`])),
    );
  }
  for (let i = 0; i < 30; i++) {
    const [b, kw] = pick(numbers);
    add('wrong-type', config(inBlock(b, [`${kw} ${pick(['abc', '1.5', '1e3', '0x10', '3s', '+3', '3,5', 'yes'])}`])));
  }
  for (const [b, kw, bad] of [
    ['vrrp_instance', 'state', 'master'],
    ['vrrp_instance', 'state', 'Backup'],
    ['vrrp_instance', 'state', 'FAULT'],
    ['virtual_server', 'lb_kind', 'dr'],
    ['virtual_server', 'lb_kind', 'Nat'],
    ['virtual_server', 'protocol', 'tcp'],
    ['virtual_server', 'lb_algo', 'WRR'],
    ['virtual_server', 'lb_algo', 'Rr'],
    ['authentication', 'auth_type', 'pass'],
    ['vrrp_instance', 'priority', '100.5'],
    ['vrrp_instance', 'advert_int', '0.5'],
    ['vrrp_instance', 'advert_int', '0'],
    ['vrrp_instance', 'virtual_router_id', '0'],
    ['vrrp_instance', 'virtual_router_id', '255'],
    ['vrrp_instance', 'priority', '0'],
    ['vrrp_instance', 'priority', '255'],
    ['vrrp_instance', 'priority', '256'],
    ['real_server', 'weight', '-1'],
    ['virtual_server', 'delay_loop', '0'],
    ['virtual_server', 'quorum', '5'],
  ] as const)
    add('bad-value', config(inBlock(b, [`${kw} ${bad}`])));
  // Keywords in the wrong case.
  for (let i = 0; i < 15; i++) {
    const [b, kw] = pick(pairs);
    const cased = pick([kw.toUpperCase(), kw[0]!.toUpperCase() + kw.slice(1)]);
    if (cased !== kw) add('case', config(inBlock(b, [`${cased} ${plausibleValue(kw, b)}`])));
  }
  // Addresses.
  const addresses = [
    '192.168.200.300',
    '192.168.200.16/24',
    '192.168.200.18/33',
    '192.168.200.18/',
    '192.168.200',
    '2001:db8::10',
    '2001:db8::10/64',
    'fe80::10/64',
    '2001:db8::zz',
    '192.168.200.18 dev eth0',
    '192.168.200.18/24 dev eth0 label eth0:1',
    '192.168.200.18/24 brd 192.168.200.255 dev eth1 scope global',
    '192.168.200.18 dev eth9',
    'example.com',
  ];
  for (const a of addresses) {
    add('address', config({ top: [] }).replace('    192.168.200.16\n', `    ${a}\n`));
    add(
      'address',
      config({ vrrp_instance: [`unicast_src_ip ${a.split(' ')[0]}`, 'unicast_peer {', `    ${a.split(' ')[0]}`, '}'] }),
    );
    add('address', config().replace('real_server 192.168.200.2 80', `real_server ${a.split(' ')[0]} 80`));
    add('address', config().replace('virtual_server 192.168.200.16 80', `virtual_server ${a.split(' ')[0]} 80`));
  }
  add('address', config({ vrrp_instance: ['virtual_ipaddress_excluded {', '    2001:db8::1', '}'] }));
  add('address', config().replace('    192.168.200.16\n', '    192.168.200.16\n    2001:db8::1\n'));
  // References to things not defined.
  add('reference', config({ vrrp_instance: ['track_script {', '    nosuch', '}'] }));
  add(
    'reference',
    config({ vrrp_script: [], vrrp_instance: ['track_script {', '    chk weight -20', '    other', '}'] }),
  );
  add('reference', config({ vrrp_instance: ['track_process {', '    nosuch', '}'] }));
  add('reference', config({ vrrp_instance: ['track_file {', '    nosuch', '}'] }));
  add('reference', config({ vrrp_instance: ['track_interface {', '    eth1', '}'] }));
  add('reference', config({ vrrp_instance: ['track_interface {', '    eth9', '}'] }));
  add('reference', config({ top: ['vrrp_sync_group G2 {', '   group {', '      VI_1', '      VI_9', '   }', '}'] }));
  add('reference', config().replace('virtual_server 192.168.200.16 80', 'virtual_server group NOSUCH'));
  add('reference', config({ vrrp_instance: ['interface eth9'] }));
  add('reference', config({}, 'FILE_CHECK').replace('track_file tf\n', 'track_file nosuch\n'));
  add('reference', config({ global_defs: ['lvs_sync_daemon eth0 VI_9'] }));
  // Duplicates.
  const base = config();
  const vi = base.slice(base.indexOf('vrrp_instance'), base.indexOf('virtual_server'));
  const vs = base.slice(base.indexOf('virtual_server'));
  add('duplicate', base + vi);
  add('duplicate', base + vi.replace('virtual_router_id 51', 'virtual_router_id 52'));
  add('duplicate', base + vi.replace('VI_1', 'VI_2'));
  add('duplicate', base + vs);
  add('duplicate', base + vs.replace('192.168.200.16 80', '192.168.200.16 443'));
  add(
    'duplicate',
    base.replace('    real_server', `${vs.slice(vs.indexOf('    real_server'), vs.lastIndexOf('}'))}    real_server`),
  );
  add('duplicate', `global_defs {\n   router_id X\n}\n${base}`);
  add('duplicate', config({ vrrp_instance: ['priority 50'] }));
  add('duplicate', config({ vrrp_instance: ['state BACKUP'] }));
  add(
    'duplicate',
    config({ vrrp_script: [], top: ['vrrp_script chk {', '   script "/usr/sbin/keepalived --version"', '}'] }),
  );
  // Braces.
  add('braces', base.replace(/}\n$/, ''));
  add('braces', `${base}}\n`);
  add('braces', base.replace('authentication {', 'authentication\n   {'));
  add(
    'braces',
    base.replace('virtual_ipaddress {\n       192.168.200.16\n   }', 'virtual_ipaddress { 192.168.200.16 }'),
  );
  add('braces', base.replace('   }\n   virtual_ipaddress', '   virtual_ipaddress'));
  add('braces', base.replace('vrrp_instance VI_1 {', 'vrrp_instance VI_1 {{'));
  add('braces', base.replace('global_defs {', 'global_defs {}'));
  add('braces', base.replace('real_server 192.168.200.2 80 {', 'real_server 192.168.200.2 80 {\n        }'));
  add('braces', `{\n${base}`);
  add('braces', base.replace('lb_kind DR', 'lb_kind DR }'));
  // Includes.
  add('include', `${base}include missing.conf\n`);
  add('include', `${base}include nothing-*.conf\n`);
  add('include', `${base}include /etc/keepalived/nothing/*.conf\n`);
  add('include', `${base}include\n`);
  const vs2 = vs.replace('192.168.200.16 80', '192.168.200.16 443');
  add('include', `${base}include inc-vs-*.conf\n`, { 'inc-vs-a.conf': vs2 });
  add('include', `${base}include inc-bad-*.conf\n`, { 'inc-bad-a.conf': 'vrrp_instanse VI_3 {\n}\n' });
  add('include', base.replace('   router_id LVS_DEVEL', '   include inc-gd.conf'), {
    'inc-gd.conf': 'router_id FROM_INC\n',
  });
  add('include', base.replace('   router_id LVS_DEVEL', '   include inc-gd2.conf'), { 'inc-gd2.conf': 'lb_kind DR\n' });
  add('include', `include inc-self.conf\n${base}`, { 'inc-self.conf': 'include inc-self.conf\n' });
  // Comments.
  add('comment', base.replace('priority 100', 'priority 100 # the master'));
  add('comment', base.replace('priority 100', 'priority 100 ! the master'));
  add('comment', base.replace('priority 100', 'priority 100# the master'));
  add('comment', base.replace('priority 100', '# priority 100'));
  add('comment', base.replace('auth_pass 1111', 'auth_pass 11#1'));
  add('comment', base.replace('auth_pass 1111', 'auth_pass 11!1'));
  add('comment', base.replace('auth_pass 1111', 'auth_pass "11#1"'));
  add('comment', base.replace('router_id LVS_DEVEL', 'router_id LVS!DEVEL'));
  add('comment', base.replace('virtual_ipaddress {', 'virtual_ipaddress { # the VIP'));
  add('comment', base.replace('lb_kind DR', '  ! lb_kind NAT\n    lb_kind DR'));
  add('comment', base.replace('state MASTER', 'state MASTER#'));
  add('comment', base.replace('state MASTER', 'state #MASTER'));
  // Quoted strings.
  add('quote', base.replace('router_id LVS_DEVEL', 'router_id "LVS DEVEL"'));
  add('quote', base.replace('state MASTER', 'state "MASTER"'));
  add('quote', base.replace('state MASTER', '"state" MASTER'));
  add('quote', base.replace('priority 100', 'priority "100"'));
  add('quote', base.replace('router_id LVS_DEVEL', 'router_id "LVS_DEVEL'));
  add('quote', base.replace('auth_pass 1111', 'auth_pass "a b"'));
  add('quote', base.replace('auth_pass 1111', "auth_pass '1111'"));
  add('quote', base.replace('    192.168.200.16\n', '    "192.168.200.16"\n'));
  add('quote', base.replace('lb_algo wrr', 'lb_algo "wrr"'));
  // Whitespace, line ends, encodings, sizes.
  add('tabs', base.replace(/^ +/gm, '\t'));
  add('tabs', base.replace(/ /g, '\t'));
  add('tabs', base.replace('priority 100', 'priority\t\t100\t'));
  add('crlf', base.replace(/\n/g, '\r\n'));
  add('crlf', base.replace('priority 100\n', 'priority 100\r\n'));
  add('crlf', base.replace(/\n/g, '\r'));
  add('bom', `\uFEFF${base}`);
  add('bom', `\uFEFF! comment\n${base}`);
  add('long-line', base.replace('priority 100', `priority 100 ${'x'.repeat(5000)}`));
  add('long-line', `! ${'y'.repeat(20000)}\n${base}`);
  add('long-line', base.replace('router_id LVS_DEVEL', `router_id ${'R'.repeat(3000)}`));
  add('long-line', base.replace('auth_pass 1111', `auth_pass ${'p'.repeat(600)}`));
  add(
    'long-line',
    base.replace(
      '    192.168.200.16\n',
      `    ${Array.from({ length: 400 }, (_, i) => `10.9.${i >> 8}.${i & 255}`).join(' ')}\n`,
    ),
  );
  add('empty', '');
  add('empty', '\n\n\n');
  add('empty', '   \t  \n \n');
  add('empty', '! nothing but a comment\n# and another\n');
  add('empty', 'global_defs {\n}\n');
  add('empty', 'vrrp_instance VI_1 {\n}\n');
  // Keywords that 2.3 added (or 2.2 has and 2.3 does not), in their blocks: version differences.
  for (const b of blocks) {
    const a = new Set(T['2.2'][b] ?? []);
    const z = new Set(T['2.3'][b] ?? []);
    for (const kw of UNION[b]!)
      if (a.has(kw) !== z.has(kw) && !BLOCK_KEYWORDS.has(kw)) add('version', config(inBlock(b, [kw])));
  }
  return out;
}
