#!/usr/bin/env python3
"""Writes the keepalived.conf corpus of lint's differential test (test/integration/keepalived-lint.test.ts)
into DIR (test/fixtures/lint/keepalived-corpus): one file per case, each self-contained, built from
the shapes LVS-DR tutorials and the keepalived.conf man page use. Add a case here, regenerate, and
the test runs it through lint and both keepalived versions.

Usage: scripts/keepalived-corpus.py test/fixtures/lint/keepalived-corpus
"""
import os, sys, textwrap
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
os.makedirs(out + '/inc', exist_ok=True)

HEAD = "! Modelled on common LVS-DR + keepalived tutorials and the keepalived.conf(5) man page\n! (written for lvsplay's differential lint test, not copied). Case: {why}\n"

def g(router_id='LVS_DEVEL', extra=''):
    return f"""global_defs {{
   notification_email {{
     admin@example.com
   }}
   notification_email_from lvs@example.com
   smtp_server 127.0.0.1
   smtp_connect_timeout 30
   router_id {router_id}
{extra}}}
"""

def vi(name='VI_1', state='MASTER', iface='eth0', vrid='51', prio='100', advert='1', auth='   authentication {\n       auth_type PASS\n       auth_pass 1111\n   }\n', vips='       192.168.200.16\n', extra=''):
    return f"""vrrp_instance {name} {{
   state {state}
   interface {iface}
   virtual_router_id {vrid}
   priority {prio}
   advert_int {advert}
{auth}{extra}   virtual_ipaddress {{
{vips}   }}
}}
"""

def chk(kind='TCP_CHECK', body='            connect_timeout 3\n            retry 3\n            delay_before_retry 3\n'):
    return f"""        {kind} {{
{body}        }}
"""

def rs(ip='192.168.200.2', port='80', weight='1', checks=None, extra=''):
    if checks is None: checks = chk()
    return f"""    real_server {ip} {port} {{
        weight {weight}
{extra}{checks}    }}
"""

def vs(vip='192.168.200.16', port='80', algo='    lb_algo wrr\n', kind='    lb_kind DR\n', proto='    protocol TCP\n', extra='', reals=None):
    if reals is None: reals = rs() + rs('192.168.200.3')
    head = f'virtual_server {vip} {port}' if port is not None else f'virtual_server {vip}'
    return f"""{head} {{
    delay_loop 6
{algo}{kind}    persistence_timeout 50
{proto}{extra}
{reals}}}
"""

C = {}
def case(name, why, text, files=None):
    C[name] = (why, text, files or {})

