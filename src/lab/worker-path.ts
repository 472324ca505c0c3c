// Where a lab process of its own (the traffic loop, the delaying relay) is found as built: beside
// this file in dist/lab (tsc), one level over the bundle's dist/cli, or, when this file runs from
// src/ (the tests), in the project's dist/lab.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LvsplayError, diag } from '../diagnostics.js';

export function builtWorker(file: string, what: string): string {
  const candidates = [`../lab/${file}`, `../../dist/lab/${file}`].map((rel) =>
    fileURLToPath(new URL(rel, import.meta.url)),
  );
  const found = candidates.find((c) => existsSync(c));
  if (!found)
    throw new LvsplayError(diag(`lab: ${what} is not built (${candidates[0]})`, undefined, 'run `npm run build`'));
  return found;
}
