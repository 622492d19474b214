/**
 * The engine feed: turns what the engine says about a project's containers (its event stream, and per
 * container a log follow and a stats stream) into StackEvents on the bus. It observes first (a snapshot
 * by label), then follows; when the event stream ends it says so (engine.disconnected), retries with
 * backoff, observes again and says engine.reconnected. Each container's share (its runs, lines and exits,
 * in order) is a ContainerFeed; when the feed stops, it looks once more, so a run that ended as the session
 * stopped it is reported with its last lines.
 */
import { LABEL } from '../model/labels.js';
import { subscribeEvents } from '../runtime/subscribe.js';
import type { EngineEvent } from '../runtime/types.js';
import type { EventBus } from './bus.js';
import { ContainerFeed } from './container-feed.js';
import type { FeedRuntime, Identity, LogOrigin } from './feed-types.js';

export type { FeedRuntime } from './feed-types.js';

export interface EngineFeedOptions {
  runtime: FeedRuntime;
  project: string;
  bus: EventBus;
  signal: AbortSignal;
  /** Follow container logs (default true). */
  logs?: boolean;
  /** Follow resource usage (default true). */
  stats?: boolean;
  /** History lines to show for containers already running when the feed starts (default 0). */
  initialTail?: number;
  /**
   * Instead of a tail: show lines from this Unix time in seconds (`up` passes when it began), and report
   * the runs of containers that ended since then before the feed looked (their lines, then their exit).
   */
  initialSince?: number;
  /** First and longest wait between reconnection attempts (default 500 ms and 10 s). */
  backoff?: { initialMs?: number; maxMs?: number };
  /**
   * How often to compare the engine's list with what the events said (default 5 s): the same difference
   * twice in a row means the event stream went quiet without ending (seen with Engine 20.10 under heavy
   * load); it is opened again from the last event handled, and the engine sends what it kept since.
   */
  checkMs?: number;
  now?: () => number;
}

export interface EngineFeed {
  /** Resolves once the engine holds the event subscription and the first look was taken (or failed, or the feed stopped). */
  ready: Promise<void>;
  /** Resolves once the feed stopped (its signal aborted) and every follow ended. */
  done: Promise<void>;
}

/** Starts feeding the bus; stops when `signal` aborts. */
export function startEngineFeed(options: EngineFeedOptions): EngineFeed {
  const feed = new Feed(options);
  const done = feed.run();
  return { ready: Promise.race([feed.ready, done]), done };
}

