// `lvsplay verify` without the CLI: one reading of every host (the rendered files' paths read
// whole on the directors), then the checklist.
import { openCluster, readCluster, type ClusterSource } from '../status/index.js';
import { verifyChecks, type Check } from './checks.js';
import { renderKeepalivedConf, type RenderedFile } from './render.js';

export { verifyChecks, type Check } from './checks.js';

export interface VerifyReport {
  ok: boolean;
  passed: number;
  failed: number;
  checks: Check[];
}

export async function verifyCluster(src: ClusterSource): Promise<VerifyReport> {
  const cluster = openCluster(src);
  try {
    const rendered = new Map<string, RenderedFile>();
    for (const d of cluster.model.directors) {
      const r = renderKeepalivedConf(cluster.plan, d.host);
      if (r) rendered.set(d.host, r);
    }
    const { probes } = await readCluster(cluster, { files: (h) => (rendered.has(h) ? [rendered.get(h)!.path] : []) });
    const checks = verifyChecks({ model: cluster.model, probes, rendered });
    const failed = checks.filter((c) => !c.ok).length;
    return { ok: failed === 0, passed: checks.length - failed, failed, checks };
  } finally {
    await cluster.pool.closeAll();
  }
}
