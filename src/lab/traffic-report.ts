// What a run of `lvsplay lab traffic` saw: one record per request, and the summary that proves
// (or disproves) a change without downtime. Pure: the worker makes the records, this judges them.

/** One request to the VIP, as the traffic worker saw it. */
export interface TrafficRecord {
  /** Its number, in the order the requests were sent. */
  seq: number;
  /** When it was sent, in ms since the run started. */
  at: number;
  /** When it was sent, in ms since the epoch (to line requests up with events on the hosts). */
  sentAt?: number;
  /** How long until the answer was read in full, or until it failed, in ms. */
  ms: number;
  /** The HTTP status, when an answer came. */
  status?: number;
  /** Why there was no answer (connection refused, timed out...). */
  error?: string;
  /** The real server named by the page's title. */
  server?: string;
  /** The site's version from the page's `site-version` meta tag. */
  version?: string;
  /** The database server the page read from (its `db-server` meta tag: the realserver role's DB page). */
  db?: string;
}

/** A request failed when no answer came or the answer was not 2xx. */
export const failed = (r: TrafficRecord): boolean => r.status === undefined || r.status < 200 || r.status >= 300;

const meta = (body: string, name: string) =>
  new RegExp(`<meta\\s+name="${name}"\\s+content="([^"]*)"`, 'i').exec(body)?.[1];

/** The real server, the site version and the database server a page names (the realserver role's
 * index.html and its page that reads the database). */
export function pageIdentity(body: string): { server?: string; version?: string; db?: string } {
  const server = /<title>([^<]*)<\/title>/i.exec(body)?.[1]?.trim();
  const version = meta(body, 'site-version');
  const db = meta(body, 'db-server');
  return {
    ...(server ? { server } : {}),
    ...(version !== undefined ? { version } : {}),
    ...(db ? { db } : {}),
  };
}

/** "web1 v2", "web1" (no version), "web1 v2 via db1" (the page read db1), or "?" (no page identity). */
export function answeredBy(r: TrafficRecord): string {
  if (!r.server) return '?';
  const page = r.version === undefined ? r.server : `${r.server} v${r.version}`;
  return r.db ? `${page} via ${r.db}` : page;
}

export interface TrafficWindow {
  /** Start of the window, ms since the run started. */
  from: number;
  /** Answers per "server vVERSION" (and "via DB" for the page that reads the database) in the window. */
  answers: Record<string, number>;
  failures: number;
}

export interface TrafficSummary {
  requests: number;
  failures: number;
  /** The failed requests (at most the first 20), for the report. */
  failed: TrafficRecord[];
  /** The run's length: from the first request sent to the last answer, ms. */
  spanMs: number;
  /** The longest time without a successful answer (from the start, between answers, to the end), ms. */
  longestGapMs: number;
  /** Where the longest gap started, ms since the run started. */
  longestGapAt: number;
  latencyMs: { median: number; p99: number; max: number };
  /** Successful answers per "server vVERSION" over the whole run. */
  answers: Record<string, number>;
  windows: TrafficWindow[];
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const bump = (m: Record<string, number>, k: string) => {
  m[k] = (m[k] ?? 0) + 1;
};

export function summarize(records: TrafficRecord[], windowMs = 5_000): TrafficSummary {
  const rs = [...records].sort((a, b) => a.seq - b.seq);
  const bad = rs.filter(failed);
  const end = Math.max(0, ...rs.map((r) => r.at + r.ms));
  // the gap is measured between answers as the client received them
  const okEnds = rs
    .filter((r) => !failed(r))
    .map((r) => r.at + r.ms)
    .sort((a, b) => a - b);
  let longestGapMs = 0;
  let longestGapAt = 0;
  let prev = rs.length ? Math.min(...rs.map((r) => r.at)) : 0;
  for (const t of [...okEnds, end]) {
    if (t - prev > longestGapMs) {
      longestGapMs = t - prev;
      longestGapAt = prev;
    }
    prev = Math.max(prev, t);
  }
  const answers: Record<string, number> = {};
  const windows: TrafficWindow[] = [];
  for (const r of rs) {
    const i = Math.floor(r.at / windowMs);
    while (windows.length <= i) windows.push({ from: windows.length * windowMs, answers: {}, failures: 0 });
    const w = windows[i]!;
    if (failed(r)) w.failures++;
    else {
      bump(w.answers, answeredBy(r));
      bump(answers, answeredBy(r));
    }
  }
  const lat = rs
    .filter((r) => !failed(r))
    .map((r) => r.ms)
    .sort((a, b) => a - b);
  return {
    requests: rs.length,
    failures: bad.length,
    failed: bad.slice(0, 20),
    spanMs: end,
    longestGapMs,
    longestGapAt,
    latencyMs: { median: percentile(lat, 50), p99: percentile(lat, 99), max: lat.at(-1) ?? 0 },
    answers,
    windows,
  };
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const counts = (m: Record<string, number>) =>
  Object.entries(m)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, n]) => `${k}: ${n}`)
    .join(', ') || '-';

export function trafficText(s: TrafficSummary, target: string): string {
  const lines = [
    `traffic to ${target}: ${s.requests} requests in ${secs(s.spanMs)}, ${s.failures} failed`,
    `longest time without an answer: ${s.longestGapMs} ms (from ${secs(s.longestGapAt)})`,
    `latency of the answers: median ${s.latencyMs.median} ms, p99 ${s.latencyMs.p99} ms, max ${s.latencyMs.max} ms`,
    `answered by: ${counts(s.answers)}`,
    '',
    'over time:',
  ];
  for (const w of s.windows)
    lines.push(`  ${secs(w.from).padStart(8)}  ${counts(w.answers)}${w.failures ? `; failed ${w.failures}` : ''}`);
  if (s.failed.length) {
    lines.push('', 'failed requests:');
    for (const r of s.failed)
      lines.push(
        `  #${r.seq} at ${secs(r.at)}: ${r.error ?? `HTTP ${r.status}`}${r.server ? ` (from ${answeredBy(r)})` : ''}`,
      );
  }
  return `${lines.join('\n')}\n`;
}
