// `lvsplay graph`: the cluster's topology as a picture, derived from the inventory and the role
// variables as `lvsplay run` would see them. Pure: nothing connects to a host.
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { diag, ExitCode, formatDiagnostic, LvsplayError } from '../diagnostics.js';
import { loadClusterModel, SITE_PLAYBOOK } from '../cluster/derive.js';
import { GRAPH_FORMATS, renderGraph, type GraphFormat } from '../graph/index.js';
import { collect } from './options.js';

interface GraphFlags {
  inventory: string[];
  format: GraphFormat;
  playbook: string;
  output?: string;
  vaultPasswordFile: string[];
  live?: boolean;
}


function formatValue(v: string): GraphFormat {
  if (!(GRAPH_FORMATS as readonly string[]).includes(v)) throw new InvalidArgumentError(`format must be one of ${GRAPH_FORMATS.join(', ')}.`);
  return v as GraphFormat;
}

export function registerGraph(program: Command): void {
  program
    .command('graph')
    .description('draw the cluster: clients -> VIP -> directors -> real servers -> database masters')
    .option('-i, --inventory <source>', 'inventory file, directory or host list (repeatable); default: ansible.cfg', collect, [])
    .option('--format <format>', `${GRAPH_FORMATS.join(', ')}`, formatValue, 'text')
    .option('--playbook <file>', 'the playbook that applies the cluster roles', SITE_PLAYBOOK)
    .option('-o, --output <file>', 'write the picture to FILE instead of stdout')
    .option('--vault-password-file <file>', 'vault password file (repeatable); default: ansible.cfg', collect, [])
    .option('--live', 'annotate with what the running cluster reports (not available yet)')
    .addHelpText('after', '\nNothing connects to a host. Exit codes: 0 ok, 4 the inventory or a role has a mistake, 5 bad options.')
    .action((flags: GraphFlags) => {
      process.exitCode = runGraph(flags);
    });
}

export function runGraph(flags: GraphFlags): number {
  if (flags.live) {
    throw new LvsplayError(diag('--live is not available yet: the picture shows the cluster as the inventory describes it', undefined, 'run without --live'), ExitCode.badOptions);
  }
  const { model, warnings } = loadClusterModel({ inventory: flags.inventory, playbook: flags.playbook, vaultPasswordFile: flags.vaultPasswordFile });
  for (const w of warnings) process.stderr.write(`${formatDiagnostic(w)}\n`);
  const picture = renderGraph(model, flags.format);
  if (flags.output) writeFileSync(flags.output, picture);
  else process.stdout.write(picture);
  return ExitCode.ok;
}
