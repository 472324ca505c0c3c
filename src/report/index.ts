// Choosing reporters: the tree on a TTY outside CI, plain lines otherwise, JSON on request.
// Several reporters may draw the same run (the CLI may add a RecordingReporter in tests).
import type { Reporter, RunEvent } from '../exec/events.js';
import { wantsColour } from './ansi.js';
import { JsonLinesReporter, JsonReporter, type Clock } from './json.js';
import type { DrawOptions } from './options.js';
import { PlainReporter } from './plain.js';
import type { SecretSource } from './redact.js';
import { TreeReporter } from './tree.js';
import type { OutputFormat } from './formats.js';

export { OUTPUT_FORMATS, type OutputFormat } from './formats.js';

export interface ReporterOptions {
  format: OutputFormat;
  verbosity: number;
  diff: boolean;
  check: boolean;
  /** Defaults to process.stdout. */
  stream?: NodeJS.WritableStream;
  /** Defaults to the stream's own isTTY. */
  isTTY?: boolean;
  /** Defaults to the CI environment variable being set (CI=true, as CI services do). */
  ci?: boolean;
  /** Strings to scrub from all output (become passwords, vault values); read live. */
  secrets?: SecretSource;
  /** Force colour on or off; by default colour only on a TTY without NO_COLOR. */
  colour?: boolean;
  /** Time source for JSON durations (tests pin it). */
  clock?: Clock;
}

export function isCI(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env.CI;
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

/** The format `auto` stands for with this stream and environment. */
export function resolveFormat(format: OutputFormat, isTTY: boolean, ci: boolean): Exclude<OutputFormat, 'auto'> {
  if (format === 'auto') return isTTY && !ci ? 'tree' : 'plain';
  // A tree on a pipe or a log file would be a smear of cursor movements: plain says the same.
  if (format === 'tree' && !isTTY) return 'plain';
  return format;
}

export function createReporters(opts: ReporterOptions): Reporter[] {
  const stream = opts.stream ?? process.stdout;
  const isTTY = opts.isTTY ?? (stream as Partial<NodeJS.WriteStream>).isTTY === true;
  const ci = opts.ci ?? isCI();
  const draw: DrawOptions = {
    stream,
    verbosity: opts.verbosity,
    diff: opts.diff,
    check: opts.check,
    colour: opts.colour ?? wantsColour(isTTY),
    secrets: opts.secrets ?? [],
  };
  const jsonOpts = opts.clock ? { ...draw, clock: opts.clock } : draw;
  // A terminal too narrow to draw on (a pseudo-terminal reporting 0 columns) gets plain lines.
  const columns = (stream as Partial<NodeJS.WriteStream>).columns;
  const drawable = isTTY && (columns === undefined || columns >= 20);
  switch (resolveFormat(opts.format, drawable, ci)) {
    case 'tree':
      return [new TreeReporter(draw)];
    case 'plain':
      return [new PlainReporter(draw)];
    case 'json':
      return [new JsonReporter(jsonOpts)];
    case 'jsonl':
      return [new JsonLinesReporter(jsonOpts)];
  }
}

/** Hands one event to every reporter; a reporter that throws never stops the run. */
export function emitTo(reporters: readonly Reporter[], e: RunEvent): void {
  for (const r of reporters) {
    try {
      r.onEvent(e);
    } catch (err) {
      // Drawing is not policy: a broken picture must not change what the run does.
      process.stderr.write(
        `lvsplay: a reporter failed to draw a ${e.type} event: ${err instanceof Error ? err.message : String(err)}\n`,
      );
    }
  }
}

/** Flushes every reporter (stops spinners, writes the JSON document). */
export async function closeAll(reporters: readonly Reporter[]): Promise<void> {
  for (const r of reporters) await r.close?.();
}

export { PlainReporter } from './plain.js';
export { TreeReporter } from './tree.js';
export { JsonReporter, JsonLinesReporter, hostResult } from './json.js';
export { RecordingReporter, type RecordedResult } from './recording.js';
export { redact, redactValue, CENSORED, MASK, type SecretSource } from './redact.js';
export { unifiedDiff } from './diff.js';
export type { DrawOptions } from './options.js';
