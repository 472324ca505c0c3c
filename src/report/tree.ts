// The TTY picture: plays as headings, each task a listr2 tree of hosts with spinners and
// timings. listr2 only draws here: each host row is a listr2 task that just awaits the promise
// the executor's taskResult event settles, so listr2's concurrency and exitOnError never become
// our failure policy. Anything longer than a status (fatal messages, diffs, warnings) is printed
// as plain lines beneath the finished task, the same text the plain reporter prints.
import { DefaultRenderer, Listr, ListrLogger, PRESET_TIMER, ProcessOutput, type ListrTask } from 'listr2';
import type { Reporter, RunEvent, TaskRef, TaskResult } from '../exec/events.js';
import type { DrawOptions } from './options.js';
import { endLines, hasDetails, ResultFormatter, taskKey, warningLines } from './plain.js';
import { redact } from './redact.js';
import { hostLabel } from './view.js';

type ResultEvent = Extract<RunEvent, { type: 'taskResult' }>;
/** What a host row waits for: its result, or word that none will come. */
type Outcome = { event: ResultEvent } | { missing: true };

/**
 * listr2 checks process.stdout for a TTY; createReporters has already checked the stream we
 * draw on, so this renderer draws wherever it is pointed.
 */
class StreamTreeRenderer extends DefaultRenderer {
  static override nonTTY = true;
  #pending: NodeJS.Timeout | undefined;

  /**
   * listr2 redraws the whole tree on every state change; with many hosts reporting at once that
   * is quadratic and steals the event loop from the run. Coalesce redraws to one per frame.
   */
  override update(): void {
    if (this.#pending) return;
    this.#pending = setTimeout(() => {
      this.#pending = undefined;
      super.update();
    }, FRAME_MS);
  }

  override end(): void {
    clearTimeout(this.#pending);
    this.#pending = undefined;
    super.end();
  }
}

/** How each status is painted. */
const STATUS_COLOUR = {
  ok: 'ok',
  changed: 'changed',
  skipped: 'skip',
  failed: 'error',
  unreachable: 'unreachable',
  unknown: 'unknown',
} as const;

/**
 * A task on more hosts than this gets one summary row instead of a row per host: listr2 redraws
 * the whole tree in place, and a tree taller than the terminal scrolls into a smear.
 */
const MAX_HOST_ROWS = 30;

function hostRowLimit(stream: NodeJS.WriteStream): number {
  const rows = typeof stream.rows === 'number' && stream.rows > 0 ? stream.rows : 40;
  return Math.max(5, Math.min(MAX_HOST_ROWS, rows - 8));
}

/** `web7, web9` or `web1, web2, web3, web4, web5 and 12 more` */
function namesOf(hosts: string[]): string {
  const shown = hosts.slice(0, 5).join(', ');
  return hosts.length > 5 ? `${shown} and ${hosts.length - 5} more` : shown;
}

/** Redraw interval: the spinner's own frame time. */
const FRAME_MS = 80;

interface HostRow {
  host: string;
  outcome: Promise<Outcome>;
  settle: (o: Outcome) => void;
  settled: boolean;
}

class TaskView {
  readonly rows = new Map<string, HostRow>();
  readonly results: ResultEvent[] = [];
  /**
   * Running tallies for the summary row, kept as results arrive: its title is redrawn at every
   * result, and counting afresh each time would cost hosts² on a task over hundreds of hosts.
   */
  readonly counts = new Map<string, { n: number; hosts: string[] }>();
  settledRows = 0;
  /** Results that arrived after the rows were drawn, for hosts the task did not announce. */
  readonly late: ResultEvent[] = [];
  drawing = false;
  constructor(
    readonly key: string,
    readonly task: TaskRef,
    hosts: readonly string[],
  ) {
    for (const h of hosts) this.addRow(h);
  }

  addRow(host: string): void {
    if (this.rows.has(host)) return;
    let settle!: (o: Outcome) => void;
    const outcome = new Promise<Outcome>((resolve) => (settle = resolve));
    const row: HostRow = {
      host,
      outcome,
      settled: false,
      settle: (o) => {
        row.settled = true;
        this.settledRows++;
        settle(o);
      },
    };
    this.rows.set(host, row);
  }

