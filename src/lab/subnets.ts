// The lab's IPv4 subnets, all on the one bridge: the /24 of the seed cluster and of every lab
// inventory, and a /22 beside it for inventories of hundreds of hosts (the bench's 200 and 500),
// which one /24 cannot hold. The controller has an address in each; each is on-link on its eth0
// and nothing else is routed, so the route guard's rule (on-link through eth0, no gateway)
// covers both.
import { BlockList, isIPv4 } from 'node:net';

export interface LabSubnet {
  network: string;
  prefix: number;
  /** The controller's address in it. */
  controller: string;
}

export const LAB_SUBNETS: readonly LabSubnet[] = [
  { network: '10.0.7.0', prefix: 24, controller: '10.0.7.1' },
  { network: '10.0.8.0', prefix: 22, controller: '10.0.8.1' },
];

const toInt = (a: string) => a.split('.').reduce((n, o) => n * 256 + Number(o), 0);
export const fromInt = (n: number) => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');

/** Each subnet as a BlockList, made once. */
const MATCHERS = new Map(
  LAB_SUBNETS.map((s) => {
    const list = new BlockList();
    list.addSubnet(s.network, s.prefix, 'ipv4');
    return [s, list] as const;
  }),
);

/** The lab subnet holding `addr` as a host address (not its network, broadcast or controller). */
export function hostSubnetOf(addr: string): LabSubnet | undefined {
  if (!isIPv4(addr)) return undefined;
  return LAB_SUBNETS.find((s) => {
    if (!MATCHERS.get(s)!.check(addr, 'ipv4') || addr === s.controller) return false;
    const offset = toInt(addr) - toInt(s.network);
    return offset > 0 && offset < 2 ** (32 - s.prefix) - 1;
  });
}

/** `10.0.7.0/24 or 10.0.8.0/22`, for messages. */
export const subnetsText = () => LAB_SUBNETS.map((s) => `${s.network}/${s.prefix}`).join(' or ');

/** ssh_config Host patterns matching every address of the lab's subnets. */
export function sshPatterns(): string[] {
  return LAB_SUBNETS.flatMap((s) => {
    const first = toInt(s.network) >>> 8;
    return Array.from({ length: 2 ** (24 - s.prefix) }, (_, i) => `${fromInt((first + i) << 8).replace(/\.0$/, '')}.*`);
  });
}
