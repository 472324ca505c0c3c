// `lvsplay inventory`: shows the inventory as ansible-inventory does (--list, --graph, --host),
// so an operator can check that lvsplay reads their inventory the way Ansible does.
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { diag, ExitCode, formatDiagnostic, LvsplayError, throwIfErrors, type Diagnostic } from '../diagnostics.js';
import type { VaultSecrets } from '../vars/vault.js';
import { collect } from './options.js';

interface InventoryFlags {
  inventory: string[];
  list?: boolean;
  graph?: string | boolean;
  host?: string;
  vars?: boolean;
  yaml?: boolean;
  limit?: string;
  output?: string;
  vaultPasswordFile?: string[];
}

export function registerInventory(program: Command): void {
  program
    .command('inventory')
    .description('show the inventory as ansible-inventory does')
    .option(
      '-i, --inventory <source>',
      'inventory file, directory or host list "h1,h2," (repeatable); default: ansible.cfg, then /etc/ansible/hosts',
      collect,
      [],
    )
    .option('--list', 'every group and host variable as JSON (the default)')
    .option('--graph [group]', 'the group tree, from GROUP (default all)')
    .option('--host <host>', "one host's variables as JSON")
    .option('--vars', 'with --graph: show variables too')
    .option('-y, --yaml', 'YAML instead of JSON')
    .option('-l, --limit <pattern>', 'only hosts matching the pattern')
    .option('--output <file>', 'write the result to FILE instead of stdout')
    .option(
      '--vault-password-file <file>',
      'vault password file, for encrypted group_vars/host_vars (repeatable)',
      collect,
      [],
    )
    .addHelpText(
      'after',
      '\nExit codes: 0 ok, 4 the inventory has a mistake (reported as file:line:col), 5 bad options.',
    )
    .action(async (flags: InventoryFlags) => {
      process.exitCode = await runInventory(flags);
    });
}

function printDiagnostics(ds: readonly Diagnostic[]): void {
  for (const d of ds) process.stderr.write(`${formatDiagnostic(d)}\n`);
}

export async function runInventory(flags: InventoryFlags): Promise<number> {
  const modes = [flags.list, flags.graph !== undefined, flags.host !== undefined].filter(Boolean).length;
  if (modes > 1) throw new LvsplayError(diag('choose one of --list, --graph and --host'), ExitCode.badOptions);
  // the inventory readers load with this command, not with every `lvsplay --help`
  const [
    { defaultInventorySources, readAnsibleCfg },
    { loadInventory },
    { inventoryGraph, inventoryList, inventoryYaml, listedHostVars, sortedJson, toYamlText },
    { limitHosts, selectHosts },
    { readVaultPasswordFile },
    { restrictInventory },
  ] = await Promise.all([
    import('../config/ansible-cfg.js'),
    import('../inventory/index.js'),
    import('../inventory/listing.js'),
    import('../inventory/patterns.js'),
    import('../vars/vault.js'),
    import('../inventory/restrict.js'),
  ]);
  const cwd = process.cwd();
  let sources = flags.inventory;
  if (!sources.length) {
    const { cfg, diagnostics } = readAnsibleCfg({ cwd });
    printDiagnostics(diagnostics);
    sources = defaultInventorySources(cfg, { cwd });
  }
  let vault: VaultSecrets = { passwords: [] };
  for (const f of flags.vaultPasswordFile ?? [])
    vault = { passwords: [...vault.passwords, ...readVaultPasswordFile(f).passwords] };
  const { inventory, diagnostics } = loadInventory(sources, { cwd, vault });
  printDiagnostics(diagnostics.filter((d) => d.severity === 'warning'));
  throwIfErrors(diagnostics);

  let inv = inventory;
  if (flags.limit) {
    const all = selectHosts(inv, 'all', { cwd }).hosts;
    const limited = limitHosts(inv, all, flags.limit, { cwd });
    printDiagnostics(limited.diagnostics.filter((d) => d.severity === 'warning'));
    throwIfErrors(limited.diagnostics, ExitCode.badOptions);
    inv = restrictInventory(inv, limited.hosts);
  }

  let text: string;
  if (flags.host !== undefined) {
    if (!inv.hosts.has(flags.host)) {
      throw new LvsplayError(
        diag(
          `host '${flags.host}' is not in the inventory`,
          undefined,
          'list the hosts with `lvsplay inventory --graph`',
        ),
        ExitCode.badOptions, // as ansible-inventory 2.14 (5: "You must pass a single valid host")
      );
    }
    const vars = listedHostVars(inv, flags.host);
    text = flags.yaml ? toYamlText(vars) : sortedJson(vars);
  } else if (flags.graph !== undefined) {
    const start = typeof flags.graph === 'string' ? flags.graph : 'all';
    const graph = inventoryGraph(inv, start, flags.vars ?? false);
    if (graph === undefined)
      throw new LvsplayError(
        diag(
          `--graph needs a group name; '${start}' is not a group`,
          undefined,
          'give a group shown by `lvsplay inventory --graph`',
        ),
        ExitCode.badOptions,
      );
    text = graph;
  } else {
    text = flags.yaml ? toYamlText(inventoryYaml(inv)) : sortedJson(inventoryList(inv));
  }
  if (flags.output) writeFileSync(flags.output, text.endsWith('\n') ? text : `${text}\n`);
  else process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  return ExitCode.ok;
}
