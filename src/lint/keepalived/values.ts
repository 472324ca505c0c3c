// Which values each keyword of each keepalived release takes, from the daemons themselves:
// scripts/keepalived-values.mjs writes every keyword, in its block of a valid config, with each
// probe value (none, a boolean word, numbers from -1 to 10^20, a decimal, a word, an IPv4 address,
// a path) and records `keepalived -t`'s verdict, plus the range the daemon names when it refuses a
// number. A written value is judged by the probe of its kind (numbers by the range, else by the
// probes around them). Keywords the daemon refused with every probe depend on their context (the
// rest of the file) and are left to the checks of check.ts.
import { isIPv4 } from 'node:net';
import values from './values.json' with { type: 'json' };
import type { KeepalivedVersion } from './versions.js';

type Entry = string | [string, number, number];
const TABLE = values as unknown as { probes: string[] } & Record<
  KeepalivedVersion,
  Record<string, Record<string, Entry>>
>;
const P = Object.fromEntries(TABLE.probes.map((p, i) => [p, i])) as Record<string, number>;
/** The numeric probes, ascending, with their index. */
const NUMBERS = TABLE.probes
  .map((p, i) => [p, i] as const)
  .filter(([p]) => /^-?\d+$/.test(p))
  .map(([p, i]) => [BigInt(p), i] as const)
  .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));

const BOOL = /^(true|false|yes|no|on|off)$/;

/** What a keyword takes, in words, for the message. */
function takes(bits: string, range: [number, number] | undefined): string {
  const ok = (p: string): boolean => bits[P[p]!] === '1';
  const kinds: string[] = [];
  if (ok('')) kinds.push('no value');
  if (ok('true')) kinds.push('true/false (also yes/no, on/off)');
  if (range) kinds.push(`a number in ${range[0]}..${range[1]}`);
  else if (NUMBERS.some(([, i]) => bits[i] === '1')) kinds.push(ok('1.5') ? 'a number' : 'a whole number');
  if (ok('abc')) kinds.push('a word');
  else if (ok('/usr/sbin/keepalived')) kinds.push('a path');
  else if (ok('192.168.200.1')) kinds.push('an address');
  return kinds.join(', ') || 'something else';
}

/**
 * Why `keepalived -t` of `version` refuses `keyword args` in `block`, or undefined when it takes it
 * (or the tables cannot tell: several values, an IPv6 address, a keyword whose every probe failed).
 */
export function valueProblem(
  version: KeepalivedVersion,
  block: string,
  keyword: string,
  args: readonly string[],
): string | undefined {
  const entry = TABLE[version][block]?.[keyword];
  if (entry === undefined || args.length > 1) return undefined;
  const [bits, lo, hi] = typeof entry === 'string' ? [entry] : entry;
  if (!bits.includes('1')) return undefined;
  const range = lo !== undefined && hi !== undefined ? ([lo, hi] as [number, number]) : undefined;
  const refused = (): string =>
    `'${keyword}${args.length ? ` ${args[0]}` : ''}': keepalived ${version} takes ${takes(bits, range)} here`;
  const ok = (p: string): boolean => bits[P[p]!] === '1';
  // strtol and strtod take a leading +.
  const a = args[0]?.replace(/^\+(?=[\d.])/, '');
  if (a === undefined) return ok('') ? undefined : refused();
  if (BOOL.test(a)) return ok('true') ? undefined : refused();
  if (/^-?\d+$/.test(a)) {
    const n = BigInt(a);
    if (range) return Number(a) >= range[0] && Number(a) <= range[1] ? undefined : refused();
    const same = NUMBERS.find(([v]) => v === n);
    if (same) return bits[same[1]] === '1' ? undefined : refused();
    const below = NUMBERS.filter(([v]) => v < n).at(-1);
    const above = NUMBERS.find(([v]) => v > n);
    const acc = [below, above].filter((x) => x !== undefined).map(([, i]) => bits[i] === '1');
    // Between a probe it takes and one it refuses: the bound is not known, so no verdict.
    return acc.every((x) => !x) ? refused() : undefined;
  }
  if (/^-?(\d+\.\d*|\.\d+)$/.test(a)) {
    if (!ok('1.5')) return refused();
    return range && (Number(a) < range[0] || Number(a) > range[1]) ? refused() : undefined;
  }
  if (isIPv4(a)) return ok('192.168.200.1') ? undefined : refused();
  if (a.startsWith('/')) return ok('/usr/sbin/keepalived') ? undefined : refused();
  if (a.includes(':')) return undefined;
  // A word where the keyword takes numbers or booleans but no word at all.
  const numeric = NUMBERS.some(([, i]) => bits[i] === '1') || ok('true');
  return !ok('abc') && numeric ? refused() : undefined;
}

/** Do the tables judge this keyword's values in this block (so other checks need not)? */
export function valuesKnown(version: KeepalivedVersion, block: string, keyword: string): boolean {
  const entry = TABLE[version][block]?.[keyword];
  return entry !== undefined && (typeof entry === 'string' ? entry : entry[0]).includes('1');
}
