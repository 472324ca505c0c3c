// Host entries as Ansible's inventory plugins read them: an optional `:port` suffix
// (`[v6::addr]:port` for IPv6) and `[a:b(:step)]` ranges, numeric with zero padding or
// alphabetic, expanded left to right (`db[01:02]-[a:b]`).

export interface HostEntry {
  hosts: string[];
  port?: number;
}

const ASCII_LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

const numericRange = String.raw`\[(?:[0-9]+:[0-9]+)(?::[0-9]+)?\]`;
const hexRange = String.raw`\[(?:[0-9a-f]+:[0-9a-f]+)(?::[0-9]+)?\]`;
const alnumRange = String.raw`\[(?:[a-z]:[a-z]|[0-9]+:[0-9]+)(?::[0-9]+)?\]`;
const ipv4Part = String.raw`(?:[01]?[0-9]{1,2}|2[0-4][0-9]|25[0-5]|${numericRange})`;
const ipv6Part = String.raw`(?:[0-9a-f]{1,4}|${hexRange})`;
// `(?<![_-])` in Ansible's label: a label must not end with `_` or `-`.
const label = String.raw`(?:[\p{L}\p{N}_]|${alnumRange})(?:[\p{L}\p{N}_-]|${alnumRange})*(?<![_-])`;

const BRACKETED_HOSTPORT = /^\[(.+)\]:([0-9]+)$/;
const HOSTPORT = /^((?:[^:[\]]|\[[^\]]*\])*):([0-9]+)$/;
const IPV4 = new RegExp(String.raw`^(?:${ipv4Part}\.){3}${ipv4Part}$`, 'i');
const IPV6 = new RegExp(
  '^(?:' +
    [
      String.raw`(?:${ipv6Part}:){7}${ipv6Part}`,
      String.raw`(?:${ipv6Part}:){1,6}:`,
      String.raw`(?:${ipv6Part}:)(?::${ipv6Part}){1,6}`,
      String.raw`(?:${ipv6Part}:){2}(?::${ipv6Part}){1,5}`,
      String.raw`(?:${ipv6Part}:){3}(?::${ipv6Part}){1,4}`,
      String.raw`(?:${ipv6Part}:){4}(?::${ipv6Part}){1,3}`,
      String.raw`(?:${ipv6Part}:){5}(?::${ipv6Part}){1,2}`,
      String.raw`(?:${ipv6Part}:){6}(?::${ipv6Part})`,
      String.raw`:(?::${ipv6Part}){1,6}`,
      String.raw`${ipv6Part}?::`,
      String.raw`(?:0:){6}(?:${ipv6Part}\.){3}${ipv6Part}`,
      String.raw`::(?:ffff:)?(?:${ipv6Part}\.){3}${ipv6Part}`,
      String.raw`(?:0:){5}ffff:(?:${ipv6Part}\.){3}${ipv6Part}`,
    ].join('|') +
    ')$',
  'i',
);
const HOSTNAME = new RegExp(String.raw`^${label}(?:\.${label})*$`, 'iu');

/**
 * Ansible's parse_address: splits off a port and checks the rest is an IPv4/IPv6 address or a
 * host name (ranges allowed). Returns undefined when it is none of these.
 */
export function parseAddress(address: string): { host: string; port?: number } | undefined {
  let rest = address;
  let port: number | undefined;
  for (const re of [BRACKETED_HOSTPORT, HOSTPORT]) {
    const m = re.exec(rest);
    if (m) {
      rest = m[1]!;
      port = Number(m[2]);
    }
  }
  if (IPV4.test(rest) || IPV6.test(rest) || HOSTNAME.test(rest)) return port === undefined ? { host: rest } : { host: rest, port };
  return undefined;
}

export class HostRangeError extends Error {
  constructor(
    message: string,
    /** What to do, when it is not the usual range syntax. */
    readonly hint = 'write ranges as [01:10], [1:10:2] or [a:f]',
  ) {
    super(message);
  }
}

