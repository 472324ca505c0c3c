// The lab's figures (`scripts/lab-bench.sh [ROUNDS] [--scratch]`, as root): 6 hosts up with
// the base cached, down, idle memory per host, and (with --scratch) base + repository built
// from scratch in a separate state directory. Up and down are timed as a user meets them,
// through the CLI (zx's `$`); memory is read through the lab API.
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { labStatus } from '../../src/lab/index.js';
import { $ } from '../../src/lab/sys.js';
import { CLI, PROJECT } from './lab.js';

const lv = $({ cwd: PROJECT, nothrow: false });
const lab = (args: string[], env: NodeJS.ProcessEnv = process.env) =>
  lv({ env })`${process.execPath} ${CLI} lab ${args}`;
const timed = async (f: () => Promise<unknown>) => {
  const t0 = Date.now();
  await f();
  return Date.now() - t0;
};
const mb = (kb: number) => (kb / 1024).toFixed(1);

async function main(argv: string[]): Promise<void> {
  const rounds = Number(argv.find((a) => /^\d+$/.test(a)) ?? 5);
  await lab(['up']); // the base is built here when not cached
  console.log('round  up(ms)  down(ms)  idle PSS per host (MB, min-max)  RSS sum per host (MB, max)');
  for (let i = 1; i <= rounds; i++) {
    await lab(['down']);
    const up = await timed(() => lab(['up']));
    await new Promise((r) => setTimeout(r, 1000));
    const hosts = (await labStatus()).hosts;
    const pss = hosts.map((h) => h.pssKb);
    const mem = `${mb(Math.min(...pss))}-${mb(Math.max(...pss))}  ${mb(Math.max(...hosts.map((h) => h.rssKb)))}`;
    const down = await timed(() => lab(['down']));
    console.log(`${String(i).padStart(5)}  ${String(up).padStart(6)}  ${String(down).padStart(8)}  ${mem}`);
  }
  if (argv.includes('--scratch')) {
    // one lab per machine: the namespaces are named the same whatever the state directory
    const dir = mkdtempSync('/var/lib/lvsplay/bench-scratch.');
    const env = { ...process.env, LVSPLAY_LAB_DIR: dir };
    const ms = await timed(async () => {
      await lab(['up', '-i', join(PROJECT, 'inventory/lab.ini')], env);
      await lab(['down', '--purge'], env);
    });
    const du = async (p: string) => (await $`du -sh ${p}`).stdout.split('\t')[0];
    const sizes = `base ${await du(join(dir, 'base'))}, repo ${await du(join(dir, 'repo'))}`;
    console.log(`base + repo from scratch, then 6 hosts up and down: ${Math.round(ms / 1000)} s; ${sizes}`);
    rmSync(dir, { recursive: true, force: true });
  }
  await lab(['up']);
}

await main(process.argv.slice(2));
