import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ChangeBatcher, type ChangeBatch, type ChangeKind } from '../../../src/watch/batcher.js';
import { CoalescingRunner } from '../../../src/watch/rebuild-queue.js';

const kind = fc.constantFrom<ChangeKind>('add', 'change', 'unlink', 'addDir', 'unlinkDir');
const event = fc.record({
  path: fc.constantFrom('/a', '/b', '/c/d', '/e f', '/g'),
  kind,
  gap: fc.integer({ min: 0, max: 120 }),
});

describe('batcher properties', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('loses no path, keeps the last kind per path within a batch, and never exceeds the latency cap', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 60 }), (events) => {
        const batches: ChangeBatch[] = [];
        const b = new ChangeBatcher((x) => batches.push(x), {
          quietMs: 50,
          maxWaitMs: 300,
          now: () => Date.now(),
        });
        for (const e of events) {
          b.push({ path: e.path, kind: e.kind });
          vi.advanceTimersByTime(e.gap);
        }
        vi.advanceTimersByTime(1000);
        expect(batches.reduce((n, x) => n + x.events, 0)).toBe(events.length);
        const seen = new Set(batches.flatMap((x) => x.changes.map((c) => c.path)));
        expect(seen).toEqual(new Set(events.map((e) => e.path)));
        for (const x of batches) {
          expect(new Set(x.changes.map((c) => c.path)).size).toBe(x.changes.length);
          expect(x.lastAt - x.firstAt).toBeLessThanOrEqual(300);
        }
        // The final state per path is the last event's kind.
        const last = batches.at(-1);
        const lastEvent = events.at(-1);
        if (last && lastEvent)
          expect(last.changes.find((c) => c.path === lastEvent.path)?.kind).toBe(lastEvent.kind);
      }),
    );
  });
});

describe('coalescing runner properties', () => {
  it('runs one job at a time, covers every submit exactly once, in order, never running more often than submitted', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 25 }),
        async (gaps) => {
          let inFlight = 0;
          let overlap = false;
          const runs: number[][] = [];
          const runner = new CoalescingRunner<number[]>(
            async (p) => {
              inFlight++;
              if (inFlight > 1) overlap = true;
              runs.push(p);
              await new Promise((r) => setTimeout(r, 2));
              inFlight--;
            },
            (a, b) => [...a, ...b],
          );
          const done: Promise<void>[] = [];
          for (const [i, gap] of gaps.entries()) {
            done.push(runner.submit([i]));
            if (gap > 0) await new Promise((r) => setTimeout(r, gap));
          }
          await Promise.all(done);
          expect(overlap).toBe(false);
          expect(runs.flat()).toEqual(gaps.map((_, i) => i));
          expect(runs.length).toBeLessThanOrEqual(gaps.length);
        },
      ),
      { numRuns: 40 },
    );
  });
});
