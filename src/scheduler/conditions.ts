/**
 * Dependency conditions on the engine's live state: `service_healthy` (every replica's health check
 * passes) and `service_completed_successfully` (every replica exited 0). Event-driven: one engine event
 * stream per watcher feeds every waiter; the current state is read once when a wait begins, so nothing
 * polls. A health check that never passes fails when the engine reports `unhealthy`, or at a bound.
 */
import { LABEL } from '../model/labels.js';
import type { ContainerSummary, EngineEvent, Runtime } from '../runtime/types.js';
import { subscribeEvents } from '../runtime/subscribe.js';
import type { DependencyCondition } from '../spec/types.js';

/** Why a condition cannot hold; the message names the dependency. */
export class ConditionError extends Error {}

type Listener = (e: EngineEvent) => void;

/** Default bound for a health wait when the health check's own timings are unknown. */
export const DEFAULT_HEALTH_BOUND_MS = 5 * 60_000;

/** Longest a health check can take to report healthy, from its settings (Docker's defaults filled in). */
export function healthBoundMs(h: {
  interval?: number;
  timeout?: number;
  retries?: number;
  startPeriod?: number;
}): number {
  const interval = h.interval ?? 30_000;
  const timeout = h.timeout ?? 30_000;
  const retries = h.retries ?? 3;
  return (h.startPeriod ?? 0) + (interval + timeout) * (retries + 1) + 5_000;
}

export interface ConditionWatcherOptions {
  /** Bound of a health wait per service (ms); default DEFAULT_HEALTH_BOUND_MS. */
  healthBound?: (service: string) => number | undefined;
}

/** Watches one project's containers and resolves condition waits from engine events. */
export class ConditionWatcher {
  private readonly listeners = new Set<Listener>();
  private readonly stop = new AbortController();
  private started = false;
  /** Settles once the engine holds the event subscription (or the stream ended or failed). */
  private subscribed: Promise<void> = Promise.resolve();
  private streamError: Error | undefined;

  constructor(
    private readonly runtime: Runtime,
    private readonly project: string,
    private readonly options: ConditionWatcherOptions = {},
  ) {}

  /** Opens the event stream (call before the dependencies start, so no transition is missed). */
  start(): void {
    if (this.started) return;
    this.started = true;
    const { iter, first, ready } = subscribeEvents(
      this.runtime,
      { [LABEL.project]: this.project },
      this.stop.signal,
    );
    this.subscribed = ready.catch(() => undefined);
    void (async () => {
      try {
        for (let r = await first; !r.done; r = await iter.next())
          if (r.value.type === 'container') for (const l of [...this.listeners]) l(r.value);
      } catch (err) {
        if (this.stop.signal.aborted) return;
        this.streamError = err instanceof Error ? err : new Error(String(err));
        for (const l of [...this.listeners])
          l({ type: 'container', action: 'stream-error', id: '', attributes: {}, time: 0 });
      }
    })();
  }

  close(): void {
    this.stop.abort();
    this.listeners.clear();
  }

  /** Resolves once `condition` holds for every replica of `service`; rejects with a ConditionError. */
  async wait(service: string, condition: DependencyCondition, signal?: AbortSignal): Promise<void> {
    if (condition === 'service_started') return;
    await this.waitFor(
      service,
      (cs) => cs.filter((c) => c.labels[LABEL.service] === service && c.labels[LABEL.oneoff] !== 'true'),
      condition,
      false,
      signal,
    );
  }

  /**
   * Rolling updates: resolves once the named container is healthy, or running when it has no health
   * check; rejects when it turns unhealthy, exits, or misses its service's health bound.
   */
  async waitContainer(name: string, signal?: AbortSignal): Promise<void> {
    let service = name;
    await this.waitFor(
      name,
      (cs) => {
        const mine = cs.filter((c) => c.name === name);
        service = mine[0]?.labels[LABEL.service] ?? name;
        return mine;
      },
      'service_healthy',
      true,
      signal,
      () => service,
    );
  }

