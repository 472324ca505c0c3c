// Ansible's regex filters and tests take Python regular expressions; translate the Python-only
// syntax (named groups, \A, \Z, replacement references) to JavaScript's.
import { TemplateFault } from './undefined.js';
import { GuardedRegExp } from '../../regex-guard.js';

export function pyRegex(
  pattern: string,
  opts: { ignorecase?: boolean; multiline?: boolean; global?: boolean } = {},
): RegExp {
  let src = pattern;
  let flags = 'u';
  // Inline flags at the start, e.g. (?i) or (?m).
  const inline = /^\(\?([aiLmsux]+)\)/.exec(src);
  if (inline) {
    src = src.slice(inline[0].length);
    if (inline[1]!.includes('i')) opts = { ...opts, ignorecase: true };
    if (inline[1]!.includes('m')) opts = { ...opts, multiline: true };
    if (inline[1]!.includes('s')) flags += 's';
  }
  src = src
    .replace(/\(\?P<(\w+)>/g, '(?<$1>')
    .replace(/\(\?P=(\w+)\)/g, '\\k<$1>')
    .replace(/\\A/g, '^')
    .replace(/\\Z/g, '$');
  if (opts.ignorecase) flags += 'i';
  if (opts.multiline) flags += 'm';
  if (opts.global) flags += 'g';
  try {
    return new GuardedRegExp(src, flags, pattern);
  } catch {
    try {
      return new GuardedRegExp(src, flags.replace('u', ''), pattern);
    } catch (e) {
      throw new TemplateFault(
        `invalid regular expression ${JSON.stringify(pattern)}: ${(e as Error).message}`,
        'fix the pattern (Python regex syntax)',
      );
    }
  }
}

/** Python replacement text (`\1`, `\g<1>`, `\g<name>`) as a JavaScript replacement string. */
export function pyReplacement(repl: string): string {
  return repl
    .replace(/\$/g, '$$$$')
    .replace(/\\g<(\d+)>/g, '$$$1')
    .replace(/\\g<(\w+)>/g, '$$<$1>')
    .replace(/\\(\d{1,2})/g, '$$$1')
    .replace(/\\n/g, '\n')
    .replace(/\\t/g, '\t')
    .replace(/\\\\/g, '\\');
}
