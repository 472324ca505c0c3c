// Several bench configurations in one bench, so they share one lab session and one load:
// `--configs direct,direct+prefetch,proxy,direct+delay20+lvsplay`. A configuration is how the
// tools connect (direct: inside the controller namespace, TCP to the hosts; proxy: the
// ProxyCommand), then modifiers: `prefetch` / `noprefetch` (LVSPLAY_PREFETCH for lvsplay),
// `delayN` (N ms round trip added by `lab up --delay`), `lvsplay` (time lvsplay alone).
import { CONNECTIONS, type Connection } from './inventory.js';

export interface BenchConfig {
  /** The name the result files get: the text given, with + as -. */
  name: string;
  connection: Connection;
  delayMs: number;
  /** undefined: the bench's own environment decides. */
  prefetch?: boolean;
  lvsplayOnly: boolean;
}

export function parseConfig(text: string): BenchConfig {
  const [how, ...mods] = text.trim().split('+');
  if (!(CONNECTIONS as readonly string[]).includes(how ?? ''))
    throw new Error(`configuration "${text}" must start with ${CONNECTIONS.join(' or ')}`);
  const c: BenchConfig = {
    name: text.trim().replace(/\+/g, '-'),
    connection: how as Connection,
    delayMs: 0,
    lvsplayOnly: false,
  };
  for (const m of mods) {
    const delay = /^delay(\d{1,5})$/.exec(m);
    if (delay) c.delayMs = Number(delay[1]);
    else if (m === 'prefetch' || m === 'noprefetch') c.prefetch = m === 'prefetch';
    else if (m === 'lvsplay') c.lvsplayOnly = true;
    else throw new Error(`configuration "${text}": unknown part "${m}" (prefetch, noprefetch, delayN, lvsplay)`);
  }
  return c;
}

/** LVSPLAY_PREFETCH as the configuration wants it in the tools' environment. */
export function withPrefetch(env: NodeJS.ProcessEnv, prefetch: boolean | undefined): NodeJS.ProcessEnv {
  if (prefetch === undefined) return env;
  return { ...env, LVSPLAY_PREFETCH: prefetch ? '1' : '0' };
}
