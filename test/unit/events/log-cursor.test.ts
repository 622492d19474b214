import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyOfSeconds, LogCursor, secondsOfKey, timeKey } from '../../../src/events/log-cursor.js';

/** An engine timestamp `ns` nanoseconds after 2026-01-01T00:00:00Z. */
const stamp = (ns: number) => {
  const second = new Date(Date.UTC(2026, 0, 1) + Math.floor(ns / 1e9) * 1000).toISOString().slice(0, 19);
  return `${second}.${String(ns % 1e9).padStart(9, '0')}Z`;
};

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
    expect(read.accept('2026-01-01T00:00:00.999999999Z')).toBe(false);
    expect(read.accept('2026-01-01T00:00:01.000000001Z')).toBe(true);
  });

  it('a read again from the cursor drops the lines shown, keeps those at the same instant not shown yet', () => {
    const cursor = new LogCursor();
    const first = cursor.read();
    // Two lines at exactly the same instant, the first of them shown before the follow broke off.
    expect(first.accept('2026-01-01T00:00:01.5Z')).toBe(true);
    expect(first.accept('2026-01-01T00:00:02.000000007Z')).toBe(true);
    expect(cursor.since()).toBe(Date.UTC(2026, 0, 1, 0, 0, 2) / 1000);
    const again = cursor.read();
    expect(again.accept('2026-01-01T00:00:02.000000007Z')).toBe(false);
    expect(again.accept('2026-01-01T00:00:02.000000007Z')).toBe(true);
    expect(again.accept('2026-01-01T00:00:02.1Z')).toBe(true);
    // A line without a timestamp cannot be placed: shown.
    expect(again.accept(undefined)).toBe(true);
  });

  it('once moved past a run’s end, drops nothing after it and everything before', () => {
    const cursor = new LogCursor();
    cursor.read().accept('2026-01-01T00:00:01Z');
    cursor.advanceTo(Date.UTC(2026, 0, 1, 0, 0, 3) / 1000);
    const next = cursor.read();
    expect(next.accept('2026-01-01T00:00:02Z')).toBe(false);
    expect(next.accept('2026-01-01T00:00:03.000001Z')).toBe(true);
    // Moving back does nothing.
    cursor.advanceTo(Date.UTC(2026, 0, 1) / 1000);
    expect(cursor.since()).toBe(Date.UTC(2026, 0, 1, 0, 0, 3) / 1000 + 0.000001);
  });

  it('a log read in pieces, each read from where the last one stopped, shows every line once (property)', () => {
    fc.assert(
      fc.property(
        // Gaps between lines in nanoseconds (0: the same instant as the line before), and read lengths.
        fc.array(fc.oneof(fc.constant(0), fc.nat(3000), fc.nat(5_000_000)), { minLength: 1, maxLength: 60 }),
        fc.array(fc.nat(60), { maxLength: 6 }),
        (gaps, breaks) => {
          let ns = 1e9;
          const log = gaps.map((g, i) => ({ time: stamp((ns += g)), n: i }));
          const cursor = new LogCursor(0.5 + Date.UTC(2026, 0, 1) / 1000);
          const shown: number[] = [];
          // Each read gets so many lines before it breaks off; the last one gets the rest.
          for (const count of [...breaks, log.length]) {
            // As the engine answers `since` (inclusive, to the microsecond asked for).
            const since = keyOfSeconds(cursor.since()!);
            const read = cursor.read();
            for (const line of log.filter((l) => timeKey(l.time) >= since).slice(0, count))
              if (read.accept(line.time)) shown.push(line.n);
          }
          expect(shown).toEqual(log.map((l) => l.n));
        },
      ),
    );
  });
});
