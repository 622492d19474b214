/**
 * Whether a host process meets a `depends_on` condition (or what `up --wait` waits for), in the same words
 * as a container's: 'ok', 'wait', or why it can no longer hold. Pure.
 */
import type { ProcessCondition } from '../model/process-host.js';
import type { ProcessSummary } from '../runtime/process/types.js';

export type Verdict = 'ok' | 'wait' | { error: string };

/** The verdict for one replica of `service`. */
export function processVerdict(service: string, condition: ProcessCondition, p: ProcessSummary): Verdict {
  const who = `dependency ${service} (${p.name})`;
  const code = p.exitCode === undefined ? 'unknown' : String(p.exitCode);
  const why = p.error ? `: ${p.error}` : '';
  if (p.phase === 'stopped') return { error: `${who} was stopped` };
  if (condition === 'completed') {
    if (p.phase !== 'exited') return 'wait';
    return p.exitCode === 0 ? 'ok' : { error: `${who} exited with code ${code}${why}` };
  }
  if (p.phase === 'exited')
    return {
      error: `${who} exited with code ${code}${condition === 'healthy' ? ' before becoming healthy' : ''}${why}`,
    };
  if (p.phase !== 'running') return 'wait';
  if (condition === 'running') return 'ok';
  if (!p.supervision.healthcheck)
    return { error: `${who} has no health check, so condition service_healthy can never hold` };
  if (p.health === 'healthy') return 'ok';
  if (p.health === 'unhealthy') return { error: `${who} is unhealthy` };
  return 'wait';
}

/** The verdict for every replica of a service: the first error, else 'wait' while any waits, else 'ok'. */
export function serviceVerdict(
  service: string,
  condition: ProcessCondition,
  replicas: readonly ProcessSummary[],
): Verdict {
  if (replicas.length === 0) return { error: `dependency ${service} has no process` };
  let waiting = false;
  for (const p of replicas) {
    const v = processVerdict(service, condition, p);
    if (typeof v === 'object') return v;
    if (v === 'wait') waiting = true;
  }
  return waiting ? 'wait' : 'ok';
}

export interface VerdictWait {
  service: string;
  condition: ProcessCondition;
  /** The service's replicas now. */
  summaries: () => ProcessSummary[];
  /** Called whenever a replica changes; the wait adds itself while it waits. */
  listeners: Set<() => void>;
  /** Give up after this long (a health check that never passes). */
  boundMs?: number;
  signal?: AbortSignal;
}

/** Resolves once the verdict is 'ok', rejects with its error, re-judging at every change. */
export function waitForVerdict(w: VerdictWait): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const done = (err?: Error): void => {
      w.listeners.delete(check);
      w.signal?.removeEventListener('abort', onAbort);
      if (timer !== undefined) clearTimeout(timer);
      if (err) reject(err);
      else resolve();
    };
    const check = (): void => {
      const v = serviceVerdict(w.service, w.condition, w.summaries());
      if (v === 'ok') done();
      else if (v !== 'wait') done(new Error(v.error));
    };
    const onAbort = (): void => done((w.signal?.reason as Error) ?? new Error('aborted'));
    if (w.boundMs !== undefined) {
      const seconds = Math.round(w.boundMs / 1000);
      timer = setTimeout(
        () => done(new Error(`dependency ${w.service} did not become healthy within ${seconds}s`)),
        w.boundMs,
      );
    }
    w.signal?.addEventListener('abort', onAbort, { once: true });
    w.listeners.add(check);
    check();
  });
}