  private async waitFor(
    what: string,
    select: (all: ContainerSummary[]) => ContainerSummary[],
    condition: DependencyCondition,
    runningIsEnough: boolean,
    signal?: AbortSignal,
    serviceOf: () => string = () => what,
  ): Promise<void> {
    this.start();
    const events: EngineEvent[] = [];
    let wake: (() => void) | undefined;
    const listener: Listener = (e) => {
      events.push(e);
      wake?.();
    };
    this.listeners.add(listener);
    let timer: ReturnType<typeof setTimeout> | undefined;
    let timedOut = false;
    const onAbort = (): void => wake?.();
    signal?.addEventListener('abort', onAbort);
    try {
      // Registered first (here and at the engine), then read: a transition between the two shows up as
      // an event.
      await this.subscribed;
      const all = await this.runtime.listContainers({ [LABEL.project]: this.project }, { all: true });
      // The list comes from the engine's cached view, which can lag behind an exit it already announced;
      // inspect reads each container's live state.
      const containers = (
        await Promise.all(select(all).map((c) => this.runtime.inspectContainer(c.id)))
      ).filter((c): c is ContainerSummary => c !== undefined);
      if (containers.length === 0) throw new ConditionError(`dependency ${what} has no container`);
      const bound = this.options.healthBound?.(serviceOf()) ?? DEFAULT_HEALTH_BOUND_MS;
      const pending = new Map<string, ContainerSummary>(containers.map((c) => [c.id, c]));
      if (condition === 'service_healthy')
        timer = setTimeout(() => {
          timedOut = true;
          wake?.();
        }, bound);
      for (;;) {
        for (const c of pending.values()) {
          const v = verdict(serviceOf(), condition, c, runningIsEnough);
          if (v === 'ok') pending.delete(c.id);
          else if (v !== 'wait') throw new ConditionError(v);
        }
        if (pending.size === 0) return;
        if (signal?.aborted) throw signal.reason ?? new Error('aborted');
        if (this.streamError)
          throw new ConditionError(
            `lost the engine's events while waiting for ${what}: ${this.streamError.message}`,
          );
        if (timedOut)
          throw new ConditionError(
            `dependency ${what} did not become healthy within ${Math.round(bound / 1000)}s`,
          );
        const e = events.shift();
        if (!e) {
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
          continue;
        }
        const c = pending.get(e.id);
        if (c) applyEvent(c, e);
      }
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      this.listeners.delete(listener);
    }
  }
}

/** Folds one engine event into a container's summary. */
function applyEvent(c: ContainerSummary, e: EngineEvent): void {
  if (e.action === 'start' || e.action === 'restart') {
    c.state = 'running';
    c.exitCode = undefined;
  } else if (e.action === 'die') {
    c.state = 'exited';
    c.health = undefined;
    c.exitCode = Number(e.attributes.exitCode ?? 0);
  } else if (e.action === 'destroy') c.state = 'removing';
  else if (e.action.startsWith('health_status:')) {
    const h = e.action.slice('health_status:'.length).trim();
    if (h === 'healthy' || h === 'unhealthy' || h === 'starting') c.health = h;
  }
}

/** 'ok', 'wait', or the message of why the condition can no longer hold. */
function verdict(
  service: string,
  condition: DependencyCondition,
  c: ContainerSummary,
  runningIsEnough = false,
): string {
  const who = `dependency ${service} (${c.name})`;
  if (c.state === 'removing' || c.state === 'dead') return `${who} was removed`;
  if (condition === 'service_completed_successfully') {
    if (c.state !== 'exited') return 'wait';
    return c.exitCode === 0 ? 'ok' : `${who} exited with code ${c.exitCode ?? 'unknown'}`;
  }
  if (c.state === 'exited')
    return `${who} exited with code ${c.exitCode ?? 'unknown'} before becoming healthy`;
  if (c.state !== 'running' && c.state !== 'restarting') return 'wait';
  if (c.health === 'healthy') return 'ok';
  if (c.health === 'unhealthy') return `${who} is unhealthy`;
  if (c.health === undefined && c.state === 'running' && runningIsEnough) return 'ok';
  if (c.health === undefined && c.state === 'running')
    return `${who} has no health check, so condition service_healthy can never hold`;
  return 'wait';
}
