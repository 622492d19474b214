/**
 * Batches many small writes into few large ones and respects backpressure. The bus pushes events
 * synchronously and cannot be paused, so while the stream is full we buffer up to a cap, then drop
 * lines and say how many, rather than let memory grow without bound behind a slow reader.
 */
import type { Writable } from 'node:stream';

export interface BatchWriterOptions {
  /** Write at once when this many bytes are pending (default 64 KiB). */
  highWaterBytes?: number;
  /** Drop lines while this many bytes wait for a full stream to drain (default 16 MiB). */
  maxPendingBytes?: number;
  /** The line written after lines were dropped. */
  droppedNotice?: (count: number) => string;
}

export class BatchWriter {
  private pending = '';
  private scheduled = false;
  private blocked = false;
  private droppedNow = 0;
  private closed = false;
  /** Lines dropped since creation because the stream stayed full. */
  dropped = 0;
  private readonly high: number;
  private readonly max: number;
  private readonly notice: (count: number) => string;
  private readonly idle: (() => void)[] = [];

  constructor(
    private readonly out: Writable | NodeJS.WritableStream,
    options: BatchWriterOptions = {},
  ) {
    this.high = options.highWaterBytes ?? 64 * 1024;
    this.max = options.maxPendingBytes ?? 16 * 1024 * 1024;
    this.notice = options.droppedNotice ?? ((n) => `tsstack: ${n} log lines dropped (output too slow)\n`);
  }

  /** Queues `text` (one or more whole lines). */
  write(text: string): void {
    if (this.closed) return;
    if (this.blocked && this.pending.length >= this.max) {
      this.droppedNow++;
      this.dropped++;
      return;
    }
    this.pending += text;
    if (this.blocked) return;
    if (this.pending.length >= this.high) this.flushNow();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        if (!this.blocked) this.flushNow();
      });
    }
  }

  /** Resolves once everything queued so far has been handed to the stream and it is not full. */
  drain(): Promise<void> {
    if (!this.blocked) this.flushNow();
    if (!this.blocked && this.pending.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /** Writes what is queued and stops accepting more. */
  async close(): Promise<void> {
    await this.drain();
    this.closed = true;
  }

  private flushNow(): void {
    if (this.droppedNow > 0) {
      this.pending += this.notice(this.droppedNow);
      this.droppedNow = 0;
    }
    if (this.pending.length === 0) return this.settle();
    const chunk = this.pending;
    this.pending = '';
    const ok = this.out.write(chunk);
    if (ok) return this.settle();
    this.blocked = true;
    this.out.once('drain', () => {
      this.blocked = false;
      this.flushNow();
    });
  }

  private settle(): void {
    if (this.pending.length > 0 || this.blocked) return;
    for (const resolve of this.idle.splice(0)) resolve();
  }
}
