import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  keyOfSeconds,
  LogCursor,
  secondsOfKey,
  timeKey,
  type LogStream,
} from '../../../src/events/log-cursor.js';

/** An engine timestamp `ns` nanoseconds after 2026-01-01T00:00:00Z. */
const stamp = (ns: number) => {
  const second = new Date(Date.UTC(2026, 0, 1) + Math.floor(ns / 1e9) * 1000).toISOString().slice(0, 19);
  return `${second}.${String(ns % 1e9).padStart(9, '0')}Z`;
};

interface Line {
  time: string;
  n: number;
  stream: LogStream;
}

/**
 * Reads `log` in pieces through a cursor placed just before it: each read asks from the cursor, as the
 * engine answers `since` (inclusive, to the microsecond asked for), and gets so many lines (`breaks`)
 * before it breaks off; the last read gets the rest. Returns the numbers of the lines shown, in order.
 */
function readInPieces(log: Line[], breaks: number[]): number[] {
  const cursor = new LogCursor(0.5 + Date.UTC(2026, 0, 1) / 1000);
  const shown: number[] = [];
  for (const count of [...breaks, log.length]) {
    const since = keyOfSeconds(cursor.since()!);
    const read = cursor.read();
    for (const line of log.filter((l) => timeKey(l.time) >= since).slice(0, count))
      if (read.accept(line.time, line.stream)) shown.push(line.n);
  }
  return shown;
}

