import { stat } from 'node:fs/promises';
import type { FileChange } from './batcher.js';

/** What identifies a file's content cheaply: a write changes at least one of these. */
async function fingerprint(file: string): Promise<string | undefined> {
  try {
    const st = await stat(file);
    return `${st.ino}:${st.size}:${st.mtimeMs}`;
  } catch {
    return undefined;
  }
}

/**
 * chokidar emits at most one `change` per file per 50 ms and drops the rest, so a second save soon after
 * the first (format-on-save, quickly fixing an invalid edit) would never be seen. When a batch is taken,
 * note how its files look; a moment later, any that look different again are reported as a new `change`.
 */
export class SettleCheck {
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(
    private readonly emit: (change: FileChange) => void,
    /** Longer than chokidar's 50 ms change throttle. */
    private readonly delayMs = 75,
  ) {}

  /** Notes how the added and changed files of a batch look now, and checks them again after the delay. */
  track(changes: FileChange[]): void {
    if (this.closed) return;
    const files = changes.filter((c) => c.kind === 'add' || c.kind === 'change').map((c) => c.path);
    if (files.length === 0) return;
    const then = Promise.all(files.map(fingerprint));
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.check(files, then);
    }, this.delayMs);
    this.timers.add(timer);
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private async check(files: string[], then: Promise<(string | undefined)[]>): Promise<void> {
    const [before, now] = await Promise.all([then, Promise.all(files.map(fingerprint))]);
    if (this.closed) return;
    files.forEach((file, i) => {
      if (now[i] !== undefined && now[i] !== before[i]) this.emit({ path: file, kind: 'change' });
    });
  }
}
