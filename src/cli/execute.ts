// Runs a validated plan: reporters chosen from the flags, Ctrl-C turned into a clean stop
// (no new task starts, in-flight file writes finish or leave the old file, recap printed,
// exit 99), a second Ctrl-C leaves at once.
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { closeAll, createReporters, emitTo, type OutputFormat } from '../report/index.js';
import { executePlan } from '../exec/scheduler.js';
import type { Plan } from '../plan/load-and-plan.js';
import { createTemplar } from '../vars/templar.js';
import { Secret } from '../secret.js';
import { withRevealedVault } from '../report/redact.js';
import { ExitCode } from '../diagnostics.js';
import { relative } from 'node:path';
import { runLockOptions } from '../exec/run-lock.js';
import type { TargetOpts, TransportMode } from '../transport/index.js';

export interface ExecuteFlags {
  output?: OutputFormat;
  askBecomePass?: boolean;
  timeout?: number;
  /** Seconds to wait for a host's run lock held by another run (default 0: refuse at once). */
  lockWait?: number;
}

export async function executeFromCli(plan: Plan, flags: ExecuteFlags): Promise<number> {
  const secrets = new Set<string>();
  const targetOpts: TargetOpts = {};
  if (flags.timeout !== undefined) targetOpts.timeoutSec = flags.timeout;
  if (flags.askBecomePass) {
    const pw = await askPassword('BECOME password: ');
    if (pw) secrets.add(pw);
    targetOpts.becomePassword = new Secret(pw);
  }
  const masked = withRevealedVault(secrets, plan.vault);
  const reporters = createReporters({
    format: flags.output ?? 'auto',
    verbosity: plan.verbosity,
    diff: plan.diff,
    check: plan.check,
    secrets: masked,
  });
  const abort = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) process.exit(ExitCode.interrupted);
    process.stderr.write(
      '\n[lvsplay] interrupted: finishing the tasks in flight, then stopping (Ctrl-C again to leave at once)\n',
    );
    abort.abort();
  };
  process.on('SIGINT', onSigint);
  const mode = process.env.LVSPLAY_SSH_MODE as TransportMode | undefined;
  try {
    const r = await executePlan(plan, {
      templar: createTemplar({ searchPath: [plan.playbookPath.replace(/\/[^/]*$/, '') || '.'], vault: plan.vault }),
      emit: (e) => emitTo(reporters, e),
      targetOpts,
      connectOpts: mode === 'exec' || mode === 'session' ? { mode } : {},
      signal: abort.signal,
      secrets,
      runLock: runLockOptions(relative(process.cwd(), plan.playbookPath) || plan.playbookPath, flags.lockWait ?? 0),
    });
    return r.exitCode;
  } finally {
    process.off('SIGINT', onSigint);
    await closeAll(reporters);
  }
}

/** Reads a password from the terminal without echoing it (or one line of stdin when piped). */
async function askPassword(prompt: string): Promise<string> {
  const muted = new Writable({ write: (_c, _e, cb) => cb() });
  process.stderr.write(prompt);
  const rl = createInterface({ input: process.stdin, output: muted, terminal: process.stdin.isTTY === true });
  try {
    return await new Promise<string>((resolve) => rl.once('line', resolve).once('close', () => resolve('')));
  } finally {
    rl.close();
    process.stderr.write('\n');
  }
}