case('valid-master', 'the usual MASTER director', g() + vi() + vs())
case('valid-backup', 'the usual BACKUP director', g() + vi(state='BACKUP', prio='90') + vs())
case('valid-no-global', 'no global_defs at all', vi() + vs())
case('valid-vrrp-only', 'a VRRP-only pair, no virtual_server', g() + vi())
case('valid-lvs-only', 'IPVS only, no VRRP', g() + vs())
case('nat-mask', 'nat_mask from old NAT tutorials', g() + vi() + vs(extra='    nat_mask 255.255.255.0\n'))
case('nb-get-retry-tcp', 'nb_get_retry in a TCP_CHECK (keepalived 1.x spelling)', g() + vi() + vs(reals=rs(checks=chk(body='            connect_timeout 3\n            nb_get_retry 3\n            delay_before_retry 3\n'))))
case('nb-get-retry-http', 'nb_get_retry in an HTTP_GET', g() + vi() + vs(reals=rs(checks=chk('HTTP_GET', '            url {\n              path /\n              status_code 200\n            }\n            connect_timeout 3\n            nb_get_retry 3\n            delay_before_retry 3\n'))))
case('lvs-sched-method', 'lvs_sched and lvs_method instead of lb_algo and lb_kind', g() + vi() + vs(algo='    lvs_sched rr\n', kind='    lvs_method DR\n'))
case('lvs-id', 'lvs_id in global_defs (keepalived 1.x tutorials)', g(extra='   lvs_id LVS_DEVEL\n') + vi() + vs())
case('mcast-src-ip', 'mcast_src_ip in a vrrp_instance', g() + vi(extra='   mcast_src_ip 192.168.200.1\n'))
case('vrrp-garp-master-delay', 'vrrp_garp_master_delay in global_defs', g(extra='   vrrp_garp_master_delay 10\n') + vi())
case('typo-virtual-router-ip', 'typo virtual_router_ip', g() + vi().replace('virtual_router_id', 'virtual_router_ip'))
case('typo-priorty', 'typo priorty', g() + vi().replace('priority', 'priorty'))
case('typo-lb-kidn', 'typo lb_kidn', g() + vi() + vs(kind='    lb_kidn DR\n'))
case('typo-delay-loo', 'typo delay_loo', g() + vs().replace('delay_loop', 'delay_loo'))
case('typo-virtual-ipaddres', 'typo virtual_ipaddres (block)', g() + vi().replace('virtual_ipaddress {', 'virtual_ipaddres {'))
case('typo-real-sever', 'typo real_sever', g() + vs(reals=rs().replace('real_server', 'real_sever') + rs('192.168.200.3')))
case('bad-state', 'state ACTIVE', g() + vi(state='ACTIVE'))
case('state-lowercase', 'state master in lower case', g() + vi(state='master'))
case('vrid-300', 'virtual_router_id out of range', g() + vi(vrid='300'))
case('vrid-0', 'virtual_router_id 0', g() + vi(vrid='0'))
case('priority-0', 'priority 0', g() + vi(prio='0'))
case('priority-256', 'priority 256', g() + vi(prio='256'))
case('priority-255-backup', 'priority 255 on a BACKUP', g() + vi(state='BACKUP', prio='255'))
case('advert-abc', 'advert_int not a number', g() + vi(advert='abc'))
case('advert-fraction', 'advert_int 0.5', g() + vi(advert='0.5'))
case('bad-vip', 'a VIP that is no address', g() + vi(vips='       192.168.200.300\n'))
case('vip-dev-label', 'VIPs with prefix, dev and label', g() + vi(vips='       192.168.200.16/24 dev eth0 label eth0:1\n       192.168.200.17/24 dev eth0\n'))
case('vip-excluded', 'virtual_ipaddress_excluded', g() + vi(extra='   virtual_ipaddress_excluded {\n       192.168.201.16\n   }\n'))
case('lb-kind-foo', 'lb_kind FOO', g() + vs(kind='    lb_kind FOO\n'))
case('lb-kind-nat', 'lb_kind NAT', g() + vs(kind='    lb_kind NAT\n'))
case('lb-kind-tun', 'lb_kind TUN', g() + vs(kind='    lb_kind TUN\n'))
case('lb-algo-bogus', 'lb_algo that IPVS does not have', g() + vs(algo='    lb_algo roundrobin\n'))
case('lb-algo-sh', 'lb_algo sh', g() + vs(algo='    lb_algo sh\n'))
case('lb-algo-mh', 'lb_algo mh (maglev)', g() + vs(algo='    lb_algo mh\n'))
case('lb-algo-lblcr', 'lb_algo lblcr', g() + vs(algo='    lb_algo lblcr\n'))
case('protocol-xyz', 'protocol XYZ', g() + vs(proto='    protocol XYZ\n'))
case('protocol-udp', 'protocol UDP with a UDP_CHECK', g() + vs(port='53', proto='    protocol UDP\n', reals=rs(port='53', checks=chk('UDP_CHECK', '            connect_timeout 3\n'))))
case('no-protocol', 'no protocol line', g() + vs(proto=''))
case('track-script-undefined', 'track_script names no vrrp_script', g() + vi(extra='   track_script {\n       chk_haproxy\n   }\n'))
case('track-script-ok', 'vrrp_script and track_script', g() + 'vrrp_script chk_lvs {\n   script "/usr/sbin/keepalived --version"\n   interval 2\n   weight 2\n}\n' + vi(extra='   track_script {\n       chk_lvs\n   }\n'))
case('vrrp-script-fall-rise', 'vrrp_script with fall/rise/timeout', g() + 'vrrp_script chk {\n   script "/usr/sbin/keepalived --version"\n   interval 2\n   timeout 3\n   fall 2\n   rise 2\n}\n' + vi(extra='   track_script {\n       chk weight -20\n   }\n'))
case('vrrp-script-typo', 'vrrp_script with a typo (intervall)', g() + 'vrrp_script chk {\n   script "/usr/sbin/keepalived --version"\n   intervall 2\n}\n' + vi(extra='   track_script {\n       chk\n   }\n'))
case('unicast-peers', 'unicast peers', g() + vi(extra='   unicast_src_ip 192.168.200.1\n   unicast_peer {\n       192.168.200.2\n   }\n'))
case('unicast-src-bad', 'unicast_src_ip that is no address', g() + vi(extra='   unicast_src_ip 192.168.200.999\n   unicast_peer {\n       192.168.200.2\n   }\n'))
case('unicast-peer-bad', 'a unicast peer that is no address', g() + vi(extra='   unicast_peer {\n       director-b\n   }\n'))
case('auth-ah', 'auth_type AH', g() + vi(auth='   authentication {\n       auth_type AH\n       auth_pass 1111\n   }\n'))
case('auth-foo', 'auth_type FOO', g() + vi(auth='   authentication {\n       auth_type FOO\n       auth_pass 1111\n   }\n'))
case('auth-long-pass', 'auth_pass longer than 8 characters', g() + vi(auth='   authentication {\n       auth_type PASS\n       auth_pass averylongpassword\n   }\n'))
case('no-auth', 'no authentication block', g() + vi(auth=''))
case('http-get-digest', 'HTTP_GET with a digest', g() + vs(reals=rs(checks=chk('HTTP_GET', '            url {\n              path /index.html\n              digest 9b3a0c85a887a256d6939da88aabd8cd\n            }\n            connect_timeout 3\n            retry 3\n            delay_before_retry 3\n'))))
case('http-get-status', 'HTTP_GET with status_code and connect_port', g() + vs(reals=rs(checks=chk('HTTP_GET', '            url {\n              path /health\n              status_code 200\n            }\n            connect_port 80\n            connect_timeout 3\n'))))
case('http-get-no-url', 'HTTP_GET without a url', g() + vs(reals=rs(checks=chk('HTTP_GET', '            connect_timeout 3\n'))))
case('ssl-get', 'SSL_GET', g() + vs(port='443', reals=rs(port='443', checks=chk('SSL_GET', '            url {\n              path /\n              status_code 200\n            }\n            connect_timeout 3\n'))))
case('misc-check', 'MISC_CHECK with misc_path', g() + vs(reals=rs(checks=chk('MISC_CHECK', '            misc_path "/usr/sbin/keepalived --version"\n            misc_timeout 5\n'))))
case('smtp-check', 'SMTP_CHECK', g() + vs(port='25', reals=rs(port='25', checks=chk('SMTP_CHECK', '            connect_timeout 10\n            helo_name lvs.example.com\n'))))
case('dns-check', 'DNS_CHECK', g() + vs(port='53', proto='    protocol UDP\n', reals=rs(port='53', checks=chk('DNS_CHECK', '            type A\n            name example.com\n'))))
case('ping-check', 'PING_CHECK', g() + vs(reals=rs(checks=chk('PING_CHECK', ''))))
case('tcp-check-connect-ip', 'TCP_CHECK with connect_ip and bindto', g() + vs(reals=rs(checks=chk('TCP_CHECK', '            connect_ip 192.168.200.2\n            connect_port 80\n            bindto 192.168.200.1\n            connect_timeout 3\n'))))
case('check-unknown-kind', 'a check kind that does not exist (HTTPS_GET)', g() + vs(reals=rs(checks=chk('HTTPS_GET', '            connect_timeout 3\n'))))
case('sorry-server', 'sorry_server', g() + vs(extra='    sorry_server 192.168.200.200 80\n'))
case('fwmark', 'a fwmark virtual_server', g() + vs(vip='fwmark', port='1', reals=rs(port='0').replace(' 0 {', ' {')))
case('vs-group', 'virtual_server_group', g() + 'virtual_server_group HTTP {\n    192.168.200.16 80\n    192.168.200.17 80\n}\n' + vs(vip='group', port='HTTP'))
case('vs-group-undefined', 'virtual_server group that is not defined', g() + vs(vip='group', port='NOPE'))
case('vs-no-port', 'a virtual_server without its port', g() + vs(port=None))
case('vs-bad-vip', 'a virtual_server whose address is no address', g() + vs(vip='192.168.200.256'))
case('rs-bad-ip', 'a real_server that is no address', g() + vs(reals=rs(ip='web1')))
case('rs-weight-0', 'a real server at weight 0', g() + vs(reals=rs(weight='0')))
case('rs-weight-bad', 'a real server weight that is no number', g() + vs(reals=rs(weight='heavy')))
case('rs-inhibit', 'inhibit_on_failure', g() + vs(reals=rs(extra='        inhibit_on_failure\n')))
case('ha-suspend', 'ha_suspend', g() + vs(extra='    ha_suspend\n'))
case('quorum', 'quorum, hysteresis, quorum_up', g() + vs(extra='    quorum 1\n    hysteresis 0\n    quorum_up "/usr/sbin/keepalived --version"\n'))
case('alpha-omega', 'alpha and omega', g() + vs(extra='    alpha\n    omega\n'))
case('same-vrid-twice', 'two instances on one interface with the same VRID', g() + vi() + vi(name='VI_2', vips='       192.168.200.17\n'))
case('sync-group', 'vrrp_sync_group', g() + 'vrrp_sync_group VG1 {\n   group {\n      VI_1\n      VI_2\n   }\n}\n' + vi() + vi(name='VI_2', iface='eth1', vrid='52', vips='       10.0.0.1\n'))
case('sync-group-missing', 'vrrp_sync_group naming an instance that does not exist', g() + 'vrrp_sync_group VG1 {\n   group {\n      VI_1\n      VI_9\n   }\n}\n' + vi())
case('notify-scripts', 'notify_master/backup/fault', g() + vi(extra='   notify_master "/usr/sbin/keepalived --version"\n   notify_backup "/usr/sbin/keepalived --version"\n   notify_fault "/usr/sbin/keepalived --version"\n'))
case('include-ok', 'an include of a file beside it', g() + 'include inc/vi.conf\n' + vs(), {'inc/vi.conf': vi()})
case('include-missing', 'an include of a file that is not there', g() + 'include inc/nothere.conf\n' + vi())
case('include-glob', 'an include glob', g() + 'include inc/vs-*.conf\n' + vi(), {'inc/vs-a.conf': vs(), 'inc/vs-b.conf': vs(vip='192.168.200.17')})
case('include-bad-keyword', 'an included file with an unknown keyword', g() + 'include inc/bad.conf\n', {'inc/bad.conf': vi(extra='   lvs_sync_daemon_inteface eth0\n')})
case('vrrp-strict', 'vrrp_strict with PASS authentication', g(extra='   vrrp_strict\n') + vi())
case('vrrp-strict-noauth', 'vrrp_strict without authentication', g(extra='   vrrp_strict\n') + vi(auth=''))
case('track-interface', 'track_interface', g() + vi(extra='   track_interface {\n       eth1\n   }\n'))
case('nopreempt-master', 'nopreempt on a MASTER', g() + vi(extra='   nopreempt\n'))
case('nopreempt-backup', 'nopreempt on a BACKUP', g() + vi(state='BACKUP', extra='   nopreempt\n'))
case('preempt-delay', 'preempt_delay', g() + vi(state='BACKUP', extra='   preempt_delay 30\n'))
case('garp-master-delay', 'garp_master_delay', g() + vi(extra='   garp_master_delay 5\n'))
case('ipv6-vrrp3', 'VRRPv3 with an IPv6 VIP', g() + vi(extra='   version 3\n', auth='', vips='       2001:db8::16/64\n'))
case('unbalanced', 'a missing closing brace', g() + vi().rstrip('}\n') + '\n' + vs())
case('extra-brace', 'an extra closing brace', g() + vi() + '}\n' + vs())
case('bang-comments', '! comments and # comments mixed', '! Configuration File for keepalived\n' + g() + '# the VIP\n' + vi() + vs())
case('quoted-strings', 'quoted notify strings with spaces', g() + vi(extra='   notify "/usr/sbin/keepalived --version"\n'))
case('retry-on-rs', 'retry and delay_before_retry on the real_server', g() + vs(reals=rs(extra='        retry 3\n        delay_before_retry 2\n', checks=chk(body='            connect_timeout 3\n'))))
case('connect-timeout-0', 'connect_timeout 0', g() + vs(reals=rs(checks=chk(body='            connect_timeout 0\n'))))
case('missing-arg', 'priority without a value', g() + vi().replace('priority 100', 'priority'))
case('lvs-sync-daemon', 'lvs_sync_daemon in global_defs', g(extra='   lvs_sync_daemon eth0 VI_1\n') + vi() + vs())
case('lvs-sync-daemon-old', 'lvs_sync_daemon_interface in a vrrp_instance (1.2 spelling)', g() + vi(extra='   lvs_sync_daemon_interface eth0\n') + vs())
case('track-process', 'vrrp_track_process', g() + 'vrrp_track_process track_haproxy {\n   process haproxy\n   weight 10\n}\n' + vi(extra='   track_process {\n       track_haproxy\n   }\n'))
case('delay-loop-bad', 'delay_loop not a number', g() + vs().replace('delay_loop 6', 'delay_loop often'))
case('persistence-bad', 'persistence_timeout not a number', g() + vs().replace('persistence_timeout 50', 'persistence_timeout long'))
case('smtp-alert', 'smtp_alert in an instance', g() + vi(extra='   smtp_alert\n'))
case('virtual-routes', 'virtual_routes', g() + vi(extra='   virtual_routes {\n       192.168.100.0/24 via 192.168.200.254 dev eth0\n   }\n'))
case('linkbeat-polling', 'linkbeat_use_polling in global_defs', g(extra='   linkbeat_use_polling\n') + vi())
case('two-vs-same', 'the same virtual_server twice', g() + vs() + vs())
case('vs-keyword-in-vrrp', 'lb_algo written inside a vrrp_instance', g() + vi(extra='   lb_algo rr\n'))

