import { describe, expect, it } from 'vitest';
import { CoalescingRunner } from '../../../src/watch/rebuild-queue.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('CoalescingRunner', () => {
  it('follows a running job with exactly one more run covering everything that arrived meanwhile', async () => {
    const runs: string[][] = [];
    const gates: ReturnType<typeof deferred>[] = [];
    const runner = new CoalescingRunner<string[]>(
      async (p) => {
        runs.push(p);
        const g = deferred();
        gates.push(g);
        await g.promise;
      },
      (a, b) => [...a, ...b],
    );
    const first = runner.submit(['a']);
    await Promise.resolve();
    await Promise.resolve();
    expect(runs).toEqual([['a']]);
    // Ten changes while the first rebuild runs.
    const later = Array.from({ length: 10 }, (_, i) => runner.submit([`b${i}`]));
    expect(runner.queued).toBe(true);
    gates[0]?.resolve();
    await first;
    await new Promise((r) => setTimeout(r, 0));
    expect(runs).toHaveLength(2);
    expect(runs[1]).toEqual(Array.from({ length: 10 }, (_, i) => `b${i}`));
    gates[1]?.resolve();
    await Promise.all(later);
    await runner.idle();
    expect(runs).toHaveLength(2);
    expect(runner.busy).toBe(false);
  });

  it('merges submits made in the same tick into the first run', async () => {
    const runs: number[] = [];
    const runner = new CoalescingRunner<number>(
      async (n) => {
        runs.push(n);
      },
      (a, b) => a + b,
    );
    await Promise.all([runner.submit(1), runner.submit(2), runner.submit(3)]);
    expect(runs).toEqual([6]);
  });

  it('never runs two jobs at once', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const runner = new CoalescingRunner<number>(
      async () => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((r) => setTimeout(r, 5));
        inFlight--;
      },
      (a, b) => a + b,
    );
    const all: Promise<void>[] = [];
    for (let i = 0; i < 20; i++) {
      all.push(runner.submit(i));
      await new Promise((r) => setTimeout(r, 1));
    }
    await Promise.all(all);
    expect(maxInFlight).toBe(1);
  });

  it('rejects the submitters of a failed run and keeps working afterwards', async () => {
    let fail = true;
    const runner = new CoalescingRunner<number>(
      async () => {
        if (fail) throw new Error('build failed');
      },
      (a, b) => a + b,
    );
    await expect(runner.submit(1)).rejects.toThrow('build failed');
    fail = false;
    await expect(runner.submit(2)).resolves.toBeUndefined();
  });
});
