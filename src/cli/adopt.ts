// `lvsplay adopt`: take over a hand-built cluster. Thin: parse flags, call src/adopt, print.
import type { Command } from 'commander';
import type { AdoptResult } from '../adopt/index.js';
import type { Finding } from '../lint/types.js';
import { collect, textOrJson } from './options.js';
import { diag, ExitCode, LvsplayError } from '../diagnostics.js';

interface AdoptFlags {
  inventory: string[];
  output: string;
  force?: boolean;
  format: 'text' | 'json';
  shellcheck: boolean;
}

export function registerAdopt(program: Command): void {
  program
    .command('adopt')
    .description(
      'take over a hand-built cluster: read it (read-only), write an inventory and group_vars that reproduce it with the bundled roles, and lint it',
    )
    .option(
      '-i, --inventory <source>',
      "inventory naming the cluster's hosts and how to reach them (required, repeatable); groups are not needed",
      collect,
      [],
    )
    .option(
      '-o, --output <dir>',
      'where to write hosts.ini, group_vars/all/{cluster,vault}.yml and found/ (copies of what was read)',
      'adopted',
    )
    .option('--force', 'overwrite files that already exist in the output directory')
    .option('--format <format>', 'text or json', textOrJson, 'text')
    .option('--no-shellcheck', 'do not run shellcheck on the init scripts found')
    .addHelpText(
      'after',
      `
Reads over ssh, never writes to a host: keepalived.conf, init scripts, /proc/net/ip_vs, sysctls,
addresses, MariaDB settings and replication status. A host is taken for a director when its
keepalived.conf has a vrrp_instance, a real server when it holds an address on lo, a database
master when MariaDB runs with the binary log. Secrets (auth_pass, the replication password) go
to group_vars/all/vault.yml, encrypted with ansible.cfg's vault_password_file; without one, the
file says what to set. What the first run will change is what the roles say in check mode over
DIR/hosts.ini (nothing applied). Next: lvsplay run playbooks/site.yaml -i DIR/hosts.ini --check --diff
Exit codes: 0 adopted, 1 a file is in the way (use --force) or cannot be written, 3 a host is
unreachable (nothing written), 4 the inventory has a mistake, 5 bad options. See docs/adopt.md.`,
    )
    .action(async (flags: AdoptFlags) => {
      if (!flags.inventory.length)
        throw new LvsplayError(
          diag(
            'adopt: no inventory given',
            undefined,
            "name the cluster's hosts with -i HOSTS (an inventory file, or host1,host2,)",
          ),
          ExitCode.badOptions,
        );
      const [{ adopt }, { formatText, summary }] = await Promise.all([
        import('../adopt/index.js'),
        import('../lint/format.js'),
      ]);
      const r = await adopt({
        inventory: flags.inventory,
        out: flags.output,
        force: !!flags.force,
        shellcheck: flags.shellcheck,
      });
      process.stdout.write(
        flags.format === 'json'
          ? `${JSON.stringify(adoptJson(r), null, 2)}\n`
          : adoptText(r, flags.output, { formatText, summary }),
      );
      process.exitCode = ExitCode.ok;
    });
}

export function adoptJson(r: AdoptResult): object {
  const a = r.adoption;
  return {
    inferred: a.inferred,
    groups: { directors: a.directors, realservers: a.realServers, dbservers: a.databases, others: a.others },
    cluster: Object.fromEntries([...a.cluster].map(([k, s]) => [k, s.value])),
    // names only: the values are in the vault file
    secrets: Object.keys(a.secrets),
    vaultFile: r.vaultFile ?? null,
    notReproduced: a.notReproduced,
    findings: r.lint.findings,
    suppressed: r.lint.suppressed,
    changes: r.changes,
    unpredictable: r.unpredictable,
    checkProblems: r.checkProblems,
    checkMs: r.checkMs,
    written: r.written,
  };
}

/** How lint findings read: lint/format.js's, passed in so this module loads without lint. */
interface LintText {
  formatText(f: Finding): string;
  summary(r: AdoptResult['lint']): string;
}

export function adoptText(r: AdoptResult, out: string, { formatText, summary }: LintText): string {
  const a = r.adoption;
  const lines = [
    `adopt: read ${r.hosts} hosts in ${(r.ms / 1000).toFixed(1)} s`,
    ...a.inferred.map((l) => `  ${l}`),
    '',
  ];
  const secrets = Object.keys(a.secrets);
  lines.push(
    `wrote ${r.written.filter((f) => !f.includes('/found/')).join(', ')}; copies of what was read in ${out}/found/`,
  );
  lines.push(
    secrets.length
      ? r.vaultFile
        ? `  ${secrets.join(', ')}: vault-encrypted with ${r.vaultFile}`
        : `  ${secrets.join(', ')}: NOT written (no vault_password_file in ansible.cfg): ${out}/group_vars/all/vault.yml says what to set`
      : '  no secret found on the hosts',
  );
  lines.push('', `lint: ${summary(r.lint)}`, ...r.lint.findings.map((f) => `  ${formatText(f)}`));
  // some errors the roles fix by themselves, others (equal priorities) adopt reproduces as found
  if (r.lint.findings.some((f) => f.severity === 'error'))
    lines.push(
      `  lvsplay run lints ${out}/hosts.ini first and refuses to start while an error remains there: fix it in ${out}/ (docs/lint.md)`,
    );
  lines.push('', `not reproduced (the bundled roles cannot express it): ${a.notReproduced.length}`);
  for (const n of a.notReproduced) lines.push(`  ${n.pos ? `${n.pos.file}:${n.pos.line}: ` : ''}${n.host}: ${n.what}`);
  lines.push(
    '',
    `the first run of site.yaml will change (${r.changes.length}; the roles in check mode over ${out}/hosts.ini, ${(r.checkMs / 1000).toFixed(1)} s):`,
  );
  for (const c of r.changes) lines.push(`  ${c.host}: ${c.task}: ${c.why}${c.rule ? ` [lint ${c.rule}]` : ''}`);
  if (r.unpredictable.length)
    lines.push(
      `  check mode cannot predict (they run every time): ${r.unpredictable.length}`,
      ...r.unpredictable.map((u) => `    ${u}`),
    );
  if (r.checkProblems.length)
    lines.push(
      `  the check-mode run could not tell everything: ${r.checkProblems.length}`,
      ...r.checkProblems.map((p) => `    ${p}`),
    );
  lines.push('', `next: lvsplay run playbooks/site.yaml -i ${out}/hosts.ini --check --diff`);
  return `${lines.join('\n')}\n`;
}