# Keywords keepalived 2.3 (Debian 13) added: errors for 2.2 (Debian 12), fine for 2.3.
case('v23-json-version', 'json_version in global_defs (2.3 only)', g(extra='   json_version 2\n') + vi())
case('v23-no-virtual-ipaddress', 'no_virtual_ipaddress: an instance without VIPs (2.3 only)', g() + vi(vips='').replace('   virtual_ipaddress {\n   }\n', '   no_virtual_ipaddress\n'))
case('v23-tls-compliant', 'tls_compliant in an SSL_GET (2.3 only)', g() + vs(port='443', reals=rs(port='443', checks=chk('SSL_GET', '            url {\n              path /\n              status_code 200\n            }\n            tls_compliant\n            connect_timeout 3\n'))))
case('v23-owner-ignore-adverts', 'vrrp_owner_ignore_adverts in global_defs (2.3 only)', g(extra='   vrrp_owner_ignore_adverts\n') + vi())
case('v23-stats-interval', 'snmp_vs_stats_update_interval in global_defs (2.3 only)', g(extra='   snmp_vs_stats_update_interval 10\n') + vs())
case('missing-lb-kind', 'no lb_kind at all', g() + vs(kind=''))
case('missing-lb-algo', 'no lb_algo at all', g() + vs(algo=''))
case('no-real-servers', 'a virtual_server without real servers', g() + vs(reals=''))
case('weights-zero-quorum', 'two real servers at weight 0', g() + vs(reals=rs(weight='0') + rs('192.168.200.3', weight='0')))
case('track-process-undefined', 'track_process names no vrrp_track_process', g() + vi(extra='   track_process {\n       nothere\n   }\n'))
case('unicast-peer-min-ttl', 'unicast_ttl with peers', g() + vi(extra='   unicast_ttl 5\n   unicast_peer {\n       192.168.200.2\n   }\n'))
case('tutorial-lvs-nat', 'a classic LVS-NAT tutorial', g() + vi() + vs(kind='    lb_kind NAT\n', algo='    lb_algo rr\n'))
case('tutorial-two-instances', 'two instances, two VIPs, crossed MASTER/BACKUP', g() + vi() + vi(name='VI_2', state='BACKUP', vrid='52', prio='90', vips='       192.168.200.17\n'))

for name, (why, text, files) in C.items():
    with open(f'{out}/{name}.conf', 'w') as f:
        f.write(HEAD.format(why=why) + text)
    for rel, body in files.items():
        with open(f'{out}/{rel}', 'w') as f:
            f.write(HEAD.format(why='included by ' + name) + body)
print(len(C))