describe('log cursor', () => {
  it('compares engine timestamps of any precision as instants', () => {
    expect(timeKey('2026-01-01T00:00:05.1Z')).toBe(timeKey('2026-01-01T00:00:05.100000000Z'));
    expect(timeKey('2026-01-01T00:00:05Z') < timeKey('2026-01-01T00:00:05.000000001Z')).toBe(true);
    expect(keyOfSeconds(Date.UTC(2026, 0, 1, 0, 0, 5) / 1000 + 0.25)).toBe('2026-01-01T00:00:05.250000000');
    expect(secondsOfKey(timeKey('2026-01-01T00:00:05.123456789Z'))).toBeCloseTo(
      Date.UTC(2026, 0, 1, 0, 0, 5) / 1000 + 0.123456,
      6,
    );
  });

  it('asks from its origin, and drops what a read gives before it', () => {
    const origin = Date.UTC(2026, 0, 1, 0, 0, 1) / 1000;
    const cursor = new LogCursor(origin);
    expect(cursor.since()).toBe(origin);
    const read = cursor.read();
    expect(read.accept('2026-01-01T00:00:00.999999999Z', 'stdout')).toBe(false);
    expect(read.accept('2026-01-01T00:00:01.000000001Z', 'stdout')).toBe(true);
  });

  it('a read again from the cursor drops the lines shown, keeps those at the same instant not shown yet', () => {
    // Read from a tail: stderr, with nothing shown of it, counts as shown as far as stdout.
    const cursor = new LogCursor(undefined, true);
    const first = cursor.read();
    // Two lines at exactly the same instant, the first of them shown before the follow broke off.
    expect(first.accept('2026-01-01T00:00:01.5Z', 'stdout')).toBe(true);
    expect(first.accept('2026-01-01T00:00:02.000000007Z', 'stdout')).toBe(true);
    expect(cursor.since()).toBe(Date.UTC(2026, 0, 1, 0, 0, 2) / 1000);
    const again = cursor.read();
    expect(again.accept('2026-01-01T00:00:02.000000007Z', 'stdout')).toBe(false);
    expect(again.accept('2026-01-01T00:00:02.000000007Z', 'stdout')).toBe(true);
    expect(again.accept('2026-01-01T00:00:02.1Z', 'stdout')).toBe(true);
    // A line without a timestamp cannot be placed: shown.
    expect(again.accept(undefined, 'stdout')).toBe(true);
  });

  it('once moved past a run’s end, drops nothing after it and everything before', () => {
    const cursor = new LogCursor();
    cursor.read().accept('2026-01-01T00:00:01Z', 'stdout');
    cursor.advanceTo(Date.UTC(2026, 0, 1, 0, 0, 3) / 1000);
    const next = cursor.read();
    expect(next.accept('2026-01-01T00:00:02Z', 'stdout')).toBe(false);
    expect(next.accept('2026-01-01T00:00:03.000001Z', 'stdout')).toBe(true);
    // Moving back does nothing: stdout is past the line shown, stderr (nothing shown) at the run's end.
    cursor.advanceTo(Date.UTC(2026, 0, 1) / 1000);
    expect(cursor.since()).toBe(Date.UTC(2026, 0, 1, 0, 0, 3) / 1000);
    const again = cursor.read();
    expect(again.accept('2026-01-01T00:00:03.000001Z', 'stdout')).toBe(false);
    expect(again.accept('2026-01-01T00:00:02.9Z', 'stderr')).toBe(false);
    expect(again.accept('2026-01-01T00:00:03.0000005Z', 'stderr')).toBe(true);
  });

  it('a log read in pieces, each read from where the last one stopped, shows every line once (property)', () => {
    fc.assert(
      fc.property(
        // Gaps between lines in nanoseconds (0: the same instant as the line before), and read lengths.
        fc.array(fc.oneof(fc.constant(0), fc.nat(3000), fc.nat(5_000_000)), { minLength: 1, maxLength: 60 }),
        fc.array(fc.nat(60), { maxLength: 6 }),
        (gaps, breaks) => {
          let ns = 1e9;
          const log = gaps.map((g, n): Line => ({ time: stamp((ns += g)), n, stream: 'stdout' }));
          expect(readInPieces(log, breaks)).toEqual(log.map((l) => l.n));
        },
      ),
    );
  });

  it("without an origin or a tail, a stream with nothing shown is read from the log's beginning", () => {
    const cursor = new LogCursor();
    cursor.read().accept('2026-01-01T00:00:05Z', 'stdout');
    expect(cursor.since()).toBeUndefined();
    const again = cursor.read();
    expect(again.accept('2026-01-01T00:00:01Z', 'stderr')).toBe(true);
    expect(again.accept('2026-01-01T00:00:05Z', 'stdout')).toBe(false);
  });

  it('keeps each stream apart: stdout lines stamped before a stderr line shown, read again after it, are new', () => {
    // The engine logged "run 1 done" (stderr, stamped T2) before "line 1" (stdout, stamped T1 < T2): a
    // follow showed the stderr line, then broke off; the log read again from the cursor has both.
    const T1 = '2026-01-01T00:00:01.000001000Z';
    const T2 = '2026-01-01T00:00:01.000002000Z';
    const cursor = new LogCursor(Date.UTC(2026, 0, 1) / 1000);
    expect(cursor.read().accept(T2, 'stderr')).toBe(true);
    // The engine is asked from where stdout is, not from the stderr line.
    expect(cursor.since()).toBe(Date.UTC(2026, 0, 1) / 1000);
    const again = cursor.read();
    expect(again.accept(T2, 'stderr')).toBe(false);
    expect(again.accept(T1, 'stdout')).toBe(true);
    expect(cursor.since()).toBe(secondsOfKey(timeKey(T1)));
  });

  it('a log of two streams, each in its own order but interleaved in any order, read in pieces: every line once (property)', () => {
    fc.assert(
      fc.property(
        // Per line: its stream, the gap since that stream's line before (ns), and how far back in the log
        // it is appended (the other stream's later lines may come before it); then the read lengths.
        fc.array(fc.tuple(fc.boolean(), fc.oneof(fc.constant(0), fc.nat(3000)), fc.nat(3)), {
          minLength: 1,
          maxLength: 50,
        }),
        fc.array(fc.nat(50), { maxLength: 6 }),
        (spec, breaks) => {
          const ns = { stdout: 1e9, stderr: 1e9 };
          const log: Line[] = [];
          spec.forEach(([err, gap, back], n) => {
            const stream = err ? ('stderr' as const) : ('stdout' as const);
            const line = { time: stamp((ns[stream] += gap)), n, stream };
            // Appended up to `back` lines early, but never before a line of its own stream.
            let at = log.length;
            while (at > 0 && log.length - at < back && log[at - 1]!.stream !== stream) at--;
            log.splice(at, 0, line);
          });
          const shown = readInPieces(log, breaks);
          expect([...shown].sort((a, b) => a - b)).toEqual(log.map((l) => l.n).sort((a, b) => a - b));
          for (const stream of ['stdout', 'stderr'] as const)
            expect(shown.filter((n) => log.find((l) => l.n === n)!.stream === stream)).toEqual(
              log.filter((l) => l.stream === stream).map((l) => l.n),
            );
        },
      ),
    );
  });
});
