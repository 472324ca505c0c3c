// The route guard, for TS callers (the connect helper carries the same check in shell): lab
// traffic may only leave the controller namespace through its eth0, straight onto the lab
// bridge. It asks the kernel for the route and sends nothing.
import { LvsplayError, diag } from '../diagnostics.js';
import { CONTROLLER_NS } from './paths.js';
import { run, sys, type CmdResult } from './sys.js';
import { netnsExists } from './network.js';

export async function assertLabRoute(addr: string): Promise<void> {
  const refuse = (why: string, hint?: string): never => {
    throw new LvsplayError(diag(`lab route guard: refusing ${addr}: ${why}`, undefined, hint));
  };
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(addr)) refuse('not an IPv4 address', 'give a lab host address');
  if (!netnsExists(CONTROLLER_NS)) refuse('the lab is not up', 'run `lvsplay lab up`');
  const r = await run`ip -n ${CONTROLLER_NS} -o route get ${addr}`;
  const route = (r.stdout || r.stderr).trim();
  if (r.code !== 0) refuse(`no route in the lab (${route})`, 'only lab host addresses can be reached');
  if (/ via /.test(` ${route} `)) refuse(`the path goes through a gateway (${route})`);
  if (!/ dev eth0 /.test(` ${route} `) || /^(local|broadcast) /.test(route))
    refuse(`the path does not go out of the lab's eth0 (${route})`);
}

/**
 * Runs a probe (curl, arping...) from the lab's controller namespace towards `addrs`, after the
 * route guard has accepted every one of them: lab traffic never starts anywhere else.
 */
export async function runFromController(addrs: string[], argv: string[], timeoutMs = 10_000): Promise<CmdResult> {
  for (const a of addrs) await assertLabRoute(a);
  return sys({ timeoutMs }).run`ip netns exec ${CONTROLLER_NS} ${argv}`;
}
