// Bounds the channels open at once on one connection. sshd refuses channels beyond its
// MaxSessions (10 by default); when it does, the bound drops to what the server accepted, so
// later commands wait their turn instead of failing.

export class ChannelLimiter {
  #active = 0;
  #waiting: (() => void)[] = [];
  constructor(public limit: number) {}

  get active(): number {
    return this.#active;
  }

  async acquire(): Promise<void> {
    if (this.#active < this.limit) {
      this.#active++;
      return;
    }
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  /** Takes a slot only if one is free now; never waits. */
  tryAcquire(): boolean {
    if (this.#active >= this.limit) return false;
    this.#active++;
    return true;
  }

  release(): void {
    const next = this.#active <= this.limit ? this.#waiting.shift() : undefined;
    if (next)
      next(); // the slot passes straight to the next waiter
    else this.#active--;
  }

  /** The server refused a channel while `active` were open: never ask for more than that. */
  lower(): void {
    this.limit = Math.max(1, Math.min(this.limit, this.#active - 1));
  }
}
