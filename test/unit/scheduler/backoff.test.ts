import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  backoffDelay,
  KUBERNETES_BACKOFF,
  nextRestart,
  type BackoffState,
} from '../../../src/scheduler/backoff.js';

describe('backoff', () => {
  it('follows the Kubernetes schedule: 10 s doubling, capped at 5 min', () => {
    expect(Array.from({ length: 8 }, (_, i) => backoffDelay(i) / 1000)).toEqual([
      10, 20, 40, 80, 160, 300, 300, 300,
    ]);
  });

  it('counts attempts across quick failures and resets after 10 minutes of running', () => {
    let state: BackoffState = { restarts: 0 };
    let t = 0;
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      const next = nextRestart(state, t);
      delays.push(next.delayMs);
      expect(next.attempt).toBe(i + 1);
      state = next.state;
      t += next.delayMs + 1000; // unhealthy again one second after each restart
    }
    expect(delays).toEqual([10_000, 20_000, 40_000, 80_000]);
    const calm = nextRestart(state, (state.lastRestartAt ?? 0) + KUBERNETES_BACKOFF.resetAfterMs);
    expect(calm).toMatchObject({ delayMs: 10_000, attempt: 1 });
    const almost = nextRestart(state, (state.lastRestartAt ?? 0) + KUBERNETES_BACKOFF.resetAfterMs - 1);
    expect(almost.delayMs).toBe(160_000);
  });

  it('never waits less than the initial delay nor more than the cap, and never shrinks between quick failures', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1_000_000 }), { maxLength: 30 }), (gaps) => {
        let state: BackoffState = { restarts: 0 };
        let t = 0;
        let prev = 0;
        for (const gap of gaps) {
          t = (state.lastRestartAt ?? 0) + gap;
          const next = nextRestart(state, t);
          expect(next.delayMs).toBeGreaterThanOrEqual(10_000);
          expect(next.delayMs).toBeLessThanOrEqual(300_000);
          if (gap < KUBERNETES_BACKOFF.resetAfterMs && state.lastRestartAt !== undefined)
            expect(next.delayMs).toBeGreaterThanOrEqual(prev);
          else expect(next.delayMs).toBe(10_000);
          prev = next.delayMs;
          state = next.state;
        }
      }),
    );
  });
});
