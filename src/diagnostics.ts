// Errors are values with a place: loaders collect every problem as a Diagnostic and return
// them all; only the CLI turns them into text and an exit code.

export interface SourcePos {
  file: string;
  line: number; // 1-based
  col: number; // 1-based
}

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  severity: Severity;
  /** Where the problem is; absent only when no file is involved (e.g. a bad CLI flag). */
  pos?: SourcePos;
  /** What is wrong. */
  message: string;
  /** What to do about it. */
  hint?: string;
}

/** Exit codes, as ansible-playbook's (documented in `lvsplay --help`). */
export const ExitCode = {
  ok: 0,
  error: 1,
  failedHosts: 2,
  /** A command-line usage error: ansible-playbook's argument parser exits 2 too. */
  usage: 2,
  /** A run could not reach a host (ansible-playbook 2.14 exits 4, also when others failed). */
  unreachable: 4,
  /** lvsplay's own read-only commands (status, adopt): a host did not answer, kept apart from 4. */
  notReached: 3,
  parseError: 4,
  badOptions: 5,
  interrupted: 99,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export function diag(message: string, pos?: SourcePos, hint?: string, severity: Severity = 'error'): Diagnostic {
  const d: Diagnostic = { severity, message };
  if (pos) d.pos = pos;
  if (hint) d.hint = hint;
  return d;
}

/** `file:line:col: what is wrong; what to do` */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.pos ? `${d.pos.file}:${d.pos.line}:${d.pos.col}: ` : '';
  const sev = d.severity === 'warning' ? 'warning: ' : '';
  return `${where}${sev}${d.message}${d.hint ? `; ${d.hint}` : ''}`;
}

export function hasErrors(ds: readonly Diagnostic[]): boolean {
  return ds.some((d) => d.severity === 'error');
}

/**
 * The one error type that crosses layers: it carries every diagnostic and the exit code the
 * CLI should use. Anything else that reaches the CLI is an internal error.
 */
export class LvsplayError extends Error {
  readonly diagnostics: Diagnostic[];
  readonly exitCode: ExitCodeValue;
  constructor(diagnostics: Diagnostic[] | Diagnostic | string, exitCode: ExitCodeValue = ExitCode.error) {
    const list =
      typeof diagnostics === 'string' ? [diag(diagnostics)] : Array.isArray(diagnostics) ? diagnostics : [diagnostics];
    super(list.map(formatDiagnostic).join('\n'));
    this.diagnostics = list;
    this.exitCode = exitCode;
  }
}

/** Throws a parse error (exit 4) when any diagnostic is an error. */
export function throwIfErrors(ds: readonly Diagnostic[], exitCode: ExitCodeValue = ExitCode.parseError): void {
  if (hasErrors(ds)) throw new LvsplayError([...ds], exitCode);
}

/** "did you mean" for unknown keywords, module names, hosts. */
export function closest(word: string, candidates: Iterable<string>, maxDistance = 3): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = levenshtein(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return bestD <= Math.min(maxDistance, Math.max(1, Math.floor(word.length / 2))) ? best : undefined;
}

function levenshtein(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagPrev = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diagPrev + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagPrev = tmp;
    }
  }
  return prev[b.length]!;
}
