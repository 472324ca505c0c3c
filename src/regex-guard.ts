// Regular expressions that come from playbooks (lineinfile, blockinfile, the regex_* filters and
// tests) run on the controller. JavaScript's engine backtracks: `^(a+)+$` on 40 characters takes
// longer than the universe, and while it runs nothing else does, not even Ctrl-C. So every match
// of such a pattern runs in a worker thread, and the controller waits for it at most
// REGEX_TIME_LIMIT_MS; past that the worker is killed and the match fails with an error naming
// the pattern. The patterns keep their full syntax (lookarounds and backreferences, which
// linear-time engines such as RE2 refuse, are what the Python translation relies on).
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';

/** How long one match may take. */
export const REGEX_TIME_LIMIT_MS = 2000;

/** A match that did not finish within REGEX_TIME_LIMIT_MS. */
export class RegexTimeLimit extends Error {
  constructor(source: string, input: string) {
    super(
      `the regular expression '${source}' took more than ${REGEX_TIME_LIMIT_MS / 1000} s on a text of ${input.length} characters (catastrophic backtracking) and was stopped; ` +
        'simplify the pattern: no quantifier on a group that is itself repeated, such as (a+)+ or (a|a)*',
    );
  }
}

interface Reply {
  match: Array<string | undefined> | null;
  index: number;
  groups?: Record<string, string | undefined>;
  /** With the `d` flag: where each group starts and ends. */
  indices?: { all: Array<[number, number] | undefined>; groups?: Record<string, [number, number] | undefined> };
  lastIndex: number;
  error?: string;
  /** The number of the request this answers. */
  seq: number;
}

const WORKER = `
const { workerData } = require('node:worker_threads');
const { port, shared } = workerData;
const done = new Int32Array(shared);
const cache = new Map();
port.on('message', ({ source, flags, input, lastIndex, seq }) => {
  let reply;
  try {
    const key = flags + '/' + source;
    let re = cache.get(key);
    if (!re) { re = new RegExp(source, flags); if (cache.size > 100) cache.clear(); cache.set(key, re); }
    re.lastIndex = lastIndex;
    const m = re.exec(input);
    reply = m ? { match: [...m], index: m.index, groups: m.groups, indices: m.indices && { all: [...m.indices], groups: m.indices.groups }, lastIndex: re.lastIndex } : { match: null, index: -1, lastIndex: re.lastIndex };
  } catch (e) {
    reply = { match: null, index: -1, lastIndex: 0, error: String(e && e.message) };
  }
  reply.seq = seq;
  port.postMessage(reply);
  Atomics.store(done, 0, seq);
  Atomics.notify(done, 0);
});
`;

interface Matcher {
  worker: Worker;
  port: MessagePort;
  done: Int32Array;
  /** The number of the last request sent. */
  seq: number;
}

let matcher: Matcher | undefined;

function startMatcher(): Matcher {
  const shared = new SharedArrayBuffer(4);
  const { port1, port2 } = new MessageChannel();
  // execArgv: [] because the worker is a CommonJS script whatever flags started the process
  // (under --input-type=module it would be read as a module, `require` undefined, and fail).
  const worker = new Worker(WORKER, {
    eval: true,
    execArgv: [],
    workerData: { port: port2, shared },
    transferList: [port2],
  });
  // A worker that fails must not take the run down with it: the next match starts another (one
  // waiting for it meets its time limit and fails its task).
  worker.on('error', () => {
    if (matcher?.worker === worker) matcher = undefined;
  });
  // The worker must never keep the process alive.
  worker.unref();
  port1.unref();
  return { worker, port: port1, done: new Int32Array(shared), seq: 0 };
}

/**
 * Starts the worker now, off the critical path, for a run that will match patterns: its first
 * match would otherwise block the event loop (every host's I/O) while the worker boots, 50-200
 * ms by the load (measured: the bench's first lineinfile task took 272 ms against 71 for the
 * second).
 */
export function warmRegexGuard(): void {
  matcher ??= startMatcher();
}

function execGuarded(source: string, flags: string, input: string, lastIndex: number, shown: string): Reply {
  matcher ??= startMatcher();
  const m = matcher;
  // Each request carries a number that its answer and the done flag repeat: an answer that came
  // late (or twice) can never be taken for the answer to a later pattern.
  const seq = (m.seq = (m.seq % 0x3fffffff) + 1);
  m.port.postMessage({ source, flags, input, lastIndex, seq });
  const deadline = Date.now() + REGEX_TIME_LIMIT_MS;
  for (;;) {
    const seen = Atomics.load(m.done, 0);
    if (seen === seq) break;
    const left = deadline - Date.now();
    if (left <= 0 || Atomics.wait(m.done, 0, seen, left) === 'timed-out') {
      matcher = undefined;
      void m.worker.terminate();
      throw new RegexTimeLimit(shown, input);
    }
  }
  for (;;) {
    const reply = receiveMessageOnPort(m.port)?.message as Reply | undefined;
    if (!reply) throw new Error('the regular expression worker gave no answer');
    if (reply.seq !== seq) continue; // an earlier request's answer: already given up on
    if (reply.error !== undefined) throw new SyntaxError(reply.error);
    return reply;
  }
}

/**
 * A RegExp whose matching runs under the time limit. test, replace, matchAll and split all go
 * through exec, so they are bounded too; the pattern is compiled here as well, so syntax errors
 * come at once and source/flags read as usual.
 */
export class GuardedRegExp extends RegExp {
  /** The pattern as the user wrote it, for the error (the translation from Python differs). */
  readonly shown: string;

  constructor(pattern: string | RegExp, flags?: string, shown?: string) {
    super(pattern, flags);
    this.shown = shown ?? this.source;
  }

  override exec(input: string): RegExpExecArray | null {
    const global = this.global || this.sticky;
    const r = execGuarded(this.source, this.flags, String(input), global ? this.lastIndex : 0, this.shown);
    if (global) this.lastIndex = r.lastIndex;
    if (!r.match) return null;
    const out = Object.assign([...r.match], { index: r.index, input: String(input), groups: r.groups });
    if (r.indices) Object.assign(out, { indices: Object.assign(r.indices.all, { groups: r.indices.groups }) });
    return out as RegExpExecArray;
  }
}
