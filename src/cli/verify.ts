// `lvsplay verify`: a read-only checklist of the running cluster against the inventory.
import type { Command } from 'commander';
import { ExitCode } from '../diagnostics.js';
import type { VerifyReport } from '../verify/index.js';
import { clusterSourceOptions, textOrJson } from './options.js';

interface VerifyFlags {
  inventory: string[];
  playbook: string;
  vaultPasswordFile: string[];
  format: 'text' | 'json';
  failover?: boolean;
  limit?: string;
}

export function registerVerify(program: Command): void {
  clusterSourceOptions(program.command('verify'))
    .description(
      'check the running cluster against the inventory: VIP holder, real servers, replication (with a probe row), drift of everything the playbook manages',
    )
    .option(
      '-l, --limit <pattern>',
      'verify only the hosts matching the pattern (cluster-wide checks need all the hosts they judge)',
    )
    .option('--format <format>', 'text or json', textOrJson, 'text')
    .option(
      '--failover',
      'DISRUPTIVE: stop keepalived on each VIP holder, measure the failover and the return (only on directors with lvsplay_disruptive_ok: true)',
    )
    .addHelpText(
      'after',
      '\nChanges nothing but its own probe rows (table lvsplay_probe.rows), except with --failover. Drift is the playbook run in --check --diff mode: any task that would change fails the host. Exit codes: 0 every check passed, 2 a check failed, 4 the inventory has a mistake, 5 --failover refused.',
    )
    .action(async (flags: VerifyFlags) => {
      const { verifyCluster } = await import('../verify/index.js');
      const report = await verifyCluster(
        { inventory: flags.inventory, playbook: flags.playbook, vaultPasswordFile: flags.vaultPasswordFile },
        { failover: flags.failover === true, ...(flags.limit ? { limit: flags.limit } : {}) },
      );
      process.stdout.write(flags.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : verifyText(report));
      process.exitCode = report.ok ? ExitCode.ok : ExitCode.failedHosts;
    });
}

export function verifyText(r: VerifyReport): string {
  const lines = r.checks.map((c) => {
    const head = `${c.ok ? 'PASS' : 'FAIL'}  ${c.host ? `${c.host}: ` : ''}${c.title}: ${c.detail}`;
    return c.diff ? `${head}\n${c.diff.replace(/^/gm, '      ').trimEnd()}` : head;
  });
  lines.push('', `${r.passed} passed, ${r.failed} failed`);
  return `${lines.join('\n')}\n`;
}