  addResult(e: ResultEvent): void {
    this.results.push(e);
    const status = e.result.ignored ? `${e.result.status} (ignored)` : e.result.status;
    const c = this.counts.get(status);
    if (c) {
      c.n++;
      c.hosts.push(e.host);
    } else this.counts.set(status, { n: 1, hosts: [e.host] });
  }

  settleMissing(): void {
    for (const row of this.rows.values()) if (!row.settled) row.settle({ missing: true });
  }
}

export class TreeReporter implements Reporter {
  private readonly format: ResultFormatter;
  private chain: Promise<void> = Promise.resolve();
  private views: TaskView[] = [];
  private readonly unknown: Record<string, number> = {};

  constructor(private readonly opts: DrawOptions) {
    this.format = new ResultFormatter(opts);
  }

  onEvent(e: RunEvent): void {
    const paint = this.format.paint;
    switch (e.type) {
      case 'runStart':
        if (this.opts.check) this.print([paint('warn', 'Check mode: nothing will be changed (DRY RUN)')]);
        return;
      case 'playStart': {
        this.finishViews();
        const mark = this.opts.check ? ' [CHECK MODE]' : '';
        const hosts = `${e.hosts.length} host${e.hosts.length === 1 ? '' : 's'}`;
        this.print(['', `${paint('bold', `PLAY [${e.name}]${mark}`)} ${paint('debug', hosts)}`]);
        return;
      }
      case 'taskStart': {
        const key = taskKey(e.task);
        const open = this.views.findLast((v) => v.key === key && !v.drawing);
        if (open) for (const h of e.hosts) open.addRow(h);
        else this.openView(key, e.task, e.hosts);
        return;
      }
      case 'taskResult':
        return this.record(e);
      case 'warning':
        this.print(warningLines(e.message, paint, e.host));
        return;
      case 'playEnd':
        this.finishViews();
        return;
      case 'runEnd':
        this.finishViews();
        this.print(endLines(e, this.opts.check, paint, this.unknown));
        return;
    }
  }

  /** Waits until everything queued has been drawn. */
  async close(): Promise<void> {
    this.finishViews();
    await this.chain;
  }

  private record(e: ResultEvent): void {
    if (e.result.status === 'unknown') this.unknown[e.host] = (this.unknown[e.host] ?? 0) + 1;
    const key = taskKey(e.task);
    let view = this.views.findLast((v) => v.key === key && (!v.drawing || v.rows.has(e.host)));
    if (!view) view = this.openView(key, e.task, [e.host]);
    const row = view.rows.get(e.host);
    if (row && !row.settled) {
      view.addResult(e);
      row.settle({ event: e });
    } else if (!view.drawing) {
      view.addRow(e.host);
      view.addResult(e);
      view.rows.get(e.host)!.settle({ event: e });
    } else {
      view.late.push(e);
    }
  }

  private openView(key: string, task: TaskRef, hosts: readonly string[]): TaskView {
    const view = new TaskView(key, task, hosts);
    this.views.push(view);
    this.enqueue(() => this.draw(view));
    return view;
  }

  /** Hosts that never report (the play ended, the run stopped) must not keep a spinner going. */
  private finishViews(): void {
    for (const v of this.views) v.settleMissing();
    this.views = [];
  }

  private async draw(view: TaskView): Promise<void> {
    view.drawing = true;
    const stream = this.opts.stream as NodeJS.WriteStream;
    // listr2 buffers whatever else is written to the other standard stream while it draws.
    const other = stream === process.stderr ? process.stdout : process.stderr;
    const logger = new ListrLogger({ processOutput: new ProcessOutput(stream, other) });
    const hostRows: ListrTask[] = view.rows.size > hostRowLimit(stream) ? [this.summaryRow(view)] : this.hostRows(view);
    const title = this.redacted(`${view.task.isHandler ? 'HANDLER' : 'TASK'} [${view.task.name}]`);
    const list = new Listr(
      [
        {
          title,
          task: (_ctx, t) => t.newListr(hostRows, { concurrent: true, exitOnError: false }),
          rendererOptions: { timer: PRESET_TIMER },
        },
      ],
      {
        renderer: StreamTreeRenderer,
        rendererOptions: { logger, collapseSubtasks: false, collapseErrors: true, showErrorMessage: true },
        exitOnError: false,
        registerSignalListeners: false,
      },
    );
    await list.run();
    const details = view.results.filter((e) => hasDetails(e.result, this.opts)).flatMap((e) => this.format.lines(e));
    const late = view.late.flatMap((e) => this.format.lines(e));
    this.write([...details, ...late]);
  }