/** Reads tsstack's labels; undefined for one-off and unlabelled containers (not part of the view). */
export function identityOf(labels: Record<string, string>, name: string): Identity | undefined {
  const service = labels[LABEL.service];
  const replica = Number(labels[LABEL.replica] ?? '1');
  const oneoff = labels[LABEL.oneoff];
  if (!service || (oneoff !== undefined && oneoff !== 'false' && oneoff !== 'False')) return undefined;
  return {
    service,
    replica: Number.isInteger(replica) && replica > 0 ? replica : 1,
    name: name.replace(/^\//, ''),
  };
}

class Feed {
  private readonly o: Required<Omit<EngineFeedOptions, 'backoff' | 'initialSince'>> & {
    initialSince?: number;
    initialMs: number;
    maxMs: number;
  };
  private readonly containers = new Map<string, ContainerFeed>();
  /** Per replica, the tail of its queue of steps (see ContainerFeed). */
  private readonly queues = new Map<string, Promise<void>>();
  /** The last events handled (id, action, time), to skip those a subscription opened `since` repeats. */
  private readonly handled = new Set<string>();
  private lastEventMs: number | undefined;
  private looked = () => {};
  readonly ready = new Promise<void>((resolve) => (this.looked = resolve));

  constructor(options: EngineFeedOptions) {
    this.o = {
      logs: true,
      stats: true,
      initialTail: 0,
      now: Date.now,
      checkMs: 5000,
      ...options,
      initialMs: options.backoff?.initialMs ?? 500,
      maxMs: options.backoff?.maxMs ?? 10_000,
    };
  }

  async run(): Promise<void> {
    const { signal, bus } = this.o;
    let delay = this.o.initialMs;
    let downSince: number | undefined;
    // After a stall: open the stream again from a moment before the last event handled.
    let replayFrom: number | undefined;
    while (!signal.aborted) {
      const attempt = new AbortController();
      const stop = () => attempt.abort();
      signal.addEventListener('abort', stop, { once: true });
      try {
        // Subscribe, and observe only once the engine holds the subscription: a container started while
        // both requests were under way was neither listed nor reported (its first log lines never shown).
        const { iter, first, ready } = subscribeEvents(
          this.o.runtime,
          { [LABEL.project]: this.o.project },
          attempt.signal,
          replayFrom,
        );
        await ready;
        // The engine sends again what the quiet stream did not: nothing to guess from a listing.
        if (replayFrom === undefined) await this.observe(downSince);
        replayFrom = undefined;
        this.looked();
        if (downSince !== undefined)
          bus.emit({ kind: 'engine.reconnected', downMs: this.o.now() - downSince });
        downSince = undefined;
        delay = this.o.initialMs;
        let stalled = false;
        const checking = this.watchStall(attempt.signal, () => {
          stalled = true;
          attempt.abort();
        });
        try {
          // Not awaited: one container's work (a log read before its exit) never holds up another's events.
          for (let r = await first; !r.done; r = await iter.next())
            if (this.fresh(r.value)) this.onEngineEvent(r.value);
        } finally {
          attempt.abort();
          await checking;
        }
        if (signal.aborted) break;
        if (stalled) {
          // Events of different objects can be published a little out of time order: a second more.
          if (this.lastEventMs !== undefined) replayFrom = (this.lastEventMs - 1000) / 1000;
          continue;
        }
        throw new Error('the engine closed the event stream');
      } catch (err) {
        // Ready all the same: what waits for the first look goes on (and meets the engine's error itself).
        this.looked();
        if (signal.aborted) break;
        downSince ??= this.o.now();
        const message = err instanceof Error ? err.message : String(err);
        bus.emit({ kind: 'engine.disconnected', error: message, retryInMs: delay });
        await sleep(delay, signal);
        delay = Math.min(delay * 2, this.o.maxMs);
      } finally {
        signal.removeEventListener('abort', stop);
        attempt.abort();
      }
    }
    await this.finish();
  }

  /** Lists the project's containers and reports each as it is now (`downSince`: after a disconnection). */
  private async observe(downSince: number | undefined): Promise<void> {
    const listed = await this.o.runtime.listContainers({ [LABEL.project]: this.o.project }, { all: true });
    // The engine's list has no start time; uptime needs it, so ask for running containers that lack it.
    const list = await Promise.all(
      listed.map(async (c) =>
        c.state === 'running' && !c.startedAt ? ((await this.o.runtime.inspectContainer(c.id)) ?? c) : c,
      ),
    );
    const since = downSince !== undefined ? downSince / 1000 : this.o.initialSince;
    const origin: LogOrigin = since === undefined ? { tail: this.o.initialTail } : { since };
    const seen = new Set<string>();
    for (const c of list) {
      const who = identityOf(c.labels, c.name);
      if (!who) continue;
      seen.add(c.id);
      this.containerFor(c.id, who, origin).observe(c, since);
    }
    // Removed while we were not looking.
    for (const [id, feed] of [...this.containers]) {
      if (seen.has(id)) continue;
      feed.removed();
      this.containers.delete(id);
    }
  }

  /**
   * Until `signal` aborts: every `checkMs`, lists the project's containers and calls `stalled` when the list
   * and the events disagree twice in a row on the same container (one the events never mentioned, one
   * running that they left stopped or the other way round, one gone that they did not remove). Once only
   * would be an event still on its way.
   */
  private async watchStall(signal: AbortSignal, stalled: () => void): Promise<void> {
    let before = new Set<string>();
    while (await sleep(this.o.checkMs, signal)) {
      const listed = await this.o.runtime
        .listContainers({ [LABEL.project]: this.o.project }, { all: true })
        .catch(() => undefined);
      if (!listed || signal.aborted) continue;
      const now = new Set<string>();
      const ids = new Set<string>();
      for (const c of listed) {
        if (!identityOf(c.labels, c.name)) continue;
        ids.add(c.id);
        const up = c.state === 'running' || c.state === 'paused';
        if (this.containers.get(c.id)?.running !== up) now.add(`${c.id} ${c.state}`);
      }
      for (const id of this.containers.keys()) if (!ids.has(id)) now.add(`${id} gone`);
      if ([...now].some((k) => before.has(k))) return stalled();
      before = now;
    }
  }

  /** False for an event handled already; remembers the last 1024. */
  private fresh(e: EngineEvent): boolean {
    const key = `${e.id} ${e.action} ${e.time}`;
    if (this.handled.has(key)) return false;
    this.handled.add(key);
    if (this.handled.size > 1024) this.handled.delete(this.handled.values().next().value as string);
    this.lastEventMs = Math.max(this.lastEventMs ?? e.time, e.time);
    return true;
  }

  private onEngineEvent(e: EngineEvent): void {
    if (e.type !== 'container') return;
    const known = this.containers.get(e.id);
    const who = identityOf(e.attributes, e.attributes.name ?? e.id) ?? known?.who;
    if (!who) return;
    // A container first met through an event is new: all of its log is.
    const feed = known ?? this.containerFor(e.id, who, {});
    feed.onEvent(e);
    if (e.action === 'destroy') this.containers.delete(e.id);
  }

  private containerFor(id: string, who: Identity, origin: LogOrigin): ContainerFeed {
    let feed = this.containers.get(id);
    if (!feed) {
      const key = `${who.service}\0${who.replica}`;
      feed = new ContainerFeed(
        {
          runtime: this.o.runtime,
          bus: this.o.bus,
          logs: this.o.logs,
          stats: this.o.stats,
          enqueue: (step) => this.enqueue(key, step),
        },
        id,
        who,
        origin,
      );
      this.containers.set(id, feed);
    }
    return feed;
  }

  private enqueue(key: string, step: () => Promise<void>): void {
    const next = (this.queues.get(key) ?? Promise.resolve()).then(step).catch(() => {
      // An engine call of a step failed: the container is gone or the engine is away (reported elsewhere).
    });
    this.queues.set(key, next);
    void next.then(() => {
      if (this.queues.get(key) === next) this.queues.delete(key);
    });
  }

  /**
   * Stops following, and looks once more at each container seen running: one the session stopped a moment
   * ago may not have sent its die event yet; its run is reported ended, with its last lines. Resolves once
   * everything queued ran.
   */
  private async finish(): Promise<void> {
    for (const feed of this.containers.values()) {
      feed.stopFollowing();
      if (feed.running) feed.settle();
    }
    while (this.queues.size > 0) await Promise.allSettled([...this.queues.values()]);
    await Promise.allSettled([...this.containers.values()].map((f) => f.settled()));
  }
}

/** Waits `ms`; false when `signal` aborted first (or before). */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const timer = setTimeout(() => done(true), ms);
    function done(slept: boolean): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', aborted);
      resolve(slept);
    }
    function aborted(): void {
      done(false);
    }
    signal.addEventListener('abort', aborted, { once: true });
  });
}
