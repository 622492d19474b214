/** What happened to a path, in chokidar's words. */
export type ChangeKind = 'add' | 'change' | 'unlink' | 'addDir' | 'unlinkDir';

export interface FileChange {
  /** Absolute host path. */
  path: string;
  kind: ChangeKind;
}

/** Changes seen within one quiet window, one entry per path (the last event wins: it says what is there now). */
export interface ChangeBatch {
  changes: FileChange[];
  /** Milliseconds (Date.now) of the first event in the batch: the closest we know to "save". */
  firstAt: number;
  lastAt: number;
  /** How many raw events were folded into this batch. */
  events: number;
}

export interface BatcherOptions {
  /** Flush once no event arrived for this long (once a batch holds more than one event: a burst). */
  quietMs: number;
  /**
   * Quiet window while the batch holds a single file event (an editor save): shorter, since a burst's second
   * event follows its first within a few ms. A lone folder event waits `quietMs`: chokidar reads a new folder
   * before reporting its files, which takes tens of ms on a busy machine. Defaults to `quietMs`.
   */
  firstQuietMs?: number;
  /** Flush at the latest this long after the first event, even if events keep coming. */
  maxWaitMs: number;
  now?: () => number;
}

export const DEFAULT_BATCHING: BatcherOptions = { quietMs: 100, firstQuietMs: 25, maxWaitMs: 3000 };

/**
 * Debounces and dedupes file events: a burst (a `git checkout` touching 500 files) becomes one batch.
 * Trailing-edge debounce with a latency cap, so a never-ending stream of writes still flushes regularly.
 */
export class ChangeBatcher {
  private pending = new Map<string, ChangeKind>();
  private firstAt = 0;
  private lastAt = 0;
  private events = 0;
  private quietTimer: NodeJS.Timeout | undefined;
  private capTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly now: () => number;

  constructor(
    private readonly onBatch: (batch: ChangeBatch) => void,
    private options: BatcherOptions = DEFAULT_BATCHING,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** New timings (a reloaded stack's debounce); they apply from the next event on. */
  configure(options: BatcherOptions): void {
    this.options = { ...options, now: this.now };
  }

  /** Adds one event; a path already pending keeps its place and takes the newest kind. */
  push(change: FileChange): void {
    if (this.closed) return;
    const t = this.now();
    if (this.pending.size === 0) {
      this.firstAt = t;
      this.events = 0;
      this.capTimer = setTimeout(() => this.flush(), this.options.maxWaitMs);
    }
    this.lastAt = t;
    this.events++;
    this.pending.delete(change.path);
    this.pending.set(change.path, change.kind);
    clearTimeout(this.quietTimer);
    const lone = this.events === 1 && change.kind !== 'addDir' && change.kind !== 'unlinkDir';
    const quiet = lone ? (this.options.firstQuietMs ?? this.options.quietMs) : this.options.quietMs;
    this.quietTimer = setTimeout(() => this.flush(), quiet);
  }

  /** Emits what is pending now (nothing when empty). */
  flush(): void {
    clearTimeout(this.quietTimer);
    clearTimeout(this.capTimer);
    this.quietTimer = this.capTimer = undefined;
    if (this.pending.size === 0) return;
    const changes = [...this.pending].map(([p, kind]) => ({ path: p, kind }));
    const batch: ChangeBatch = { changes, firstAt: this.firstAt, lastAt: this.lastAt, events: this.events };
    this.pending = new Map();
    this.onBatch(batch);
  }

  get size(): number {
    return this.pending.size;
  }

  /** Drops pending events and stops the timers. */
  close(): void {
    this.closed = true;
    clearTimeout(this.quietTimer);
    clearTimeout(this.capTimer);
    this.pending.clear();
  }
}