  /** One row per host: for a task on few enough hosts to fit the terminal. */
  private hostRows(view: TaskView): ListrTask[] {
    return [...view.rows.values()].map((row) => ({
      title: row.host,
      task: async (_ctx, t) => {
        const o = await row.outcome;
        if ('missing' in o) return t.skip(`${row.host}: no result`);
        t.title = this.hostTitle(o.event);
        const r = o.event.result;
        if (r.status === 'skipped') t.skip(t.title);
        else if ((r.status === 'failed' || r.status === 'unreachable') && !r.ignored) throw new Error(t.title);
      },
    }));
  }

  /**
   * One row for a task on more hosts than the terminal can show: counts by status, updated as
   * results arrive, and the names of the hosts that failed. Their messages follow the task, as
   * for a drawn row.
   */
  private summaryRow(view: TaskView): ListrTask {
    return {
      title: this.summaryTitle(view),
      task: async (_ctx, t) => {
        await Promise.all(
          [...view.rows.values()].map((row) => row.outcome.then(() => (t.title = this.summaryTitle(view)))),
        );
        t.title = this.summaryTitle(view);
        if (
          view.results.some(
            (e) => (e.result.status === 'failed' || e.result.status === 'unreachable') && !e.result.ignored,
          )
        )
          throw new Error(t.title);
      },
    };
  }

  /** `300 hosts: 296 ok, 2 changed, 2 failed (web7, web9)`, with `N running` until all have reported. */
  private summaryTitle(view: TaskView): string {
    const paint = this.format.paint;
    const order = ['ok', 'changed', 'skipped', 'unknown', 'failed', 'unreachable'];
    const parts = [...view.counts]
      .sort(([a], [b]) => order.indexOf(a.split(' ')[0]!) - order.indexOf(b.split(' ')[0]!))
      .map(([status, c]) => {
        const bad = status === 'failed' || status === 'unreachable';
        const names = bad ? ` (${namesOf(c.hosts)})` : '';
        return paint(STATUS_COLOUR[status.split(' ')[0] as TaskResult['status']], `${c.n} ${status}`) + names;
      });
    const running = view.rows.size - view.settledRows;
    if (running) parts.push(paint('debug', `${running} running`));
    return this.redacted(`${view.rows.size} hosts: ${parts.join(', ')}`);
  }

  /** `d1 changed 120ms`, `d1 -> d2 ok`, `web1 changed (2 changed, 1 ok) 1.2s`. */
  private hostTitle(e: ResultEvent): string {
    const r = e.result;
    const paint = this.format.paint;
    let status: string = r.status;
    if (r.status === 'unknown') status = 'unknown (check mode cannot predict)';
    if (r.ignored) status += ' (ignored)';
    const items = r.items?.length ? ` (${itemCounts(r.items)})` : '';
    return this.redacted(
      `${hostLabel(e.host, e.delegatedTo)} ${paint(STATUS_COLOUR[r.status], status)}${items} ${paint('debug', duration(r.ms))}`,
    );
  }

  private redacted(text: string): string {
    return redact(text, this.opts.secrets);
  }

  private print(lines: string[]): void {
    this.enqueue(() => this.write(lines));
  }

  private write(lines: string[]): void {
    if (lines.length) this.opts.stream.write(this.redacted(`${lines.join('\n')}\n`));
  }

  private enqueue(step: () => Promise<void> | void): void {
    // A drawing failure must not stop the run or the later pictures.
    this.chain = this.chain.then(step).catch((err: unknown) => {
      this.opts.stream.write(`(display error: ${err instanceof Error ? err.message : String(err)})\n`);
    });
  }
}

function itemCounts(items: NonNullable<TaskResult['items']>): string {
  const n = new Map<string, number>();
  for (const { result } of items) n.set(result.status, (n.get(result.status) ?? 0) + 1);
  return [...n].map(([s, c]) => `${c} ${s}`).join(', ');
}

/** 87ms, 1.2s, 2m03s */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const m = Math.floor(ms / 60_000);
  return `${m}m${String(Math.floor((ms % 60_000) / 1000)).padStart(2, '0')}s`;
}
