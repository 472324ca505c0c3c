// pause: waits `seconds` or `minutes` on the controller. A prompt needs someone at a terminal:
// without one (or with no time limit) it is refused with a clear error rather than hanging a
// run that nobody watches.
import type * as z from 'zod';
import { bool, float, moduleArgs, str } from './args.js';
import type { ActionResult, ControllerModule } from './runtime.js';

const pauseArgs = moduleArgs({
  seconds: float().optional(),
  minutes: float().optional(),
  prompt: str().optional(),
  echo: bool().optional(),
}).superRefine((a, ctx) => {
  if (a.seconds !== undefined && a.minutes !== undefined)
    ctx.addIssue({ code: 'custom', path: ['minutes'], message: 'cannot be used together with seconds' });
});

type PauseArgs = z.output<typeof pauseArgs>;

/** How long to wait (ms), or why the pause cannot run here. */
export function pausePlan(a: PauseArgs, interactive: boolean): { ms: number } | { failed: string } {
  const seconds = a.seconds ?? (a.minutes !== undefined ? a.minutes * 60 : undefined);
  if (seconds !== undefined) {
    if (!Number.isFinite(seconds) || seconds < 0) return { failed: `seconds must be 0 or more, got ${seconds}` };
    return { ms: Math.round(seconds * 1000) };
  }
  return {
    failed: interactive
      ? 'pause without seconds or minutes waits for input, which lvsplay does not read; give seconds: or minutes:'
      : 'pause without seconds or minutes waits for input, and this run has no terminal to answer it; give seconds: or minutes:, or remove the task',
  };
}

export const pauseModule: ControllerModule<PauseArgs> = {
  name: 'pause',
  aliases: ['ansible.builtin.pause'],
  local: true,
  exec: 'action',
  args: pauseArgs,
  async run(a): Promise<ActionResult> {
    const plan = pausePlan(a, process.stdin.isTTY === true);
    if ('failed' in plan) return { status: 'failed', changes: [], warnings: [], msg: plan.failed };
    const start = new Date();
    await new Promise((done) => setTimeout(done, plan.ms));
    const stop = new Date();
    const delta = Math.round((stop.getTime() - start.getTime()) / 1000);
    // A prompt with a time limit is shown (the run does not wait for an answer to it).
    return {
      status: 'ok',
      changes: [],
      warnings: [],
      ...(a.prompt !== undefined ? { msg: String(a.prompt), verboseAlways: 'data' as const } : {}),
      data: {
        start: start.toISOString(),
        stop: stop.toISOString(),
        delta,
        echo: a.echo ?? true,
        user_input: '',
        stdout: `Paused for ${a.minutes !== undefined ? `${a.minutes} minutes` : `${a.seconds} seconds`}`,
      },
    };
  },
};
