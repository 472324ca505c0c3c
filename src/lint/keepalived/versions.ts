// The keepalived releases lint knows, with the keywords each accepts in each block. The tables
// come from the daemons themselves (scripts/keepalived-keywords.py probes Debian's binaries with
// `keepalived -t`), not from documentation: a keyword missing from a release's table for its
// block is what that release's `keepalived -t` answers with "Unknown keyword" (exit 5).
import tables from './keywords.json' with { type: 'json' };
import { KEEPALIVED_VERSIONS, type KeepalivedVersion } from '../options.js';

export { KEEPALIVED_VERSIONS, type KeepalivedVersion };
export const NEWEST_KEEPALIVED: KeepalivedVersion = '2.3';

/** The Debian release shipping each version (what the lab and the differential test use). */
export const DEBIAN_RELEASE: Record<KeepalivedVersion, { codename: string; major: string; exact: string }> = {
  '2.2': { codename: 'bookworm', major: '12', exact: '2.2.7' },
  '2.3': { codename: 'trixie', major: '13', exact: '2.3.3' },
};

const TABLES = tables as Record<KeepalivedVersion, Record<string, string[]>>;
const SETS = new Map(
  KEEPALIVED_VERSIONS.map((v) => [v, new Map(Object.entries(TABLES[v]).map(([b, ks]) => [b, new Set(ks)]))]),
);

/** The keywords a version accepts in a block (`top` for the file level), or undefined when the block's keywords are not tabled. */
export function keywordsOf(version: KeepalivedVersion, block: string): ReadonlySet<string> | undefined {
  return SETS.get(version)!.get(block);
}

/** Every keyword a version knows in some block (for "did you mean"). */
export function allKeywords(version: KeepalivedVersion): Set<string> {
  return new Set([...SETS.get(version)!.values()].flatMap((s) => [...s]));
}

export function parseKeepalivedVersion(s: string): KeepalivedVersion | undefined {
  const m = /^(\d+\.\d+)/.exec(s.trim());
  return m && (KEEPALIVED_VERSIONS as readonly string[]).includes(m[1]!) ? (m[1] as KeepalivedVersion) : undefined;
}

/** The version a Debian release ships (by codename or major version), if lint knows it. */
export function versionOfDebian(release: unknown): KeepalivedVersion | undefined {
  if (typeof release !== 'string' && typeof release !== 'number') return undefined;
  const r = String(release).toLowerCase();
  return KEEPALIVED_VERSIONS.find((v) => DEBIAN_RELEASE[v].codename === r || DEBIAN_RELEASE[v].major === r);
}
