// keepalived keywords per version and block: deprecated ones (an error where the version's
// `keepalived -t` rejects them, a warning where it still reads them) and ones it does not know
// (a config error: `-t` exits 5 and the daemon skips the line).
import { closest } from '../../diagnostics.js';
import { allKeywords, keywordsOf, NEWEST_KEEPALIVED, type KeepalivedVersion } from '../keepalived/versions.js';
import { hit, type Rule } from '../rule.js';
import type { ClusterModel, KeywordUse } from '../types.js';

/** Deprecated keyword -> what keepalived wants instead. */
export const DEPRECATED: Record<string, string> = {
  nb_get_retry: 'retry',
  lvs_id: 'router_id',
  nat_mask: 'nothing (remove it: keepalived 2.x ignores it)',
  mcast_src_ip: 'unicast_src_ip (or leave the source to the interface)',
  vrrp_garp_master_delay: 'garp_master_delay',
  notify_master_rx_lower_pri: 'notify_master_rx_lower_pri (as a vrrp_instance keyword)',
  lvs_sync_daemon_interface: 'lvs_sync_daemon INTERFACE INSTANCE in global_defs',
  linkbeat_use_polling: 'a linkbeat_interfaces block',
  vmac_garp_intvl: 'garp_extra_if',
  vrrp_vmac_garp_intvl: 'vrrp_garp_extra_if',
  global_tracking: 'track_interface, track_script or track_file on the sync group',
  thread_timer_expired: 'timer_expired_backup',
};

/** Deprecated keywords a version still knows but whose use `keepalived -t` reports as a config error. */
const REJECTED_WHEN_USED = new Set([
  'nb_get_retry',
  'lvs_sync_daemon_interface',
  // `keepalived -t` of 2.2 and 2.3 reports each as a config error ("deprecated - use ...").
  'linkbeat_use_polling',
  'vmac_garp_intvl',
  'vrrp_vmac_garp_intvl',
  'global_tracking',
  'thread_timer_expired',
]);

const versionOf = (m: ClusterModel): KeepalivedVersion => m.keepalivedVersion ?? NEWEST_KEEPALIVED;

/**
 * Does `version` read this keyword where it is written? Without a block, anywhere will do;
 * undefined when the block's keywords are not tabled.
 */
function accepted(k: KeywordUse, version: KeepalivedVersion): boolean | undefined {
  const table = k.block === undefined ? allKeywords(version) : keywordsOf(version, k.block);
  return table ? table.has(k.keyword) && !REJECTED_WHEN_USED.has(k.keyword) : undefined;
}

export const keywordRules: Rule[] = [
  {
    id: 'keepalived-deprecated-keyword',
    severity: 'warning',
    title: 'keepalived keyword deprecated (an error where the version rejects it)',
    why: 'keepalived logs a warning for each and later versions drop them; where `keepalived -t` of the version rejects one, the director role refuses the file and the daemon skips the line',
    fix: 'use the current keyword',
    check: (m) => {
      const v = versionOf(m);
      return m.keywords
        .filter((k) => DEPRECATED[k.keyword] !== undefined)
        .map((k) => {
          const ok = accepted(k, v) !== false;
          return {
            ...hit(
              ok
                ? `'${k.keyword}' is deprecated (keepalived ${v} still reads it)`
                : `'${k.keyword}' is deprecated and keepalived ${v} rejects it${k.block && k.block !== 'top' ? ` in ${k.block}` : ''} (keepalived -t fails)`,
              k.pos,
              `write ${DEPRECATED[k.keyword]} instead`,
            ),
            severity: ok ? 'warning' : 'error',
          };
        });
    },
  },
  {
    id: 'keepalived-unknown-keyword',
    severity: 'error',
    title: 'keyword the keepalived version does not know in its block',
    why: 'keepalived -t exits 5 ("Unknown keyword") and the daemon skips the line: the setting you meant is not applied',
    fix: 'fix the spelling, move the line to the block it belongs to, or remove it',
    check: (m) => {
      const v = versionOf(m);
      return m.keywords
        .filter((k) => DEPRECATED[k.keyword] === undefined && accepted(k, v) === false)
        .map((k) => {
          const all = allKeywords(v);
          const here = k.block === undefined ? all : keywordsOf(v, k.block)!;
          const elsewhere = k.block !== undefined && all.has(k.keyword);
          // No guess for a long word (binary junk, a line cut in pieces): nothing is near it, and the distances cost.
          const guess = elsewhere || k.keyword.length > 40 ? undefined : closest(k.keyword, here);
          const where = k.block === 'top' ? ' at the top level' : k.block ? ` in ${k.block}` : '';
          return hit(
            `'${k.keyword}' is not a keepalived ${v} keyword${where}`,
            k.pos,
            guess ? `did you mean '${guess}'?` : elsewhere ? `move it to the block it belongs to` : undefined,
          );
        });
    },
  },
];
