// `lvsplay status`: the cluster's live state, once (--once) or refreshed every second (--watch).
import type { Command } from 'commander';
import { ExitCode, formatDiagnostic } from '../diagnostics.js';
import type { openCluster } from '../status/index.js';
import { clusterSourceOptions, textOrJson } from './options.js';

interface StatusFlags {
  inventory: string[];
  playbook: string;
  vaultPasswordFile: string[];
  format: 'text' | 'json';
  once?: boolean;
  watch?: boolean;
}

export function registerStatus(program: Command): void {
  clusterSourceOptions(program.command('status'))
    .description(
      'show the running cluster: who holds each VIP, keepalived, IPVS, the VIP on the real servers, replication',
    )
    .option('--format <format>', 'text or json', textOrJson, 'text')
    .option('--once', 'read once and exit (the default)')
    .option('--watch', 'refresh every second, changes highlighted; Ctrl-C to stop')
    .addHelpText(
      'after',
      '\nRead-only. A host is shown as unreachable when it cannot be connected to within 5 s (ssh ConnectTimeout; ansible_ssh_timeout overrides it) or, once connected, does not answer within 2 s; --watch waits at most 2 s for a connection still opening. Exit codes: 0 every host answered, 3 a host was unreachable, 4 the inventory has a mistake.',
    )
    .action(async (flags: StatusFlags) => {
      process.exitCode = await runStatus(flags);
    });
}

export async function runStatus(flags: StatusFlags): Promise<number> {
  const { openCluster, readCluster, statusLines } = await import('../status/index.js');
  const cluster = openCluster({
    inventory: flags.inventory,
    playbook: flags.playbook,
    vaultPasswordFile: flags.vaultPasswordFile,
  });
  for (const w of cluster.plan.warnings) process.stderr.write(`${formatDiagnostic(w)}\n`);
  try {
    if (!flags.watch || flags.once) {
      const { status, probes } = await readCluster(cluster);
      process.stdout.write(
        flags.format === 'json' ? `${JSON.stringify(status, null, 2)}\n` : `${statusLines(status).join('\n')}\n`,
      );
      return probes.every((p) => p.reachable) ? ExitCode.ok : ExitCode.notReached;
    }
    return await watch(cluster, flags.format);
  } finally {
    await cluster.pool.closeAll();
  }
}

async function watch(cluster: ReturnType<typeof openCluster>, format: 'text' | 'json'): Promise<number> {
  const { DEFAULT_DEADLINE_MS, highlightChanges, readCluster, statusLines } = await import('../status/index.js');
  let stop = false;
  const onInt = () => {
    stop = true;
  };
  process.once('SIGINT', onInt);
  const tty = !!process.stdout.isTTY;
  let before: string[] | undefined;
  try {
    while (!stop) {
      const t0 = Date.now();
      // a refresh waits for no connection longer than for an answer: one still opening is
      // shown unreachable for now and used by the next refresh once it is open
      const { status } = await readCluster(cluster, { connectWaitMs: DEFAULT_DEADLINE_MS });
      if (format === 'json') process.stdout.write(`${JSON.stringify(status)}\n`);
      else {
        const lines = statusLines(status);
        const shown = highlightChanges(lines, before, tty);
        process.stdout.write(`${tty ? '\x1b[H\x1b[2J' : '\n'}${status.at}\n${shown.join('\n')}\n`);
        before = lines;
      }
      await new Promise((r) => setTimeout(r, Math.max(0, 1000 - (Date.now() - t0))));
    }
  } finally {
    process.off('SIGINT', onInt);
  }
  return ExitCode.ok;
}
