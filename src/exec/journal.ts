// Handlers notified but not run because the run failed or was interrupted are written down on
// the controller, and the next run of the same playbook runs them (Ansible forgets them, so a
// config change whose reload never happened stays unapplied). Keyed by playbook, play, host.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

interface Entry {
  playbook: string;
  play: string;
  host: string;
  handler: string;
  since: string;
}

export function journalDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.LVSPLAY_STATE_DIR ?? join(env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state'), 'lvsplay');
}

export class HandlerJournal {
  readonly #file: string;
  readonly #playbook: string;
  readonly #mask: (s: string) => string;
  #entries: Entry[];

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

  notified(play: string, host: string, handler: string): void {
    [play, handler] = [this.#mask(play), this.#mask(handler)];
    if (this.pending(play, host).includes(handler)) return;
    this.#entries.push({ playbook: this.#playbook, play, host, handler, since: new Date().toISOString() });
    this.#save();
  }

  ran(play: string, host: string, handler: string): void {
    [play, handler] = [this.#mask(play), this.#mask(handler)];
    const before = this.#entries.length;
    this.#entries = this.#entries.filter(
      (e) => !(e.playbook === this.#playbook && e.play === play && e.host === host && e.handler === handler),
    );
    if (this.#entries.length !== before) this.#save();
  }

  #save(): void {
    const dir = join(this.#file, '..');
    mkdirSync(dir, { recursive: true });
    const tmp = `${this.#file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ pending: this.#entries }, null, 2)}\n`);
    renameSync(tmp, this.#file);
  }
}
