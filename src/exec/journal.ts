// Handlers notified but not run because the run failed or was interrupted are written down on
// the controller, and the next run of the same playbook runs them (Ansible forgets them, so a
// config change whose reload never happened stays unapplied). Keyed by playbook, play, host.
// A task that notifies writes its handlers down before it runs, as "maybe": a controller that
// dies after the task changed the host but before its result came back would otherwise lose
// them (the rerun finds the file in place, reports ok and notifies nothing). The result then
// confirms them (changed) or withdraws them (anything that surely changed nothing).
// The file is rewritten once per task, not once per host: the driver holds the journal while it
// writes down or applies a task's notifications on all its hosts (`hold`), and the changes are
// saved together when it lets go.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

interface Entry {
  playbook: string;
  play: string;
  host: string;
  handler: string;
  since: string;
  /** Written before the notifying task ran; its result never came back. */
  maybe?: true;
}

export function journalDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.LVSPLAY_STATE_DIR ?? join(env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state'), 'lvsplay');
}

export class HandlerJournal {
  readonly #file: string;
  readonly #playbook: string;
  readonly #mask: (s: string) => string;
  #entries: Entry[];
  #held = 0;
  #dirty = false;

  /** `mask` hides secrets in play and handler names before they are written or compared. */
  constructor(playbookPath: string, dir = journalDir(), mask: (s: string) => string = (s) => s) {
    this.#mask = mask;
    this.#file = join(dir, 'pending-handlers.json');
    this.#playbook = resolve(playbookPath);
    this.#entries = [];
    try {
      const parsed = JSON.parse(readFileSync(this.#file, 'utf8')) as { pending?: Entry[] };
      if (Array.isArray(parsed.pending)) this.#entries = parsed.pending;
    } catch {
      // No journal yet, or an unreadable one: nothing pending.
    }
  }

  /** Handlers a previous run of this playbook left pending for `host` in `play`. */
  pending(play: string, host: string): string[] {
    play = this.#mask(play);
    return this.#entries
      .filter((e) => e.playbook === this.#playbook && e.play === play && e.host === host)
      .map((e) => e.handler);
  }

  /** True when the handler is pending only because a notifying task's result never came back. */
  maybe(play: string, host: string, handler: string): boolean {
    return this.#find(this.#mask(play), host, this.#mask(handler))?.maybe === true;
  }

  notified(play: string, host: string, handler: string): void {
    [play, handler] = [this.#mask(play), this.#mask(handler)];
    const e = this.#find(play, host, handler);
    if (e && !e.maybe) return;
    if (e) delete e.maybe;
    else this.#entries.push({ playbook: this.#playbook, play, host, handler, since: new Date().toISOString() });
    this.#save();
  }

  /**
   * Before a task that notifies `handlers` runs on `host`: writes down those not pending yet, as
   * maybe. Returns them, for `withdraw` once the task's result shows it changed nothing.
   */
  intend(play: string, host: string, handlers: string[]): string[] {
    [play, handlers] = [this.#mask(play), handlers.map(this.#mask)];
    const since = new Date().toISOString();
    const added = handlers.filter((h, i) => handlers.indexOf(h) === i && !this.#find(play, host, h));
    for (const handler of added)
      this.#entries.push({ playbook: this.#playbook, play, host, handler, since, maybe: true });
    if (added.length) this.#save();
    return added;
  }

  /** Takes back what `intend` wrote and the task did not confirm. */
  withdraw(play: string, host: string, handlers: string[]): void {
    play = this.#mask(play);
    const before = this.#entries.length;
    this.#entries = this.#entries.filter(
      (e) =>
        !(
          e.maybe &&
          e.playbook === this.#playbook &&
          e.play === play &&
          e.host === host &&
          handlers.includes(e.handler)
        ),
    );
    if (this.#entries.length !== before) this.#save();
  }

  #find(play: string, host: string, handler: string): Entry | undefined {
    return this.#entries.find(
      (e) => e.playbook === this.#playbook && e.play === play && e.host === host && e.handler === handler,
    );
  }

  ran(play: string, host: string, handler: string): void {
    [play, handler] = [this.#mask(play), this.#mask(handler)];
    const before = this.#entries.length;
    this.#entries = this.#entries.filter(
      (e) => !(e.playbook === this.#playbook && e.play === play && e.host === host && e.handler === handler),
    );
    if (this.#entries.length !== before) this.#save();
  }

  /**
   * Runs `fn` with saving put off until it returns, then saves once if anything changed: for the
   * driver, which writes down or applies one task's notifications on all its hosts in one go.
   * What `intend` writes is on disk before `hold` returns, so before the task reaches any host.
   */
  hold<T>(fn: () => T): T {
    this.#held++;
    try {
      return fn();
    } finally {
      if (--this.#held === 0 && this.#dirty) this.#save();
    }
  }

  #save(): void {
    if (this.#held > 0) {
      this.#dirty = true;
      return;
    }
    this.#dirty = false;
    const dir = join(this.#file, '..');
    mkdirSync(dir, { recursive: true });
    const tmp = `${this.#file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ pending: this.#entries }, null, 2)}\n`);
    renameSync(tmp, this.#file);
  }
}
