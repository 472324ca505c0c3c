// nunjucks passes keyword arguments (`f(x, attribute='a')`) as a trailing object marked with
// `__keywords`; filters, tests and methods take them apart here.
import type { Dict } from './python.js';

export function splitArgs(args: readonly unknown[]): { pos: unknown[]; kw: Dict } {
  const last = args[args.length - 1];
  if (last !== null && typeof last === 'object' && (last as Dict).__keywords === true) {
    const kw: Dict = { ...(last as Dict) };
    delete kw.__keywords;
    return { pos: args.slice(0, -1), kw };
  }
  return { pos: [...args], kw: {} };
}
