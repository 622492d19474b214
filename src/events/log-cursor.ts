/**
 * Where a container's log has been shown up to, so that reading it again (the next run, a catch-up after
 * an exit, a reconnection) neither repeats nor skips a line. The engine timestamps every line to the
 * nanosecond and filters `since` inclusively, so a read asks from just before the cursor and drops the
 * overlap: lines before the cursor, and as many lines at the cursor's own instant as were shown already.
 * Pure; times are sortable keys of engine timestamps (see `timeKey`).
 */
import type { LogLine } from '../runtime/types.js';

/** Sortable key of an engine timestamp ("...:05.1Z" and "...:05.100000000Z" are the same instant). */
export function timeKey(iso: string): string {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(iso);
  return m ? `${m[1]}.${(m[2] ?? '').padEnd(9, '0').slice(0, 9)}` : iso;
}

/** The key of a Unix time in seconds (microseconds kept, as a double holds them). */
export function keyOfSeconds(seconds: number): string {
  const whole = Math.floor(seconds);
  const micros = Math.min(999_999, Math.round((seconds - whole) * 1e6));
  const base = new Date(whole * 1000).toISOString().slice(0, 19);
  return `${base}.${String(micros).padStart(6, '0')}000`;
}

/** Unix seconds of a key, rounded down to the microsecond (so asking from it misses nothing at that key). */
export function secondsOfKey(key: string): number {
  const m = /^(.*T\d\d:\d\d:\d\d)\.(\d{6})/.exec(key);
  if (!m) return Date.parse(key) / 1000;
  return Date.parse(`${m[1]}Z`) / 1000 + Number(m[2]) / 1e6;
}

/** The stream of a log line, as the runtime reports it. */
export type LogStream = LogLine['stream'];

/** One read's view of the cursor: `accept` says whether a line is new and moves the cursor past it. */
export interface CursorRead {
  accept(time: string | undefined, stream: LogStream): boolean;
}

/** How far one stream has been shown: its latest instant, and how many of its lines at that instant. */
interface Position {
  key: string | undefined;
  atKey: number;
}

/**
 * Kept per stream: the engine stamps each stream's lines as its own reader takes them and appends them to
 * the log as they come, so a stderr line stamped after some stdout lines can be in the log before them
 * (seen under CPU load). A single position would take those stdout lines, read again after the stderr
 * line was shown, for lines shown already. Within one stream the stamps keep the log's order.
 */
export class LogCursor {
  private readonly at: Record<LogStream, Position>;

  /**
   * `origin`: Unix seconds before which nothing is shown; undefined: from the log's beginning, or with
   * `tail`, from where the log was first read (a tail of it): a stream with no line shown yet then counts
   * as shown as far as the other one.
   */
  constructor(
    origin?: number,
    private readonly tail = false,
  ) {
    const key = origin !== undefined ? keyOfSeconds(origin) : undefined;
    this.at = { stdout: { key, atKey: 0 }, stderr: { key, atKey: 0 } };
  }

  /**
   * The `since` to ask the engine for (Unix seconds): from the stream shown least far, so that a read
   * misses none of its lines; undefined when nothing bounds the read.
   */
  since(): number | undefined {
    const a = this.from('stdout').key;
    const b = this.from('stderr').key;
    if (a === undefined || b === undefined) return undefined;
    return secondsOfKey(a < b ? a : b);
  }

  /** Whether the cursor has a position (an origin, or a line shown). */
  get placed(): boolean {
    return this.at.stdout.key !== undefined || this.at.stderr.key !== undefined;
  }

  /** Moves both streams to `seconds` where that is later: nothing before it is shown any more. */
  advanceTo(seconds: number): void {
    const key = keyOfSeconds(seconds);
    for (const p of Object.values(this.at))
      if (p.key === undefined || key > p.key) {
        p.key = key;
        p.atKey = 0;
      }
  }

  /**
   * Starts a read from `since()`: the first lines of each stream overlap what was shown of it and are
   * dropped (a read from the stream shown least far also repeats lines of the other one).
   */
  read(): CursorRead {
    const start = (stream: LogStream) => {
      const { key, atKey } = this.from(stream);
      return { from: key, shownAtFrom: atKey, overlapping: key !== undefined, seen: 0 };
    };
    const views = { stdout: start('stdout'), stderr: start('stderr') };
    return {
      accept: (time, stream) => {
        // Without a timestamp nothing can be compared: show it.
        if (time === undefined) return true;
        const key = timeKey(time);
        const v = views[stream];
        if (v.overlapping && v.from !== undefined) {
          if (key < v.from) return false;
          if (key === v.from && ++v.seen <= v.shownAtFrom) return false;
          v.overlapping = false;
        }
        pass(this.at[stream], key);
        return true;
      },
    };
  }

  /** Where a read of `stream` starts: its own position, or (read from a tail, none yet) the other's. */
  private from(stream: LogStream): Position {
    const own = this.at[stream];
    if (own.key !== undefined || !this.tail) return own;
    const other = this.at[stream === 'stdout' ? 'stderr' : 'stdout'];
    return { key: other.key, atKey: 0 };
  }
}

function pass(p: Position, key: string): void {
  if (p.key === undefined || key > p.key) {
    p.key = key;
    p.atKey = 1;
  } else if (key === p.key) {
    p.atKey++;
  }
  // A line of a stream stamped before its position (a clock step back): shown; the position stays.
}
