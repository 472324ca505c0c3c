// `lvsplay verify` without the CLI: one reading of every host (the rendered files' paths read
// whole on the directors), then the checklist.
import { openCluster, readCluster, type ClusterSource } from '../status/index.js';
import { verifyChecks, type Check } from './checks.js';
import { renderKeepalivedConf, type RenderedFile } from './render.js';
import { DISRUPT_VAR, failoverChecks, notDisruptable } from './failover.js';
import { replicationProbeChecks } from './replication-probe.js';
import { driftChecks } from './drift.js';
import { BOOT_SCRIPTS, bootChecks } from './boot.js';
import { controllerChecks } from './from-controller.js';
import { diag, ExitCode, LvsplayError } from '../diagnostics.js';
import { limitHosts } from '../inventory/index.js';
import type { ClusterSession, HostProbe } from '../status/index.js';

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
  /** Verify only the hosts matching this pattern (checks that need others are left out). */
  limit?: string;
}

/** The cluster's hosts the limit keeps; an empty or bad pattern is an error naming it. */
function selectedHosts(cluster: ClusterSession, limit: string | undefined): string[] {
  const r = limitHosts(cluster.plan.inventory, cluster.hosts, limit);
  if (r.diagnostics.some((d) => d.severity === 'error')) throw new LvsplayError(r.diagnostics, ExitCode.badOptions);
  return r.hosts;
}

/**
 * How long a connected host has to answer verify's reading: verify proves, it does not poll, so
 * a slow host is given longer than status gives it before it fails `reachable`.
 */
export const VERIFY_DEADLINE_MS = 10_000;

/** keepalived.conf as each director will load it at boot: the file read, else the one rendered. */
function loadedAtBoot(rendered: Map<string, RenderedFile>, probes: HostProbe[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const [host, r] of rendered) {
    const p = probes.find((x) => x.host === host);
    out.set(host, (p?.reachable ? p.files.get(r.path) : undefined) ?? r.content);
  }
  return out;
}

export async function verifyCluster(src: ClusterSource, o: VerifyOptions = {}): Promise<VerifyReport> {
  const cluster = openCluster(src);
  try {
    if (o.failover) {
      const refused = notDisruptable(cluster);
      if (refused.length) {
        throw new LvsplayError(
          diag(
            `--failover stops keepalived on the VIP's holder, and ${refused.join(', ')} ${refused.length > 1 ? 'are' : 'is'} not marked as safe to disrupt`,
            undefined,
            `set ${DISRUPT_VAR}: true for the directors you accept to disrupt (e.g. in the lab's group_vars)`,
          ),
          ExitCode.badOptions,
        );
      }
    }
    const hosts = selectedHosts(cluster, o.limit);
    const outside = cluster.model.directors.map((d) => d.host).filter((h) => !hosts.includes(h));
    if (o.failover && outside.length) {
      throw new LvsplayError(
        diag(
          `--failover moves the VIP between all the directors, and --limit leaves out ${outside.join(', ')}`,
          undefined,
          'drop --limit, or widen it to every director',
        ),
        ExitCode.badOptions,
      );
    }
    const rendered = new Map<string, RenderedFile>();
    for (const d of cluster.model.directors) {
      const r = hosts.includes(d.host) ? renderKeepalivedConf(cluster.plan, d.host) : undefined;
      if (r) rendered.set(d.host, r);
    }
    // The reading first, then the check run: read together, the check run's probes slowed the
    // reading past its deadline on UML directors (35 ms a process there, 3 ms in a namespace).
    const { probes } = await readCluster(
      { ...cluster, hosts },
      {
        deadlineMs: VERIFY_DEADLINE_MS,
        files: (h) => (rendered.has(h) ? [rendered.get(h)!.path] : []),
        // the init scripts started at boot, for what they will do at the next one
        extra: BOOT_SCRIPTS,
      },
    );
    const drift = await driftChecks(src, { hosts });
    const checks = verifyChecks({ model: cluster.model, probes, rendered });
    checks.push(...(await controllerChecks(cluster.model, probes, hosts)));
    checks.push(...bootChecks(probes, loadedAtBoot(rendered, probes)));
    checks.push(...drift);
    if (cluster.model.databases.every((d) => hosts.includes(d.host)))
      checks.push(...(await replicationProbeChecks(cluster)));
    // The failover goes last, on a cluster the read-only checks found healthy or not.
    if (o.failover) checks.push(...(await failoverChecks(cluster)));
    const failed = checks.filter((c) => !c.ok).length;
    return { ok: failed === 0, passed: checks.length - failed, failed, checks };
  } finally {
    await cluster.pool.closeAll();
  }
}
