/**
 * Where a container's log has been shown up to, so that reading it again (the next run, a catch-up after
 * an exit, a reconnection) neither repeats nor skips a line. The engine timestamps every line to the
 * nanosecond and filters `since` inclusively, so a read asks from just before the cursor and drops the
 * overlap: lines before the cursor, and as many lines at the cursor's own instant as were shown already.
 * Pure; times are sortable keys of engine timestamps (see `timeKey`).
 */

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

/** One read's view of the cursor: `accept` says whether a line is new and moves the cursor past it. */
export interface CursorRead {
  accept(time: string | undefined): boolean;
}

export class LogCursor {
  /** The latest instant shown (or the origin), and how many lines at exactly that instant were shown. */
  private key: string | undefined;
  private atKey = 0;

  /** `origin`: Unix seconds before which nothing is shown; undefined: from the log's beginning. */
  constructor(origin?: number) {
    if (origin !== undefined) this.key = keyOfSeconds(origin);
  }

  /** The `since` to ask the engine for (Unix seconds), or undefined when nothing bounds the read. */
  since(): number | undefined {
    return this.key === undefined ? undefined : secondsOfKey(this.key);
  }

  /** Whether the cursor has a position (an origin, or a line shown). */
  get placed(): boolean {
    return this.key !== undefined;
  }

  /** Moves the cursor to `seconds` when that is later: nothing before it is shown any more. */
  advanceTo(seconds: number): void {
    const key = keyOfSeconds(seconds);
    if (this.key === undefined || key > this.key) {
      this.key = key;
      this.atKey = 0;
    }
  }

  /** Starts a read from `since()`: its first lines overlap what was shown and are dropped. */
  read(): CursorRead {
    const from = this.key;
    const shownAtFrom = this.atKey;
    let overlapping = from !== undefined;
    let seenAtFrom = 0;
    return {
      accept: (time) => {
        // Without a timestamp nothing can be compared: show it.
        if (time === undefined) return true;
        const key = timeKey(time);
        if (overlapping && from !== undefined) {
          if (key < from) return false;
          if (key === from && ++seenAtFrom <= shownAtFrom) return false;
          overlapping = false;
        }
        this.pass(key);
        return true;
      },
    };
  }

  private pass(key: string): void {
    if (this.key === undefined || key > this.key) {
      this.key = key;
      this.atKey = 1;
    } else if (key === this.key) {
      this.atKey++;
    }
    // A line earlier than the cursor after the overlap (stdout and stderr are timestamped apart): shown, and
    // the cursor stays where it is.
  }
}
