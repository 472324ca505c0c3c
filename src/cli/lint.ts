// `lvsplay lint`: checks the cluster the inventory and roles describe (and keepalived.conf files
// or init scripts given on the command line) before anything connects.
import { type Command, Option } from 'commander';
import { diag, ExitCode, LvsplayError } from '../diagnostics.js';
import {
  DEFAULT_PLAYBOOK,
  FORMATS,
  KEEPALIVED_VERSIONS,
  type KeepalivedVersion,
  type LintFormat,
} from '../lint/options.js';
import { collect } from './options.js';

interface LintFlags {
  inventory: string[];
  format: LintFormat;
  keepalived: string[];
  script: string[];
  config?: string;
  vaultPasswordFile: string[];
  shellcheck: boolean;
  keepalivedVersion?: KeepalivedVersion;
}

export function registerLint(program: Command): void {
  program
    .command('lint')
    .description(
      'check the cluster (inventory + roles, keepalived.conf, init scripts) for LVS/VRRP/MariaDB mistakes, without connecting',
    )
    .argument('[playbook]', `playbook whose plays give each host its roles (default ${DEFAULT_PLAYBOOK})`)
    .option('-i, --inventory <source>', 'inventory file or directory (repeatable); default: ansible.cfg', collect, [])
    .addOption(new Option('--format <format>', 'output format').choices(FORMATS).default('text'))
    .option('--keepalived <file...>', 'keepalived.conf files to check (one per director)', [])
    .option('--script <file...>', 'init scripts to check (shellcheck + what they do)', [])
    .option('--config <file>', 'lint config (default .lvsplay-lint.yml if present)')
    .option('--vault-password-file <file>', 'vault password file (repeatable)', collect, [])
    .option('--no-shellcheck', 'do not run shellcheck on --script files')
    .addOption(
      new Option(
        '--keepalived-version <version>',
        "keepalived whose `-t` decides what is an error (2.2: Debian 12, 2.3: Debian 13); default: the inventory's, else the newest",
      ).choices(KEEPALIVED_VERSIONS),
    )
    .addHelpText(
      'after',
      '\nExit codes: 0 no error-level finding, 1 at least one error, 4 the inventory or playbook cannot be read, 5 bad options.\nRules, severities and how to disable them: docs/lint.md',
    )
    .action(async (playbook: string | undefined, flags: LintFlags) => {
      process.exitCode = await runLint(playbook, flags);
    });
}

export async function runLint(playbook: string | undefined, flags: LintFlags): Promise<number> {
  if (!FORMATS.includes(flags.format))
    throw new LvsplayError(
      diag(`unknown format ${flags.format}`, undefined, `use ${FORMATS.join(', ')}`),
      ExitCode.badOptions,
    );
  // the rules load with the command that uses them, not with every `lvsplay --help`
  const [{ lint }, { render }] = await Promise.all([import('../lint/index.js'), import('../lint/format.js')]);
  const report = lint({
    ...(playbook ? { playbook } : {}),
    inventory: flags.inventory,
    keepalived: flags.keepalived,
    scripts: flags.script,
    ...(flags.config ? { config: flags.config } : {}),
    vaultPasswordFile: flags.vaultPasswordFile,
    shellcheck: flags.shellcheck,
    ...(flags.keepalivedVersion ? { keepalivedVersion: flags.keepalivedVersion } : {}),
  });
  process.stdout.write(render(report, flags.format));
  return report.findings.some((f) => f.severity === 'error') ? ExitCode.error : ExitCode.ok;
}
