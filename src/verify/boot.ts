// What each host's init scripts will do at its next boot, read with lint's script model (the one
// `lint --script` and adopt use), against the keepalived.conf each director will load: a script
// that adds the VRRP VIP or programs keepalived's IPVS service is found on the live host before
// a reboot shows it. The scripts are read in verify's one round trip; nothing is run.
import { mergeModels, runRules } from '../lint/index.js';
import { parseKeepalived } from '../lint/keepalived/parse.js';
import { modelFromKeepalived } from '../lint/keepalived/model.js';
import { DEFAULT_SETTINGS } from '../lint/rule.js';
import { CROSS_RULES } from '../lint/rules/index.js';
import { scriptModel } from '../lint/script.js';
import { describeEffects, type Effect, type ScriptEffects } from '../lint/script-effects.js';
import type { ClusterModel, Finding } from '../lint/types.js';
import type { HostProbe } from '../status/reading.js';
import { raw, sh, type ShellCommand } from '../transport/index.js';
import type { Check } from './checks.js';

const INIT_D = '/etc/init.d/';

/**
 * The init scripts started at boot (an S link in /etc/rc2.d or /etc/rcS.d) that no package owns
 * and that touch addresses, IPVS, ARP or forwarding, each as a `file:` section.
 */
export const BOOT_SCRIPTS: ShellCommand = sh`${raw(String.raw`for l in /etc/rc2.d/S* /etc/rcS.d/S*; do
  f=$(readlink -f "$l" 2>/dev/null) || continue
  case "$f" in ${INIT_D}*) ;; *) continue ;; esac
  grep -qsE 'ipvsadm|ifconfig|ip .*addr|arp_ignore|arp_announce|ip_forward' "$f" || continue
  dpkg -S "$f" >/dev/null 2>&1 && continue
  s "file:$f"; base64 < "$f"
done`)}`;

/** What runs when a boot starts the script (`start`, or whatever the action). */
const atBoot = (e: Effect): boolean => !e.actions.length || e.actions.includes('start');

/** Only what the script does when it is started. */
function bootEffects(e: ScriptEffects): ScriptEffects {
  return {
    ...e,
    addresses: e.addresses.filter(atBoot),
    ipvs: e.ipvs.filter(atBoot),
    sysctls: e.sysctls.filter(atBoot),
    routes: e.routes.filter(atBoot),
    arptables: e.arptables.filter(atBoot),
    services: e.services.filter(atBoot),
  };
}

/** What one script does at boot, in words: describeEffects without the action headings. */
const inWords = (e: ScriptEffects): string =>
  describeEffects(bootEffects(e)).replace(/(^|; )[\w|-]+: /g, (_m, sep: string) => (sep ? ', ' : ''));

/** keepalived.conf as each director will load it at boot (include lines name files on the host: left out). */
export function keepalivedModels(confs: ReadonlyMap<string, string>): ClusterModel[] {
  return [...confs].map(([host, text]) =>
    modelFromKeepalived(parseKeepalived(text.replace(/^(\s*include\b.*)$/gm, '#$1'), `${host}.conf`).nodes, host),
  );
}

/** The sentence of a conflict: what the script will do, and what follows. */
function conflict(host: string, path: string, e: ScriptEffects, found: Finding[], m: ClusterModel): string {
  const name = path.slice(INIT_D.length);
  const does: string[] = [];
  const follows: string[] = [];
  if (found.some((f) => f.rule === 'script-vip-vrrp')) {
    const vips = new Set(m.vrrp.flatMap((v) => v.vips.map((x) => x.split(/[/\s]/)[0])));
    const adds = bootEffects(e).addresses.filter((a) => a.op === 'add' && a.iface !== 'lo' && vips.has(a.address));
    does.push(...new Set(adds.map((a) => `add VIP ${a.address} to ${a.iface ?? '?'}`)));
    const others = m.vrrp.map((v) => v.owner).filter((o) => o !== host);
    follows.push(
      others.length
        ? `${host} will hold the VIP whatever VRRP elects, so with ${[...new Set(others)].join(' or ')} as MASTER both directors will hold it`
        : `${host} will hold the VIP whatever VRRP elects`,
    );
  }
  if (found.some((f) => f.rule === 'script-ipvs-keepalived')) {
    const clears = bootEffects(e).ipvs.some((x) => x.op === 'clear');
    does.push('program IPVS');
    follows.push(
      clears
        ? 'its ipvsadm -C wipes the IPVS table keepalived filled, and the entries it adds are ones keepalived neither checks nor removes'
        : 'its IPVS entries are ones keepalived neither checks nor removes',
    );
  }
  return `${name} will ${does.join(' and ')} at boot, which keepalived also owns: ${follows.join('; ')}`;
}

/**
 * One check per host read: what its boot scripts will do, and whether that agrees with
 * keepalived (an error finding of lint's cross-file rules fails it).
 */
export function bootChecks(probes: HostProbe[], confs: ReadonlyMap<string, string>): Check[] {
  const keepalived = mergeModels(keepalivedModels(confs));
  const checks: Check[] = [];
  for (const p of probes) {
    if (!p.reachable) continue;
    const said: string[] = [];
    const conflicts: string[] = [];
    for (const [path, text] of p.files) {
      if (!path.startsWith(INIT_D) || text === null) continue;
      const label = `${p.host}:${path}`;
      const s = scriptModel(text, label, label);
      const effects = s.model.scripts?.[0]?.effects;
      if (!effects) {
        said.push(`${path}: ${s.findings.map((f) => f.message).join('; ') || 'not read'}`);
        continue;
      }
      const m = mergeModels([keepalived, s.model]);
      const found = runRules(m, DEFAULT_SETTINGS, CROSS_RULES).filter((f) => f.severity === 'error');
      // what lint says of the script itself (a tool missing on the release: that line does nothing at boot)
      const own = [
        ...new Set(
          s.findings.filter((f) => f.severity !== 'info').map((f) => `line ${f.pos?.line ?? '?'}: ${f.message}`),
        ),
      ];
      said.push(
        `${path} at boot: ${inWords(effects) || 'nothing to the cluster'}${own.length ? ` (lint: ${own.join('; ')})` : ''}`,
      );
      if (found.length) conflicts.push(conflict(p.host, path, effects, found, keepalived));
    }
    checks.push({
      id: 'boot-scripts',
      host: p.host,
      title: 'the init scripts started at boot leave the VIP and IPVS to keepalived',
      ok: conflicts.length === 0,
      detail: said.length
        ? [...conflicts, ...said].join('; ')
        : 'no hand-made init script started at boot touches addresses, IPVS, ARP or forwarding',
    });
  }
  return checks;
}
