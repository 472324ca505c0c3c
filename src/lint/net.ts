// IPv4 arithmetic the rules need: is an address inside a subnet. Addresses that are not IPv4
// (names, IPv6) make these answer `undefined`, and rules then stay silent rather than guess.

export function ipv4ToInt(text: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text.trim());
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!;
}

/** `10.0.7.247/24` -> address and prefix; a bare address gets `undefined` as prefix. */
export function splitCidr(text: string): { address: string; prefix?: number } {
  const [address = '', prefix] = text.trim().split('/');
  const p = prefix === undefined ? undefined : Number(prefix);
  return p === undefined || !Number.isInteger(p) ? { address } : { address, prefix: p };
}

export function inSubnet(address: string, subnet: string): boolean | undefined {
  const { address: net, prefix } = splitCidr(subnet);
  const a = ipv4ToInt(splitCidr(address).address);
  const n = ipv4ToInt(net);
  if (a === undefined || n === undefined || prefix === undefined || prefix < 0 || prefix > 32) return undefined;
  const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
  return (a & mask) >>> 0 === (n & mask) >>> 0;
}

/** The network `address/prefix` names, as `a.b.c.d/p` (for messages and grouping). */
export function networkOf(subnet: string): string | undefined {
  const { address, prefix } = splitCidr(subnet);
  const n = ipv4ToInt(address);
  if (n === undefined || prefix === undefined || prefix < 0 || prefix > 32) return undefined;
  const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
  const v = (n & mask) >>> 0;
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}/${prefix}`;
}
