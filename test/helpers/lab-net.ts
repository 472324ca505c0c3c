// Reaching lab hosts from the controller side, as a runner would: ssh through the lab's
// ssh_config (route guard, strict host keys) and pings inside the lab.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { labExec, labPaths } from '../../src/lab/index.js';

export function sshRun(host: string, cmd: string, timeoutSec = 3) {
  return spawnSync(
    'ssh',
    ['-F', labPaths().sshConfig, '-o', 'BatchMode=yes', '-o', `ConnectTimeout=${timeoutSec}`, host, cmd],
    {
      encoding: 'utf8',
      timeout: 20_000 + timeoutSec * 1000,
    },
  );
}

/** The host's line in the lab's known_hosts. */
export const keyLine = (host: string) =>
  readFileSync(labPaths().knownHosts, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${host},`));

/** Pings inside the lab from one host to another's address, retrying for up to `seconds`. */
export async function reaches(from: string, toAddr: string, seconds = 1): Promise<boolean> {
  // a restored path is found once the sender's ARP retries (a failed neighbour entry answers
  // "unreachable" at once for a while, as on any Linux host)
  const end = Date.now() + seconds * 1000;
  do {
    if ((await labExec(from, ['ping', '-c', '1', '-W', '1', toAddr])).code === 0) return true;
  } while (Date.now() < end);
  return false;
}
