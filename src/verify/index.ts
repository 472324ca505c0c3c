// `lvsplay verify` without the CLI: one reading of every host (the rendered files' paths read
// whole on the directors), then the checklist.
import { openCluster, readCluster, type ClusterSource } from '../status/index.js';
import { verifyChecks, type Check } from './checks.js';
import { renderKeepalivedConf, type RenderedFile } from './render.js';
import { DISRUPT_VAR, failoverChecks, notDisruptable } from './failover.js';
import { replicationProbeChecks } from './replication-probe.js';
import { diag, ExitCode, LvsplayError } from '../diagnostics.js';

export { verifyChecks, type Check } from './checks.js';

export interface VerifyReport {
  ok: boolean;
  passed: number;
  failed: number;
  checks: Check[];
}

export interface VerifyOptions {
  /** Also stop keepalived on each VIP holder and measure the failover (disruptive, opt-in). */
  failover?: boolean;
}

export async function verifyCluster(src: ClusterSource, o: VerifyOptions = {}): Promise<VerifyReport> {
  const cluster = openCluster(src);
  try {
    if (o.failover) {
      const refused = notDisruptable(cluster);
      if (refused.length) {
        throw new LvsplayError(
          diag(`--failover stops keepalived on the VIP's holder, and ${refused.join(', ')} ${refused.length > 1 ? 'are' : 'is'} not marked as safe to disrupt`, undefined, `set ${DISRUPT_VAR}: true for the directors you accept to disrupt (e.g. in the lab's group_vars)`),
          ExitCode.badOptions,
        );
      }
    }
    const rendered = new Map<string, RenderedFile>();
    for (const d of cluster.model.directors) {
      const r = renderKeepalivedConf(cluster.plan, d.host);
      if (r) rendered.set(d.host, r);
    }
    const { probes } = await readCluster(cluster, { files: (h) => (rendered.has(h) ? [rendered.get(h)!.path] : []) });
    const checks = verifyChecks({ model: cluster.model, probes, rendered });
    checks.push(...(await replicationProbeChecks(cluster)));
    // The failover goes last, on a cluster the read-only checks found healthy or not.
    if (o.failover) checks.push(...(await failoverChecks(cluster)));
    const failed = checks.filter((c) => !c.ok).length;
    return { ok: failed === 0, passed: checks.length - failed, failed, checks };
  } finally {
    await cluster.pool.closeAll();
  }
}
