// `lvsplay adopt` without the CLI: read a hand-built cluster (read-only), work out what each
// host is, write an inventory and group_vars that reproduce it with the bundled roles, lint it,
// and say what the first run of site.yaml will change (the roles' own check-mode run over the
// inventory written).
import { join, relative, resolve } from 'node:path';
import { diag, ExitCode, LvsplayError } from '../diagnostics.js';
import { cfgPathList, readAnsibleCfg } from '../config/ansible-cfg.js';
import type { LintReport } from '../lint/index.js';
import { checkRun } from '../verify/check-run.js';
import { readVaultPasswordFile } from '../vars/vault.js';
import { firstRunOf, type FirstRun } from './changes.js';
import { deriveAdoption } from './derive.js';
import { adoptFindings } from './findings.js';
import { foundFiles, parseFoundKeepalived, writeFound, type FoundFile } from './found.js';
import type { Adoption, ExpectedChange } from './model.js';
import { loadHosts, readCluster } from './read.js';
import { groupsMap, type Inventory } from '../inventory/index.js';
import {
  CLUSTER_FILE,
  HOSTS_FILE,
  OUTPUT_FILES,
  VAULT_FILE,
  checkWritable,
  clusterYml,
  hostsIni,
  vaultYml,
  writeOutput,
  type VaultKey,
} from './write.js';

export interface AdoptOptions {
  inventory: string[];
  /** Output directory (relative to cwd). */
  out: string;
  force?: boolean;
  cwd?: string;
  shellcheck?: boolean;
}

export interface AdoptResult {
  adoption: Adoption;
  lint: LintReport;
  changes: ExpectedChange[];
  /** Tasks of the first run check mode cannot predict (`host: task`). */
  unpredictable: string[];
  /** Where the check-mode run could not tell (a task failed, a host did not answer). */
  checkProblems: string[];
  /** How long the check-mode run took. */
  checkMs: number;
  written: string[];
  /** The vault password file the secrets were encrypted with; undefined: a stub was written. */
  vaultFile: string | undefined;
  /** Hosts read. */
  hosts: number;
  ms: number;
}

function vaultKey(cwd: string): VaultKey | undefined {
  const { cfg } = readAnsibleCfg({ cwd });
  const file = cfgPathList(cfg, 'defaults', 'vault_password_file', { cwd })?.[0];
  if (!file) return undefined;
  const pw = readVaultPasswordFile(file).passwords[0];
  return pw ? { password: pw.password, file: relative(cwd, file) || file } : undefined;
}

/** Where HOSTS already has the roles' groups, what they say against what adopt found. */
export function groupDisagreements(inventory: Inventory, a: Adoption): string[] {
  const groups = groupsMap(inventory);
  const found: Record<string, string[]> = {
    directors: a.directors.map((d) => d.host),
    realservers: a.realServers.map((r) => r.host),
    dbservers: a.databases.map((d) => d.host),
  };
  const out: string[] = [];
  for (const [group, hosts] of Object.entries(found)) {
    const listed = groups[group];
    if (!listed) continue;
    for (const h of listed.filter((x) => !hosts.includes(x)))
      out.push(
        `${h}: listed in [${group}] of the inventory given, but nothing of one was found on it: not in [${group}] of the adopted inventory`,
      );
    for (const h of hosts.filter((x) => !listed.includes(x)))
      out.push(
        `${h}: not listed in [${group}] of the inventory given, but found to be one: in [${group}] of the adopted inventory`,
      );
  }
  return out;
}

/**
 * The roles in check mode over the inventory just written. Without a vault password the
 * secrets are not in vault.yml: the run gets them as extra variables, in memory only.
 */
async function firstRun(
  cwd: string,
  hostsFile: string,
  a: Adoption,
  key: VaultKey | undefined,
  lint: LintReport,
  found: FoundFile[],
): Promise<FirstRun> {
  const hosts = [...new Set([...a.directors, ...a.realServers, ...a.databases].map((h) => h.host))];
  const secrets = Object.fromEntries(Object.entries(a.secrets).map(([k, s]) => [k, s.value.reveal()]));
  try {
    const run = await checkRun(
      { inventory: [hostsFile], cwd },
      {
        hosts,
        secrets: Object.values(secrets),
        ...(key || !Object.keys(secrets).length ? {} : { extraVars: [JSON.stringify(secrets)] }),
      },
    );
    return firstRunOf(run, hosts, lint, found);
  } catch (e) {
    if (!(e instanceof LvsplayError)) throw e;
    const said = e.diagnostics.map((d) => d.message).join('; ');
    return { changes: [], unpredictable: [], problems: [`the check-mode run could not start: ${said}`], ms: 0 };
  }
}

export async function adopt(o: AdoptOptions): Promise<AdoptResult> {
  const t0 = Date.now();
  const cwd = o.cwd ?? process.cwd();
  const dir = resolve(cwd, o.out);
  checkWritable(dir, OUTPUT_FILES, !!o.force);
  const inventory = loadHosts(o.inventory, cwd);
  if (inventory.hosts.size === 0)
    throw new LvsplayError(
      diag(
        `adopt: the inventory ${o.inventory.join(', ')} lists no hosts`,
        undefined,
        "list the cluster's hosts (directors, real servers, database servers)",
      ),
      ExitCode.badOptions,
    );
  const { readings, unreachable } = await readCluster(inventory);
  if (unreachable.length) {
    throw new LvsplayError(
      unreachable.map((u) =>
        diag(
          `adopt: ${u.host} is unreachable: ${u.reason}`,
          undefined,
          'adopt reads every host; fix the connection (or leave the host out of the inventory) and run it again',
        ),
      ),
      ExitCode.notReached,
    );
  }
  const files = foundFiles(readings, o.out);
  checkWritable(
    cwd,
    files.map((f) => f.local),
    !!o.force,
  );
  writeFound(cwd, files);
  const parsed = parseFoundKeepalived(files);
  const adoption = deriveAdoption(readings, parsed.byHost);
  adoption.notReproduced.push(...parsed.includes);
  adoption.inferred.push(...groupDisagreements(inventory, adoption));
  const lint = adoptFindings({
    cwd,
    files,
    keepalived: parsed.byHost,
    syntax: parsed.diagnostics,
    readings,
    adoption,
    shellcheck: o.shellcheck !== false,
  });
  const key = vaultKey(cwd);
  writeOutput(dir, {
    [HOSTS_FILE]: hostsIni(adoption, inventory, o.inventory.join(' -i ')),
    [CLUSTER_FILE]: clusterYml(adoption),
    [VAULT_FILE]: vaultYml(adoption, key),
  });
  const first = await firstRun(cwd, join(dir, HOSTS_FILE), adoption, key, lint, files);
  // as the user named the directory
  const written = OUTPUT_FILES.map((f) => join(o.out, f));
  return {
    adoption,
    lint,
    changes: first.changes,
    unpredictable: first.unpredictable,
    checkProblems: first.problems,
    checkMs: first.ms,
    written: [...written, ...files.map((f) => f.local)],
    vaultFile: key?.file,
    hosts: readings.length,
    ms: Date.now() - t0,
  };
}
