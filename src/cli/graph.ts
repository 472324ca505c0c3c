// `lvsplay graph`: the cluster's topology as a picture, derived from the inventory and the role
// variables as `lvsplay run` would see them; with --live, annotated with one status reading.
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { ExitCode, formatDiagnostic } from '../diagnostics.js';
import type { ClusterSource } from '../cluster/derive.js';
import type { ClusterStatus } from '../status/index.js';
import { GRAPH_FORMATS, type GraphFormat } from '../graph/formats.js';
import { clusterSourceOptions } from './options.js';

interface GraphFlags {
  inventory: string[];
  format: GraphFormat;
  playbook: string;
  output?: string;
  vaultPasswordFile: string[];
  live?: boolean;
}

function formatValue(v: string): GraphFormat {
  if (!(GRAPH_FORMATS as readonly string[]).includes(v))
    throw new InvalidArgumentError(`format must be one of ${GRAPH_FORMATS.join(', ')}.`);
  return v as GraphFormat;
}

export function registerGraph(program: Command): void {
  clusterSourceOptions(program.command('graph'))
    .description('draw the cluster: clients -> VIP -> directors -> real servers -> database masters')
    .option('--format <format>', `${GRAPH_FORMATS.join(', ')}`, formatValue, 'text')
    .option('-o, --output <file>', 'write the picture to FILE instead of stdout')
    .option(
      '--live',
      "connect read-only (as `status --once` does) and add to each box what runs now; the VIP's edges follow its holder",
    )
    .addHelpText(
      'after',
      '\nWithout --live nothing connects to a host. Exit codes: 0 ok, 4 the inventory or a role has a mistake, 5 bad options.',
    )
    .action(async (flags: GraphFlags) => {
      process.exitCode = await runGraph(flags);
    });
}

export async function runGraph(flags: GraphFlags): Promise<number> {
  const src = { inventory: flags.inventory, playbook: flags.playbook, vaultPasswordFile: flags.vaultPasswordFile };
  const [{ loadClusterModel }, { renderGraph }] = await Promise.all([
    import('../cluster/derive.js'),
    import('../graph/index.js'),
  ]);
  const { model, warnings } = loadClusterModel(src);
  for (const w of warnings) process.stderr.write(`${formatDiagnostic(w)}\n`);
  const live = flags.live ? await readLive(src) : undefined;
  const picture = renderGraph(model, flags.format, live);
  if (flags.output) writeFileSync(flags.output, picture);
  else process.stdout.write(picture);
  return ExitCode.ok;
}

/** One reading of the running cluster, as `status --once` takes it. */
async function readLive(src: ClusterSource): Promise<ClusterStatus> {
  const { openCluster, readCluster } = await import('../status/index.js');
  const cluster = openCluster(src);
  try {
    return (await readCluster(cluster)).status;
  } finally {
    await cluster.pool.closeAll();
  }
}
