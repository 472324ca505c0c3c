// Ansible's default palette (constants COLOR_OK, COLOR_CHANGED, ...), so a terminal that knows
// ansible-playbook's colours reads ours the same way. Colours only ever reach a TTY.

const CODES = {
  ok: '0;32', // green
  changed: '0;33', // yellow
  skip: '0;36', // cyan
  error: '0;31', // red
  unreachable: '1;31', // bright red
  warn: '1;35', // bright purple
  verbose: '0;34', // blue
  debug: '1;30', // dark gray
  diffAdd: '0;32',
  diffRemove: '0;31',
  diffLines: '0;36',
  unknown: '1;35',
  bold: '1',
} as const;

export type Colour = keyof typeof CODES;

export type Paint = (colour: Colour | undefined, text: string) => string;

/** A painter that colours only when `enabled` (a TTY, and NO_COLOR unset). */
export function painter(enabled: boolean): Paint {
  if (!enabled) return (_c, text) => text;
  return (colour, text) => (colour && text ? `\u001b[${CODES[colour]}m${text}\u001b[0m` : text);
}

const ANSI_RE = /\u001b\[[0-9;]*m/g;

/** Printable width of a string that may hold colour codes. */
export function visibleLength(text: string): number {
  return text.replace(ANSI_RE, '').length;
}

/** Colour is wanted on a TTY unless the user set NO_COLOR (https://no-color.org). */
export function wantsColour(isTTY: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR) return false;
  if (env.ANSIBLE_NOCOLOR && env.ANSIBLE_NOCOLOR !== '0' && env.ANSIBLE_NOCOLOR !== 'false') return false;
  return isTTY;
}
