// The controller itself as a host (`delegate_to: localhost`, `ansible_connection=local`), as
// Ansible's implicit localhost: commands run under /bin/sh here, files are written by the same
// atomic put script the ssh transport uses. Become is not supported locally: run lvsplay as the
// user the task needs.
import { spawn } from 'node:child_process';
import { putScript, readPutOutput } from './put.js';
import type { ShellCommand } from './quote.js';
import { BecomeError, type ExecResult, type PutOpts, type PutResult, type RunOpts, type Transport } from './types.js';

export class LocalTransport implements Transport {
  readonly warnings: string[] = [];
  constructor(readonly host: string) {}

  run(cmd: ShellCommand, opts: RunOpts = {}): Promise<ExecResult> {
    const c = cmd;
    if (
      opts.become &&
      typeof opts.become === 'object' &&
      opts.become.user &&
      opts.become.user !== (process.env.USER ?? 'root')
    ) {
      return Promise.reject(
        new BecomeError(
          this.host,
          `become_user ${opts.become.user} is not supported on the local connection; run lvsplay as that user`,
        ),
      );
    }
    const t0 = performance.now();
    return new Promise((resolve) => {
      const p = spawn('/bin/sh', ['-c', c.text], { stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let timedOut = false;
      const timer = opts.timeoutMs
        ? setTimeout(() => {
            timedOut = true;
            p.kill('SIGKILL');
          }, opts.timeoutMs)
        : undefined;
      p.stdout.on('data', (d: Buffer) => out.push(d));
      p.stderr.on('data', (d: Buffer) => err.push(d));
      p.stdin.on('error', () => undefined);
      p.stdin.end(opts.stdin ?? '');
      p.on('close', (code, signal) => {
        if (timer) clearTimeout(timer);
        const r: ExecResult = {
          code,
          stdout: c.redact(Buffer.concat(out).toString('utf8')),
          stderr: c.redact(Buffer.concat(err).toString('utf8')),
          ms: performance.now() - t0,
        };
        if (signal) r.signal = signal;
        if (timedOut) r.timedOut = true;
        resolve(r);
      });
    });
  }

  async put(path: string, content: Buffer | string, opts: PutOpts = {}): Promise<PutResult> {
    const data = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    const r = await this.run(putScript(path, data.length, opts), {
      stdin: data,
      ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
    });
    const outcome = readPutOutput(r.stdout, r.stderr);
    const result: PutResult = { ...r, stdout: outcome.stdout, stderr: outcome.stderr, ok: r.code === 0 };
    if (!result.ok) result.failedStep = outcome.failedStep ?? 'write';
    if (outcome.backupPath) result.backupPath = outcome.backupPath;
    return result;
  }

  async close(): Promise<void> {}
}
