interface Waiter {
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Coalescing single-flight: at most one run at a time; work submitted while a run is in flight is merged
 * into exactly one follow-up run, never a queue of stale ones. Used per service for rebuilds and syncs.
 */
export class CoalescingRunner<P> {
  private pending: P | undefined;
  private waiters: Waiter[] = [];
  private active: Promise<void> | undefined;

  constructor(
    private readonly run: (payload: P) => Promise<void>,
    private readonly merge: (older: P, newer: P) => P,
  ) {}

  /** Schedules `payload`; resolves (or rejects) when a run that covers it has finished. */
  submit(payload: P): Promise<void> {
    this.pending = this.pending === undefined ? payload : this.merge(this.pending, payload);
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.active ??= this.drain();
    return done;
  }

  /** True while a run is in flight. */
  get busy(): boolean {
    return this.active !== undefined;
  }

  /** True when work waits for the current run to finish. */
  get queued(): boolean {
    return this.pending !== undefined && this.active !== undefined;
  }

  /** Resolves once nothing is running or waiting. */
  async idle(): Promise<void> {
    while (this.active) await this.active;
  }

  private async drain(): Promise<void> {
    // Yield once so that submits in the same tick merge into the first run.
    await Promise.resolve();
    while (this.pending !== undefined) {
      const payload = this.pending;
      const waiters = this.waiters;
      this.pending = undefined;
      this.waiters = [];
      try {
        await this.run(payload);
        for (const w of waiters) w.resolve();
      } catch (err) {
        for (const w of waiters) w.reject(err);
      }
    }
    this.active = undefined;
  }
}
