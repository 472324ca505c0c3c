// Reading the state for several upcoming tasks in one round trip (DESIGN.md: "batching
// optimistically"). The probes of a host's next tasks run together in one script, each in its
// own subshell with its own stdout, stderr and exit code; their results are trusted until the
// first change on that host, and a task only uses a result whose probe command is exactly the
// one it would send now. A no-op rerun then costs about one round trip per host.
import { randomBytes } from 'node:crypto';
import { joinCommands, sh, type ShellCommand } from '../transport/quote.js';
import type { ExecResult, RunOpts, Transport } from '../transport/types.js';

/** Probe results read ahead for one host, by probe command text. */
export class ProbeCache {
  readonly #results = new Map<string, ExecResult>();
  /** Forget everything: the host changed (or may have). */
  invalidate(): void {
    this.#results.clear();
  }
  take(cmd: ShellCommand): ExecResult | undefined {
    const r = this.#results.get(cmd.text);
    if (r) this.#results.delete(cmd.text);
    return r;
  }
  has(cmd: ShellCommand): boolean {
    return this.#results.has(cmd.text);
  }
  put(cmd: ShellCommand, r: ExecResult): void {
    this.#results.set(cmd.text, r);
  }
}

/**
 * Runs several read-only probes in one round trip; undefined when the batch itself failed.
 * Each probe's stdout goes straight to ours between two lines carrying a random tag (no probe
 * can print it by chance); its stderr is kept in a file and shown only when there is some. One
 * subshell per probe and no other process: cheaper on the host than a round trip each.
 */
export async function runProbeBatch(t: Transport, probes: ShellCommand[], runOpts: RunOpts): Promise<ExecResult[] | undefined> {
  const tag = `lvsplay-probe-${randomBytes(6).toString('hex')}`;
  const parts = probes.map(
    (p, i) =>
      sh`printf '%s %s out\n' ${tag} ${String(i)}; ( ${p} ) 2>"$e" </dev/null; rc=$?; printf '\n%s %s rc %s\n' ${tag} ${String(i)} "$rc"
if [ -s "$e" ]; then cat "$e"; printf '\n%s %s err\n' ${tag} ${String(i)}; : >"$e"; fi`,
  );
  // A subshell, so nothing in a probe can end the host's session shell.
  const script = sh`( e=$(mktemp) || exit 1
${joinCommands(parts)}
rm -f "$e" )`;
  const t0 = performance.now();
  const r = await t.run(script, runOpts);
  if (r.code !== 0 || r.timedOut) return undefined;
  const ms = (performance.now() - t0) / probes.length;
  const out: ExecResult[] = [];
  // Segments: "<tag> i out\n" STDOUT "\n<tag> i rc N\n" [STDERR "\n<tag> i err\n"]
  const marker = new RegExp(`(?<=^|\\n)${tag} (\\d+) (out|rc|err)(?: (\\d+))?\\n`, 'g');
  let m: RegExpExecArray | null;
  let last: { idx: number; kind: string; end: number } | undefined;
  while ((m = marker.exec(r.stdout))) {
    const idx = Number(m[1]);
    const kind = m[2]!;
    // Before an rc or err marker we printed one newline of our own: drop exactly that one.
    const text = last ? r.stdout.slice(last.end, kind === 'out' ? m.index : m.index - 1) : '';
    if (kind === 'rc' && last?.kind === 'out' && last.idx === idx) {
      const probe = probes[idx]!;
      out[idx] = { code: Number(m[3]), stdout: probe.redact(text), stderr: '', ms };
    } else if (kind === 'err' && last?.kind === 'rc' && last.idx === idx && out[idx]) {
      out[idx]!.stderr = probes[idx]!.redact(text);
    }
    last = { idx, kind, end: m.index + m[0].length };
  }
  return out.length === probes.length && out.every(Boolean) ? out : undefined;
}
