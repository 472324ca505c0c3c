// Plain lines as ansible-playbook's default callback prints them: banners, one line per host
// result, `fatal: ... => {json}`, loop items, diffs, warnings, PLAY RECAP. Used when the output
// is not a TTY, in CI, and as the text a TTY tree prints beneath a finished task.
import { basename } from 'node:path';
import type { Reporter, RunEvent, TaskRef, TaskResult } from '../exec/events.js';
import { painter, type Paint } from './ansi.js';
import { renderDiffs } from './diff.js';
import type { DrawOptions } from './options.js';
import { pyJson } from './pyformat.js';
import { banner, BANNER_COLUMNS, recapLines, runTime } from './recap.js';
import { redact, redactValue } from './redact.js';
import { hostLabel, itemLabel, visibleResult } from './view.js';

const UNPREDICTABLE = '(check mode cannot predict this command)';
/** Why check mode could not predict: the executor's reason when it gave one, else a command's. */
const whyUnknown = (r: { msg?: string; noLog?: boolean }): string => (r.msg && !r.noLog ? `(${r.msg})` : UNPREDICTABLE);

type ResultEvent = Extract<RunEvent, { type: 'taskResult' }>;

/** Turns one host's task result into the lines Ansible would print for it. */
export class ResultFormatter {
  readonly paint: Paint;
  constructor(readonly opts: Pick<DrawOptions, 'verbosity' | 'diff' | 'colour' | 'secrets'>) {
    this.paint = painter(opts.colour);
  }

  /** The lines Ansible prints for one host's result: warnings, commands, diffs, status. */
  lines(e: ResultEvent): string[] {
    const r = e.result;
    const { paint } = this;
    const label = hostLabel(e.host, e.delegatedTo);
    const out: string[] = [];
    for (const w of r.warnings) out.push(...warningLines(w, paint));
    if (this.opts.verbosity >= 2 && !r.noLog) {
      for (const c of r.commands ?? []) out.push(paint('verbose', `<${e.host}> EXEC ${c}`));
    }
    if (r.items?.length) {
      for (const { item, result, delegatedTo } of r.items) {
        if (this.opts.diff && result.status === 'changed' && !r.noLog && !result.noLog) {
          out.push(...renderDiffs(result.changes, paint));
        }
        out.push(this.itemLine(delegatedTo ? hostLabel(e.host, delegatedTo) : label, item, result, r.noLog));
      }
      if (r.status === 'skipped') out.push(this.statusLine(label, r));
      if (r.status === 'unreachable') out.push(this.statusLine(label, r));
    } else {
      if (this.opts.diff && r.status === 'changed' && !r.noLog) out.push(...renderDiffs(r.changes, paint));
      out.push(this.statusLine(label, r));
    }
    if (r.ignored && (r.status === 'failed' || r.status === 'unreachable')) out.push(paint('skip', '...ignoring'));
    return out;
  }

  private dump(r: TaskResult, forced = false): string {
    const v = this.opts.verbosity;
    if (r.verboseAlways === 'data' && !r.noLog && (r.status === 'ok' || r.status === 'changed')) {
      // debug: only what it was asked to show, indented as Ansible's _ansible_verbose_always.
      const shown: Record<string, unknown> = { ...r.data };
      if (r.msg !== undefined) shown.msg = r.msg;
      return pyJson(redactValue(shown, this.opts.secrets), 4);
    }
    if (!forced && v < 1 && !r.verboseAlways) return '';
    const indent = v > 2 || r.verboseAlways ? 4 : undefined;
    return pyJson(visibleResult(r, this.opts.secrets, { changes: v >= 1, asCallback: true }), indent);
  }

  private statusLine(label: string, r: TaskResult): string {
    const { paint } = this;
    const more = (s: string): string => (s ? ` => ${s}` : '');
    switch (r.status) {
      case 'ok':
        return paint('ok', `ok: [${label}]${more(this.dump(r))}`);
      case 'changed':
        return paint('changed', `changed: [${label}]${more(this.dump(r))}`);
      case 'skipped':
        return paint('skip', `skipping: [${label}]${more(this.dump(r))}`);
      case 'failed':
        return paint('error', `fatal: [${label}]: FAILED! => ${this.dump(r, true)}`);
      case 'unreachable':
        return paint('unreachable', `fatal: [${label}]: UNREACHABLE! => ${this.dump(r, true)}`);
      case 'unknown':
        return paint('unknown', `unknown: [${label}] ${whyUnknown(r)}${more(this.dump(r))}`);
    }
  }

  private itemLine(label: string, item: unknown, r: TaskResult, parentNoLog?: boolean): string {
    const { paint } = this;
    const noLog = parentNoLog || r.noLog;
    const shown: TaskResult = noLog ? { ...r, noLog: true } : r;
    const it = itemLabel(item, noLog, this.opts.secrets);
    const more = (s: string): string => (s ? ` => ${s}` : '');
    switch (r.status) {
      case 'ok':
        return paint('ok', `ok: [${label}] => (item=${it})${more(this.dump(shown))}`);
      case 'changed':
        return paint('changed', `changed: [${label}] => (item=${it})${more(this.dump(shown))}`);
      case 'skipped':
        // Ansible's trailing space after the item label, kept so the lines match.
        return paint('skip', `skipping: [${label}] => (item=${it}) ${more(this.dump(shown))}`);
      case 'failed':
      case 'unreachable':
        return paint('error', `failed: [${label}] (item=${it}) => ${this.dump(shown, true)}`);
      case 'unknown':
        return paint('unknown', `unknown: [${label}] => (item=${it}) ${UNPREDICTABLE}${more(this.dump(shown))}`);
    }
  }
}

