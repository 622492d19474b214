/**
 * Restart backoff like Kubernetes' CrashLoopBackOff: 10 s, doubling each restart, capped at 5 min, and
 * back to 10 s once the container has run 10 min since its last restart. Pure: callers pass the clock.
 */

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  /** A container that stayed up this long since its last restart starts over at `initialMs`. */
  resetAfterMs: number;
}

export const KUBERNETES_BACKOFF: BackoffPolicy = {
  initialMs: 10_000,
  maxMs: 300_000,
  resetAfterMs: 600_000,
};

export interface BackoffState {
  /** Restarts done so far in the current run of failures. */
  restarts: number;
  /** Unix ms of the last restart, when there was one. */
  lastRestartAt?: number;
}

/** The delay before restart number `restarts + 1`. */
export function backoffDelay(restarts: number, policy: BackoffPolicy = KUBERNETES_BACKOFF): number {
  // 2 ** restarts overflows nothing useful past ~30; the cap is reached long before.
  return Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(restarts, 30));
}

/** The next restart: its delay and the state after it (reset first when the container ran long enough). */
export function nextRestart(
  state: BackoffState,
  now: number,
  policy: BackoffPolicy = KUBERNETES_BACKOFF,
): { delayMs: number; attempt: number; state: BackoffState } {
  const calm = state.lastRestartAt === undefined || now - state.lastRestartAt >= policy.resetAfterMs;
  const restarts = calm ? 0 : state.restarts;
  const delayMs = backoffDelay(restarts, policy);
  return { delayMs, attempt: restarts + 1, state: { restarts: restarts + 1, lastRestartAt: now + delayMs } };
}
