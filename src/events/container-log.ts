/**
 * A container's log as `log` events on the bus, each line once and in order: a follow while a run lasts,
 * and at the run's end the rest of it up to the moment it died. The engine keeps the log of a stopped
 * container, so a run that ended before it was followed (it exited within milliseconds, or the feed was
 * behind) is read then; and a line still on its way in the follow when the container is removed at once (a
 * replacement) still comes through the follow. Where reading resumes is the LogCursor's business.
 */
import type { LogLine } from '../runtime/types.js';
import type { EventBus } from './bus.js';
import type { FeedRuntime, Identity, LogOrigin } from './feed-types.js';
import { keyOfSeconds, LogCursor, timeKey } from './log-cursor.js';

/**
 * What bounds the lines of a run that ended: its die event's time (Unix ms; the engine sends it once the
 * run's output is all logged), or, for a run found ended whose die time is unknown, the start time of the
 * run after it (an engine timestamp) if one began by the time the log was read. Not its finish time: that
 * is when the process exited, and its last lines can be logged a moment after.
 */
export type RunEnd = { untilMs: number } | { nextStart: () => Promise<string | undefined> };

/** Whether the run a follow was asked for still runs (the container was not restarted meanwhile). */
export type SameRun = () => Promise<boolean>;

interface Follow {
  abort: AbortController;
  done: Promise<void>;
  /** Asked at the follow's first line: a follow that reached the engine after its run ended is dropped. */
  sameRun?: SameRun;
  /** Once the run's end is known: the time key past which a line is the next run's (the follow stops there). */
  until?: string;
}

export class ContainerLog {
  private readonly cursor: LogCursor;
  private tail: number | undefined;
  private follow_: Follow | undefined;
  private closing = false;
  private readonly tasks = new Set<Promise<void>>();

  constructor(
    private readonly runtime: FeedRuntime,
    private readonly bus: EventBus,
    private readonly id: string,
    private readonly who: Identity,
    origin: LogOrigin,
  ) {
    this.cursor = new LogCursor(origin.since, origin.since === undefined && origin.tail !== undefined);
    this.tail = origin.tail;
  }

  /**
   * A run begins at `time` (Unix ms) for a container first seen stopped, asked for a tail: its earlier
   * runs' lines are not new, so the log is shown from about then.
   */
  runBegins(time: number): void {
    if (this.cursor.placed || this.tail === undefined) return;
    this.tail = undefined;
    this.cursor.advanceTo(time / 1000 - 1);
  }

  /**
   * Follows the current run; `anew`: instead of a follow under way (an earlier run's, or a reading of one).
   * A follow lasts as long as the run it reached the engine in: when that is a later run (the container
   * restarted while the request was on its way), it would show that run's lines before this run's exit.
   * So `sameRun` is asked at its first line (by then the follow has reached the engine): if this run has
   * ended, the follow is dropped unshown, and the run's end reads its lines instead.
   */
  follow(anew = false, sameRun?: SameRun): void {
    if (this.closing || (this.follow_ && !anew)) return;
    // What the earlier follow showed is behind the cursor: the new one goes on from there.
    this.follow_?.abort.abort();
    const f: Follow = { abort: new AbortController(), done: Promise.resolve(), sameRun };
    f.done = this.read({ follow: true }, { follow: f })
      .then(() => undefined)
      .finally(() => {
        if (this.follow_ === f) this.follow_ = undefined;
      });
    this.follow_ = f;
    this.tasks.add(f.done);
    void f.done.finally(() => this.tasks.delete(f.done));
  }

  /**
   * The run ended: shows the rest of its lines and stops following. The rest is read while the follow goes
   * on, then the follow is stopped and what it had not shown is shown; when the container is gone already,
   * the follow alone can still deliver it (the engine ends it once all is sent).
   */
  async runEnded(end: RunEnd): Promise<void> {
    const until = 'untilMs' in end ? (end.untilMs + 1) / 1000 : undefined;
    const f = this.follow_?.abort.signal.aborted === false ? this.follow_ : undefined;
    if (f && until !== undefined) f.until = keyOfSeconds(until);
    if (!f) await this.follow_?.done;
    const rest: LogLine[] = [];
    const read = await this.read(
      { follow: false, ...(until !== undefined ? { until } : {}) },
      { collect: rest },
    );
    // Read up to now: the lines of a run that began since (the next run's) are not this run's.
    const next = 'nextStart' in end ? await end.nextStart() : undefined;
    const bound = next !== undefined ? timeKey(next) : undefined;
    if (f) {
      if (bound !== undefined) f.until = bound;
      if (read) f.abort.abort();
      await f.done;
    }
    const view = this.cursor.read();
    for (const line of rest) {
      if (bound !== undefined && line.time !== undefined && timeKey(line.time) >= bound) break;
      if (view.accept(line.time, line.stream)) this.emit(line);
    }
    if (until !== undefined) this.cursor.advanceTo(until);
  }

  /** Stops following for good (a removed container, or the feed stopping); a run's end still reads its rest. */
  stop(): void {
    this.closing = true;
    this.follow_?.abort.abort();
  }

  /** Resolves once every follow has ended. */
  async settled(): Promise<void> {
    while (this.tasks.size > 0) await Promise.allSettled([...this.tasks]);
  }

  /**
   * Reads from the cursor on: emits each line not shown yet, or with `collect` keeps them all there. A
   * `follow` stops at its bound. False when the log could not be read (the container is gone).
   */
  private async read(
    opts: { follow: boolean; until?: number },
    into: { follow?: Follow; collect?: LogLine[] } = {},
  ): Promise<boolean> {
    const { follow: f, collect } = into;
    const signal = f?.abort.signal;
    const since = this.cursor.since();
    const from = since !== undefined ? { since } : this.tail !== undefined ? { tail: this.tail } : {};
    if (!collect) this.tail = undefined;
    const view = this.cursor.read();
    let sameRun = f?.sameRun;
    try {
      for await (const line of this.runtime.logs(this.id, { ...opts, timestamps: true, ...from }, signal)) {
        if (signal?.aborted) return true;
        if (f && sameRun) {
          const same = await sameRun().catch(() => false);
          sameRun = undefined;
          if (signal?.aborted) return true;
          if (!same) {
            f.abort.abort();
            return true;
          }
        }
        if (f?.until !== undefined && line.time !== undefined && timeKey(line.time) > f.until) {
          f.abort.abort();
          return true;
        }
        if (collect) collect.push(line);
        else if (view.accept(line.time, line.stream)) this.emit(line);
      }
      return true;
    } catch {
      // Gone mid-read (its removal arrives as an engine event), or the engine is away.
      return false;
    }
  }

  private emit(line: LogLine): void {
    const parsed = line.time ? Date.parse(line.time) : NaN;
    this.bus.emit({
      kind: 'log',
      service: this.who.service,
      replica: this.who.replica,
      stream: line.stream,
      message: line.message,
      time: Number.isFinite(parsed) ? parsed : Date.now(),
    });
  }
}