/**
 * Whether a result has more to say than its status: a failure, a warning, a diff to show,
 * output asked for with -v, or debug output. The tree prints the plain lines of these only.
 */
export function hasDetails(r: TaskResult, opts: Pick<DrawOptions, 'verbosity' | 'diff'>): boolean {
  if (r.status === 'failed' || r.status === 'unreachable' || r.warnings.length > 0) return true;
  if (opts.verbosity >= 1 || r.verboseAlways) return true;
  const results = [r, ...(r.items ?? []).map((i) => i.result)];
  return opts.diff && !r.noLog && results.some((x) => x.status === 'changed' && x.changes.some((c) => c.diff));
}

/** `[WARNING]: ...` wrapped at the banner width, as Display.warning does. */
export function warningLines(message: string, paint: Paint, host?: string): string[] {
  const text = `[WARNING]: ${host ? `[${host}]: ` : ''}${message}`;
  return wrap(text, BANNER_COLUMNS).map((l) => paint('warn', l));
}

/** Python's textwrap.wrap: greedy on whitespace, over-long words broken. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (let word of text.split(/\s+/).filter(Boolean)) {
    while (word.length > width) {
      if (line) {
        lines.push(line);
        line = '';
      }
      lines.push(word.slice(0, width));
      word = word.slice(width);
    }
    if (!line) line = word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** The banner of a task: TASK or RUNNING HANDLER, with the check-mode marker. */
export function taskBanner(task: TaskRef, check: boolean): string {
  const prefix = task.isHandler ? 'RUNNING HANDLER' : 'TASK';
  return banner(`${prefix} [${task.name}]${check ? ' [CHECK MODE]' : ''}`);
}

export function playBanner(name: string, check: boolean): string {
  const mark = check ? ' [CHECK MODE]' : '';
  return banner(name.trim() ? `PLAY [${name}]${mark}` : `PLAY${mark}`);
}

/** Lines that end a run: the interruption notice, PLAY RECAP and the run time. */
export function endLines(
  e: Extract<RunEvent, { type: 'runEnd' }>,
  check: boolean,
  paint: Paint,
  unknown: Record<string, number>,
): string[] {
  const out: string[] = [];
  if (e.interrupted) out.push('', paint('error', '[ERROR]: User interrupted execution'));
  out.push('', banner('PLAY RECAP'), ...recapLines(e.recap, paint, unknown), '');
  if (check) out.push('', banner('DRY RUN'));
  out.push(runTime(e.ms));
  return out;
}

export class PlainReporter implements Reporter {
  private readonly format: ResultFormatter;
  private readonly paint: Paint;
  private lastBanner: string | undefined;
  private readonly unknown: Record<string, number> = {};

  constructor(private readonly opts: DrawOptions) {
    this.format = new ResultFormatter(opts);
    this.paint = this.format.paint;
  }

  onEvent(e: RunEvent): void {
    switch (e.type) {
      case 'runStart':
        if (this.opts.verbosity > 1) this.write(['', banner(`PLAYBOOK: ${basename(e.playbook)}`)]);
        if (this.opts.check) this.write(['', banner('DRY RUN')]);
        return;
      case 'playStart':
        this.lastBanner = undefined;
        return this.write(['', playBanner(e.name, this.opts.check)]);
      case 'taskStart':
        return this.taskBanner(e.task);
      case 'taskResult':
        // Under the free strategy results of several tasks interleave: re-head them as Ansible does.
        if (this.lastBanner !== taskKey(e.task)) this.taskBanner(e.task);
        if (e.result.status === 'unknown') this.unknown[e.host] = (this.unknown[e.host] ?? 0) + 1;
        return this.write(this.format.lines(e));
      case 'warning':
        return this.write(warningLines(e.message, this.paint, e.host));
      case 'playEnd':
        return;
      case 'runEnd':
        return this.write(endLines(e, this.opts.check, this.paint, this.unknown));
    }
  }

  private taskBanner(task: TaskRef): void {
    this.lastBanner = taskKey(task);
    const lines = ['', taskBanner(task, this.opts.check)];
    if (this.opts.verbosity >= 2 && task.path) lines.push(this.paint('debug', `task path: ${task.path}`));
    this.write(lines);
  }

  private write(lines: string[]): void {
    if (lines.length) this.opts.stream.write(redact(`${lines.join('\n')}\n`, this.opts.secrets));
  }
}

/** Identifies a task across events (the executor may send equal but distinct TaskRef objects). */
export function taskKey(t: TaskRef): string {
  return `${t.isHandler ? 'handler' : 'task'}|${t.path ?? ''}|${t.name}`;
}
