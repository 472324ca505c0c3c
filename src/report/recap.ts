// Banners, the PLAY RECAP table and the run time, laid out exactly as ansible-playbook 2.14
// prints them (display.banner, callback/default.py v2_playbook_on_stats, utils/color.py).
import type { HostCounts } from '../exec/events.js';
import { visibleLength, type Paint } from './ansi.js';

/** Ansible's Display.columns for an 80-column terminal (and for anything not a terminal). */
export const BANNER_COLUMNS = 79;

/** `TASK [name] ****...`: stars fill the line to 80 characters, never fewer than 3. */
export function banner(msg: string, columns = BANNER_COLUMNS): string {
  const text = msg.trim();
  const stars = Math.max(3, columns - text.length);
  return `${text} ${'*'.repeat(stars)}`;
}

/** Ansible's `"%-26s" % host`: the host column, widened only by a host longer than that. */
const HOST_WIDTH = 26;

/** `"%s=%-4s" % (lead, num)`: coloured only when not zero. */
function count(lead: string, n: number, colour: Parameters<Paint>[0], paint: Paint): string {
  const s = `${lead}=${String(n).padEnd(4)}`;
  return n !== 0 ? paint(colour, s) : s;
}

/**
 * One recap line per host, hosts sorted. `unknown` counts check-mode results nobody could
 * predict; the column appears only when some host has one, so the usual table stays Ansible's.
 */
export function recapLines(
  recap: Record<string, HostCounts>,
  paint: Paint,
  unknown: Record<string, number> = {},
): string[] {
  const showUnknown = Object.values(unknown).some((n) => n > 0);
  return Object.keys(recap)
    .sort()
    .map((host) => {
      const t = recap[host]!;
      const hostColour = t.failed || t.unreachable ? 'error' : t.changed ? 'changed' : 'ok';
      const painted = paint(hostColour, host);
      const name = painted + ' '.repeat(Math.max(0, HOST_WIDTH - visibleLength(painted)));
      const cols = [
        count('ok', t.ok, 'ok', paint),
        count('changed', t.changed, 'changed', paint),
        count('unreachable', t.unreachable, 'unreachable', paint),
        count('failed', t.failed, 'error', paint),
        count('skipped', t.skipped, 'skip', paint),
        count('rescued', t.rescued, 'ok', paint),
        count('ignored', t.ignored, 'warn', paint),
      ];
      if (showUnknown) cols.push(count('unknown', unknown[host] ?? 0, 'unknown', paint));
      return `${name} : ${cols.join(' ')}`;
    });
}

/** The run time in the words of the ansible.posix.timer callback, to the hundredth of a second. */
export function runTime(ms: number): string {
  const total = Math.max(0, ms) / 1000;
  const days = Math.floor(total / 86400);
  const hours = Math.floor((total % 86400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = (total % 60).toFixed(2);
  return `Playbook run took ${days} days, ${hours} hours, ${minutes} minutes, ${seconds} seconds`;
}
