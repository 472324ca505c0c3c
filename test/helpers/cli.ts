// `lvsplay ARGS` run in this process, as the CLI would run it, with its output captured.
import { vi } from 'vitest';
import { main } from '../../src/cli/main.js';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** Runs the CLI from `cwd` (default: where the test runs); exit code and output come back. */
export async function runCli(args: string[], cwd?: string): Promise<CliRun> {
  let out = '';
  let err = '';
  const before = process.cwd();
  if (cwd) process.chdir(cwd);
  const so = vi
    .spyOn(process.stdout, 'write')
    .mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  const se = vi
    .spyOn(process.stderr, 'write')
    .mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
  try {
    process.exitCode = undefined;
    const code = await main(['node', 'lvsplay', ...args]);
    return { code, out, err };
  } finally {
    so.mockRestore();
    se.mockRestore();
    process.chdir(before);
    process.exitCode = undefined;
  }
}
