// The floor: what any run on these hosts must pay at least. Node starts, loads the inventory,
// opens one ssh connection per host through lvsplay's own transport (so the same ProxyCommand
// path), runs one command on each, and closes; all hosts at once. Timed from outside, like the
// tools, so Node's start-up is in the figure.
//   node floor.js INVENTORY [GROUP]
import { hostsOfGroup, hostVarsOf, loadInventory } from '../../src/inventory/index.js';
import { connect, targetFromVars } from '../../src/transport/index.js';
import { sh } from '../../src/transport/quote.js';

async function main(argv: string[]): Promise<number> {
  const [inventory, group = 'all'] = argv;
  if (!inventory) {
    process.stderr.write('usage: floor INVENTORY [GROUP]\n');
    return 5;
  }
  const { inventory: inv, diagnostics } = loadInventory([inventory]);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    process.stderr.write(`${errors.map((d) => d.message).join('\n')}\n`);
    return 4;
  }
  const hosts = [...hostsOfGroup(inv, group)];
  const outcomes = await Promise.allSettled(
    hosts.map(async (h) => {
      const t = await connect(targetFromVars(h, hostVarsOf(inv, h)), { mode: 'exec' });
      try {
        const r = await t.run(sh`true`);
        if (r.code !== 0) throw new Error(`exit ${r.code}`);
      } finally {
        await t.close();
      }
    }),
  );
  let failed = 0;
  outcomes.forEach((o, i) => {
    if (o.status === 'rejected') {
      failed++;
      process.stderr.write(`${hosts[i]}: ${(o.reason as Error).message}\n`);
    }
  });
  process.stdout.write(`floor: ${hosts.length - failed}/${hosts.length} hosts\n`);
  return failed === 0 ? 0 : 3;
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
