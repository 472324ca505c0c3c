// `lvsplay verify --failover`: the one disruptive check, opt-in. It stops keepalived on the
// director holding each VIP, measures how long until another director holds it, starts
// keepalived again and measures how long until the VIP is back (when the first director
// preempts). Refused unless every director is marked safe to disrupt.
import { sh } from '../transport/quote.js';
import { readCluster, type ClusterSession } from '../status/index.js';
import { connectionVarsOf } from '../status/collect.js';
import type { Check } from './checks.js';

/** The host variable that allows `verify --failover` to stop keepalived on a director. */
export const DISRUPT_VAR = 'lvsplay_disruptive_ok';

const POLL_MS = 100;

export interface FailoverOptions {
  /** How long each phase may take before it counts as failed. */
  limitMs?: number;
}

/** Directors that may not be disrupted (the variable is not true for them). */
export function notDisruptable(c: ClusterSession): string[] {
  return c.model.directors
    .map((d) => d.host)
    .filter((h) => {
      const play = c.plan.plays.find((p) => p.hosts.includes(h));
      const v = play?.varsOf(h)[DISRUPT_VAR];
      return v !== true && String(v).toLowerCase() !== 'true';
    });
}

/**
 * Stops or starts keepalived and waits until it really is stopped or running: a start issued
 * while the old process is still exiting is silently lost (seen with Debian's init script).
 */
async function keepalived(c: ClusterSession, host: string, action: 'stop' | 'start'): Promise<void> {
  const t = await c.pool.get(host, connectionVarsOf(c.plan, host));
  const want = action === 'stop' ? sh`! pidof keepalived >/dev/null` : sh`pidof keepalived >/dev/null`;
  const r = await t.run(
    sh`svc() { if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then systemctl "$1" keepalived; else /etc/init.d/keepalived "$1"; fi; }
for try in 1 2 3; do
  svc ${action} >/dev/null 2>&1
  i=0; while [ $i -lt 50 ]; do if ${want}; then exit 0; fi; sleep 0.1; i=$((i+1)); done
done
echo "keepalived is not ${action === 'stop' ? 'stopped' : 'running'} after 3 tries" >&2; exit 1`,
    { become: true, timeoutMs: 30_000 },
  );
  if (r.code !== 0) throw new Error(`${host}: keepalived ${action} failed: ${r.stderr.trim() || `rc ${r.code}`}`);
}

/** Polls who holds `vip` until `done(holders)` or the limit; the milliseconds it took, or undefined. */
async function waitHolders(
  c: ClusterSession,
  vip: string,
  done: (holders: string[]) => boolean,
  limitMs: number,
  t0: number,
): Promise<{ ms?: number; holders: string[] }> {
  let holders: string[] = [];
  while (performance.now() - t0 < limitMs) {
    const { status } = await readCluster(c);
    holders = status.vips.find((v) => v.vip === vip)?.holders ?? [];
    if (done(holders)) return { ms: Math.round(performance.now() - t0), holders };
    await new Promise((res) => setTimeout(res, POLL_MS));
  }
  return { holders };
}

export async function failoverChecks(c: ClusterSession, o: FailoverOptions = {}): Promise<Check[]> {
  const limitMs = o.limitMs ?? 30_000;
  const { status } = await readCluster(c);
  const checks: Check[] = [];
  for (const v of status.vips) {
    const [holder] = v.holders;
    if (v.holders.length !== 1 || !holder) {
      checks.push({
        id: 'failover',
        title: `failover of ${v.vip}`,
        ok: false,
        detail: `not tried: the VIP is held by ${v.holders.length ? v.holders.join(', ') : 'nobody'}`,
      });
      continue;
    }
    // Both figures count from the command, as an operator's `service keepalived stop` would.
    const stoppedAt = performance.now();
    await keepalived(c, holder, 'stop');
    let restarted = false;
    try {
      const moved = await waitHolders(c, v.vip, (hs) => hs.length === 1 && hs[0] !== holder, limitMs, stoppedAt);
      checks.push({
        id: 'failover',
        host: holder,
        title: `${v.vip} moves to another director when keepalived stops on ${holder}`,
        ok: moved.ms !== undefined,
        detail:
          moved.ms !== undefined
            ? `held by ${moved.holders[0]} after ${moved.ms} ms`
            : `not moved within ${limitMs} ms (held by ${moved.holders.join(', ') || 'nobody'})`,
      });
      const startedAt = performance.now();
      await keepalived(c, holder, 'start');
      restarted = true;
      // With preemption (the default) the higher-priority director takes the VIP back.
      const back = await waitHolders(c, v.vip, (hs) => hs.length === 1 && hs[0] === holder, limitMs, startedAt);
      checks.push({
        id: 'failback',
        host: holder,
        title: `${v.vip} returns to ${holder} when keepalived starts again`,
        ok: back.ms !== undefined,
        detail:
          back.ms !== undefined
            ? `back after ${back.ms} ms`
            : `still held by ${back.holders.join(', ') || 'nobody'} after ${limitMs} ms`,
      });
    } finally {
      if (!restarted) await keepalived(c, holder, 'start').catch(() => undefined);
    }
  }
  return checks;
}
