// keepalived 2.2 keywords: deprecated ones (still read, with a warning in the log) and ones it
// no longer knows (a config error, the line is skipped).
import { closest } from '../../diagnostics.js';
import { hit, type Rule } from '../rule.js';

/** Deprecated keyword -> what keepalived 2.2 wants instead. */
export const DEPRECATED: Record<string, string> = {
  nb_get_retry: 'retry',
  lvs_id: 'router_id',
  nat_mask: 'nothing (remove it: keepalived 2.x ignores it)',
  mcast_src_ip: 'unicast_src_ip (or leave the source to the interface)',
  vrrp_garp_master_delay: 'garp_master_delay',
  notify_master_rx_lower_pri: 'notify_master_rx_lower_pri (as a vrrp_instance keyword)',
};

/** Keywords keepalived 2.2 reads (blocks and settings), enough to tell a typo from a real keyword. */
export const KNOWN = new Set(
  `
global_defs notification_email notification_email_from smtp_server smtp_connect_timeout smtp_helo smtp_alert
smtp_alert_vrrp smtp_alert_checker router_id max_auto_priority min_auto_priority_delay enable_script_security
script_user vrrp_strict vrrp_version vrrp_iptables vrrp_ipsets vrrp_check_unicast_src vrrp_skip_check_adv_addr
vrrp_garp_interval vrrp_gna_interval vrrp_garp_master_refresh vrrp_garp_master_repeat vrrp_garp_lower_prio_delay
vrrp_garp_lower_prio_repeat vrrp_higher_prio_send_advert vrrp_priority vrrp_no_swap vrrp_rt_priority
checker_priority checker_no_swap checker_rt_priority bfd_priority dynamic_interfaces enable_traps enable_snmp_vrrp
enable_snmp_checker enable_snmp_rfc enable_snmp_rfcv2 enable_snmp_rfcv3 snmp_socket linkbeat_use_polling
lvs_timeouts lvs_sync_daemon lvs_flush lvs_flush_onstop default_interface vrrp_mcast_group4 vrrp_mcast_group6
process_names process_name vrrp_process_name checker_process_name bfd_process_name notify_fifo notify_fifo_script
vrrp_notify_fifo vrrp_notify_fifo_script lvs_notify_fifo lvs_notify_fifo_script script_security vrrp_startup_delay
vrrp_lower_prio_no_advert vrrp_min_garp use_pid_dir instance net_namespace namespace_with_ipsets
static_ipaddress static_routes static_rules
vrrp_script script interval timeout weight fall rise user init_fail
vrrp_track_file file track_file
vrrp_sync_group group notify notify_master notify_backup notify_fault notify_stop notify_deleted global_tracking
sync_group_tracking_weight
vrrp_instance state interface virtual_router_id priority advert_int authentication auth_type auth_pass
virtual_ipaddress virtual_ipaddress_excluded virtual_routes virtual_rules nopreempt preempt preempt_delay
unicast_src_ip unicast_peer unicast_ttl unicast_fault_no_peer track_interface track_script track_process
track_bfd use_vmac vmac_xmit_base native_ipv6 dont_track_primary skip_check_adv_addr strict_mode garp_master_delay
garp_master_repeat garp_master_refresh garp_master_refresh_repeat garp_lower_prio_delay garp_lower_prio_repeat
lower_prio_no_advert higher_prio_send_advert kernel_rx_buf_size debug smtp_alert version accept no_accept
check_unicast_src old_unicast_checksum notify_master_rx_lower_pri mcast_src_ip
vrrp_track_process process param_match quorum_up quorum_down delay terminate_delay fork_delay full_command
virtual_server virtual_server_group delay_loop lb_algo lvs_sched lb_kind lvs_method persistence_timeout
persistence_engine persistence_granularity protocol ha_suspend virtualhost sorry_server sorry_server_inhibit
sorry_server_lvs_method alpha omega quorum hysteresis quorum_up quorum_down retry delay_before_retry warmup
ip_family inhibit_on_failure real_server notify_up notify_down uthreshold lthreshold connect_ip connect_port
bindto bind_port bind_if connect_timeout fwmark mh-fallback mh-port ops one_packet_scheduling flag-1 flag-2 flag-3
sh-port sh-fallback hashed smtp_alert
TCP_CHECK HTTP_GET SSL_GET MISC_CHECK SMTP_CHECK DNS_CHECK BFD_CHECK UDP_CHECK PING_CHECK FILE_CHECK
url path digest status_code regex regex_no_match regex_options regex_max_offset regex_min_offset regex_stack
misc_path misc_timeout misc_dynamic host helo_name type name payload require_reply min_reply_length
max_reply_length send require_reply tracking_file track_file
include nat_mask lvs_id nb_get_retry vrrp_garp_master_delay
`
    .split(/\s+/)
    .filter(Boolean),
);

export const keywordRules: Rule[] = [
  {
    id: 'keepalived-deprecated-keyword',
    severity: 'warning',
    title: 'keepalived keyword deprecated in 2.2',
    why: 'keepalived logs a warning for each and later versions drop them; `keepalived -t` reports them, so the director role refuses the file',
    fix: 'use the current keyword',
    check: (m) =>
      m.keywords
        .filter((k) => DEPRECATED[k.keyword] !== undefined)
        .map((k) =>
          hit(`'${k.keyword}' is deprecated in keepalived 2.2`, k.pos, `write ${DEPRECATED[k.keyword]} instead`),
        ),
  },
  {
    id: 'keepalived-unknown-keyword',
    severity: 'error',
    title: 'keepalived keyword unknown in 2.2',
    why: 'keepalived skips a line it does not know (with a log line few read): the setting you meant is not applied',
    fix: 'fix the spelling or remove the line',
    check: (m) =>
      m.keywords
        .filter((k) => !KNOWN.has(k.keyword) && !/^[0-9a-fA-F:./]+$/.test(k.keyword))
        .map((k) => {
          const guess = closest(k.keyword, KNOWN);
          return hit(
            `'${k.keyword}' is not a keepalived keyword`,
            k.pos,
            guess ? `did you mean '${guess}'?` : undefined,
          );
        }),
  },
];
