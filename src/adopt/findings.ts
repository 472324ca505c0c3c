// Lint over the adopted cluster: the keepalived.conf and init-script copies (findings at their
// lines), the real servers' and database masters' live settings, and the rules of `lvsplay lint`.
import { resolve } from 'node:path';
import type { Diagnostic } from '../diagnostics.js';
import { loadLintConfig } from '../lint/config.js';
import { keepalivedSyntaxFindings, mergeModels, reportOf, runRules, type LintReport } from '../lint/index.js';
import { keepalivedTestFindings } from '../lint/keepalived/check.js';
import { modelFromKeepalived } from '../lint/keepalived/model.js';
import { NEWEST_KEEPALIVED, parseKeepalivedVersion } from '../lint/keepalived/versions.js';
import { CROSS_RULES, RULE_IDS } from '../lint/rules/index.js';
import { lintScript } from '../lint/script.js';
import type { ClusterModel, DbMaster, Finding, RealServerHost } from '../lint/types.js';
import type { FoundKeepalived } from './derive.js';
import type { FoundFile } from './found.js';
import type { Adoption } from './model.js';
import { KEEPALIVED_CONF, type AdoptReading } from './probe.js';

const num = (s: string | undefined): number | undefined =>
  s !== undefined && s !== '' && Number.isFinite(Number(s)) ? Number(s) : undefined;

function realServerHost(r: AdoptReading, iface: string | undefined): RealServerHost {
  const onLo = r.status.addresses.find((x) => x.dev === 'lo' && !x.address.startsWith('127.'));
  const values = (key: string): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const dev of ['all', 'lo']) {
      const v = num(r.status.sysctl[`${dev}.${key}`]);
      if (v !== undefined) out[dev] = v;
    }
    const own = iface ? num(r.sysctl[`${iface}.${key}`]) : undefined;
    if (iface && own !== undefined) out[iface] = own;
    return out;
  };
  return {
    name: r.host,
    address: r.address,
    ...(onLo ? { vip: onLo.address, vipPrefix: onLo.prefix } : {}),
    arpIgnore: values('arp_ignore'),
    arpAnnounce: values('arp_announce'),
    ...(iface ? { interface: iface } : {}),
    pos: {},
  };
}

function dbMaster(r: AdoptReading): DbMaster {
  const v = r.mysql?.vars ?? {};
  const d: DbMaster = {
    name: r.host,
    address: r.address,
    logBin: v.log_bin === '1',
    gtidStrictMode: v.gtid_strict_mode === '1',
    pos: {},
  };
  const set = (
    k: 'serverId' | 'autoIncrementIncrement' | 'autoIncrementOffset' | 'port',
    s: string | undefined,
  ): void => {
    const n = num(s);
    if (n !== undefined) d[k] = n;
  };
  set('serverId', v.server_id);
  set('autoIncrementIncrement', v.auto_increment_increment);
  set('autoIncrementOffset', v.auto_increment_offset);
  set('port', v.port);
  return d;
}

export interface FindingsInput {
  cwd: string;
  files: FoundFile[];
  keepalived: Map<string, FoundKeepalived>;
  syntax: Diagnostic[];
  readings: AdoptReading[];
  adoption: Adoption;
  shellcheck: boolean;
}

export function adoptFindings(i: FindingsInput): LintReport {
  const config = loadLintConfig(undefined, RULE_IDS);
  const findings: Finding[] = [...config.problems, ...keepalivedSyntaxFindings(i.syntax)];
  const byHost = new Map(i.readings.map((r) => [r.host, r]));
  const iface = i.adoption.cluster.get('lvs_interface')?.value as string | undefined;
  // The version the directors run (as lint reads keepalived_version from the adopted inventory),
  // else the newest lint knows.
  const version =
    i.adoption.directors.map((d) => parseKeepalivedVersion(d.keepalivedVersion ?? '')).find((v) => v !== undefined) ??
    NEWEST_KEEPALIVED;

  const models: ClusterModel[] = [...i.keepalived].map(([host, ka]) => {
    // What keepalived -t of that version rejects besides keywords.
    findings.push(...keepalivedTestFindings(ka.nodes, version));
    const m = modelFromKeepalived(ka.nodes, host);
    const r = byHost.get(host);
    for (const v of m.vrrp) {
      const own = r?.status.addresses.find(
        (x) => x.dev === v.interface && x.address !== undefined && !x.label?.includes(':'),
      );
      if (own) {
        v.ownAddress ??= own.address;
        v.interfaceSubnet = `${own.address}/${own.prefix}`;
      }
    }
    for (const d of m.directors) if (r) d.address = r.address;
    return m;
  });
  const model = mergeModels(models);
  model.keepalivedVersion = version;
  model.realServerHosts = i.adoption.realServers.map((rs) => realServerHost(byHost.get(rs.host)!, iface));
  model.dbMasters = i.adoption.databases.map((db) => dbMaster(byHost.get(db.host)!));
  model.realServersGroup = i.adoption.realServers.flatMap((rs) => [rs.host, byHost.get(rs.host)!.address]);
  findings.push(...runRules(model, config.settings));

  // The hand scripts: their own findings, then what they do against keepalived (a script that
  // also adds the VIP or programs IPVS).
  const scripts = i.files
    .filter((x) => x.remote !== KEEPALIVED_CONF)
    .map((f) => lintScript(resolve(i.cwd, f.local), { shellcheck: i.shellcheck, name: f.local }));
  for (const s of scripts) findings.push(...s.findings);
  if (scripts.length)
    findings.push(...runRules(mergeModels([model, ...scripts.map((s) => s.model)]), config.settings, CROSS_RULES));
  return reportOf(findings, config.disables, i.cwd);
}
