import { LvsplayError, formatDiagnostic } from '../../src/diagnostics.js';

/** The diagnostics `fn` fails with, as the CLI would print them; throws if it does not fail. */
export function failure(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof LvsplayError) return e.diagnostics.map(formatDiagnostic).join('\n');
    throw e;
  }
  throw new Error('expected a failure');
}