/**
 * Hosts one inventory entry may expand to: ranges multiply, so a typo such as
 * `h[0:99999999999999999999]` or `h[0:9999][0:9999]` would otherwise fill the memory. An
 * operator with more hosts than this splits them over several entries.
 */
export const MAX_RANGE_HOSTS = 250_000;

interface Range {
  count: bigint;
  at(i: number): string;
}

/** One `[beg:end(:step)]` body, without building its values. */
function parseRange(body: string): Range {
  const bounds = body.split(':');
  if (bounds.length !== 2 && bounds.length !== 3) throw new HostRangeError('host range must be begin:end or begin:end:step');
  const beg = bounds[0] || '0';
  const end = bounds[1]!;
  const stepText = bounds[2] ?? '1';
  if (!end) throw new HostRangeError('host range must specify end value');
  if (!/^[0-9]+$/.test(stepText) || BigInt(stepText) <= 0n) throw new HostRangeError(`host range step must be a positive number, got "${stepText}"`);
  const step = BigInt(stepText);
  const iBeg = beg.length === 1 ? ASCII_LETTERS.indexOf(beg) : -1;
  const iEnd = end.length === 1 ? ASCII_LETTERS.indexOf(end) : -1;
  if (iBeg >= 0 && iEnd >= 0) {
    if (iBeg > iEnd) throw new HostRangeError('host range must have begin <= end');
    return { count: (BigInt(iEnd - iBeg) / step) + 1n, at: (i) => ASCII_LETTERS[iBeg + i * Number(step)]! };
  }
  if (!/^[0-9]+$/.test(beg) || !/^[0-9]+$/.test(end)) {
    throw new HostRangeError(`host range [${body}] is neither numeric nor a single-letter range`);
  }
  const padded = beg.length > 1 && beg.startsWith('0');
  if (padded && beg.length !== end.length) throw new HostRangeError('host range must specify equal-length begin and end formats');
  const b = BigInt(beg);
  const e = BigInt(end);
  // Ansible silently makes no hosts of an empty span; here it is the mistake it always is.
  if (e < b) throw new HostRangeError('host range must have begin <= end');
  const count = (e - b) / step + 1n;
  return {
    count,
    at: (i) => {
      const v = String(b + BigInt(i) * step);
      return padded ? v.padStart(beg.length, '0') : v;
    },
  };
}

/**
 * Expands every `[...]` range of a name, the leftmost varying slowest, as Ansible's
 * expand_hostname_range does. Throws HostRangeError with Ansible's wording for bad ranges, and
 * for an entry beyond MAX_RANGE_HOSTS before building any name.
 */
export function expandHostRange(name: string): string[] {
  const literals: string[] = [];
  const ranges: Range[] = [];
  let rest = name;
  for (let open = rest.indexOf('['); open >= 0; open = rest.indexOf('[')) {
    const close = rest.indexOf(']', open);
    if (close < 0) throw new HostRangeError(`unclosed range in "${name}"`);
    literals.push(rest.slice(0, open));
    ranges.push(parseRange(rest.slice(open + 1, close)));
    rest = rest.slice(close + 1);
  }
  const total = ranges.reduce((n, r) => n * r.count, 1n);
  if (total > BigInt(MAX_RANGE_HOSTS))
    throw new HostRangeError(
      `host range "${name}" expands to ${total} hosts, more than the limit of ${MAX_RANGE_HOSTS} per entry`,
      'check the bounds for a typo; to have that many hosts, split the range over several entries',
    );
  let names = [''];
  ranges.forEach((r, k) => {
    const next: string[] = [];
    for (const prefix of names) for (let i = 0; i < Number(r.count); i++) next.push(prefix + literals[k]! + r.at(i));
    names = next;
  });
  return names.map((n) => n + rest);
}

/** A host entry (`web[01:03]:2222`) as the INI and YAML inventory plugins read it. */
export function expandHostEntry(entry: string): HostEntry {
  const parsed = parseAddress(entry);
  const pattern = parsed?.host ?? entry;
  const hosts = pattern.includes('[') ? expandHostRange(pattern) : [pattern];
  return parsed?.port === undefined ? { hosts } : { hosts, port: parsed.port };
}
