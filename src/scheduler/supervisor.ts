/**
 * The unhealthy-restart supervisor, active while tsstack runs attached or headless: a container the
 * engine reports `unhealthy` that stays unhealthy through its backoff delay is restarted, with
 * Kubernetes-style exponential backoff per container (src/scheduler/backoff.ts). Each scheduled restart
 * is a `container.restarting` event (attempt, backoff, last exit code) the UI and headless output show.
 *
 * On for services with `restart: always|unless-stopped` unless `x-tsstack.restart_on_unhealthy: false`;
 * any other service can opt in with `restart_on_unhealthy: true`. The engine itself never restarts an
 * unhealthy container, which is the gap this fills.
 */
import type { EventBus } from '../events/bus.js';
import type { StackEvent } from '../events/types.js';
import type { Runtime } from '../runtime/types.js';
import type { ServiceSpec, Stack } from '../spec/types.js';
import { KUBERNETES_BACKOFF, nextRestart, type BackoffPolicy, type BackoffState } from './backoff.js';

const TRUE = /^(1|t|true|y|yes|on)$/i;
const FALSE = /^(0|f|false|n|no|off)$/i;

/** Whether tsstack restarts this service's unhealthy containers. */
export function restartsOnUnhealthy(s: ServiceSpec): boolean {
  const ext = s.extensions['x-tsstack'] as { restart_on_unhealthy?: unknown } | undefined;
  const v = ext?.restart_on_unhealthy;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && TRUE.test(v)) return true;
  if (typeof v === 'string' && FALSE.test(v)) return false;
  return s.restart === 'always' || s.restart === 'unless-stopped';
}

export interface SupervisorOptions {
  runtime: Runtime;
  bus: EventBus;
  /** The stack, or a getter for the current one (after a reload). */
  stack: Stack | (() => Stack);
  policy?: BackoffPolicy;
  /** Clock and timers (tests pass fakes). */
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (t: unknown) => void;
}

interface Tracked {
  service: string;
  replica: number;
  backoff: BackoffState;
  health?: 'starting' | 'healthy' | 'unhealthy';
  lastExitCode?: number;
  timer?: unknown;
}

/** Starts supervising; returns a function that stops it (pending restarts are cancelled). */
export function startSupervisor(o: SupervisorOptions): () => void {
  const now = o.now ?? Date.now;
  const setTimer = o.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = o.clearTimer ?? ((t) => clearTimeout(t as ReturnType<typeof setTimeout>));
  const policy = o.policy ?? KUBERNETES_BACKOFF;
  const current = (): Stack => (typeof o.stack === 'function' ? o.stack() : o.stack);
  const containers = new Map<string, Tracked>();
  const enabled = (service: string): boolean => {
    const s = current().services[service];
    return s !== undefined && restartsOnUnhealthy(s);
  };
  const track = (e: { service: string; replica: number; container: string }): Tracked => {
    let t = containers.get(e.container);
    if (!t) {
      t = { service: e.service, replica: e.replica, backoff: { restarts: 0 } };
      containers.set(e.container, t);
    }
    return t;
  };
  const cancel = (t: Tracked): void => {
    if (t.timer !== undefined) clearTimer(t.timer);
    t.timer = undefined;
  };

  const schedule = (container: string, t: Tracked): void => {
    if (t.timer !== undefined) return;
    const next = nextRestart(t.backoff, now(), policy);
    t.backoff = next.state;
    o.bus.emit({
      kind: 'container.restarting',
      service: t.service,
      replica: t.replica,
      container,
      attempt: next.attempt,
      backoffMs: next.delayMs,
      reason: 'unhealthy',
      ...(t.lastExitCode !== undefined ? { lastExitCode: t.lastExitCode } : {}),
    });
    t.timer = setTimer(() => {
      t.timer = undefined;
      // Only if it stayed unhealthy through the whole delay.
      if (t.health !== 'unhealthy' || !enabled(t.service)) return;
      t.health = 'starting';
      o.runtime.restartContainer(container).catch((err: unknown) =>
        o.bus.emit({
          kind: 'error',
          service: t.service,
          message: `restart of unhealthy ${container} failed: ${err instanceof Error ? err.message : String(err)}`,
        }),
      );
    }, next.delayMs);
  };

  const off = o.bus.subscribe((e: StackEvent) => {
    if (e.kind === 'container.health') {
      const t = track(e);
      t.health = e.health;
      if (e.health === 'unhealthy' && enabled(e.service)) schedule(e.container, t);
      else if (e.health === 'healthy') cancel(t);
    } else if (e.kind === 'container.state') {
      const t = track(e);
      if (e.exitCode !== undefined) t.lastExitCode = e.exitCode;
      if (e.phase === 'removed' || e.phase === 'stopped' || e.phase === 'stopping') {
        cancel(t);
        if (e.phase === 'removed') containers.delete(e.container);
      }
    }
  });
  return () => {
    off();
    for (const t of containers.values()) cancel(t);
  };
}
