/**
 * The engine feed: turns what the engine says about a project's containers (its event stream, and per
 * container a log follow and a stats stream) into StackEvents on the bus. It observes first (a snapshot
 * by label), then follows; when the event stream ends it says so (engine.disconnected), retries with
 * backoff, observes again and says engine.reconnected. Log and stats follows come and go with containers.
 */
import { LABEL } from '../model/labels.js';
import { subscribeEvents } from '../runtime/subscribe.js';
import type { ContainerSummary, EngineEvent, Runtime } from '../runtime/types.js';
import type { EventBus } from './bus.js';
import type { ServicePhase } from './types.js';

export type FeedRuntime = Pick<Runtime, 'events' | 'listContainers' | 'inspectContainer' | 'logs' | 'stats'>;

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
  /** Instead of a tail: show their lines from this Unix time in seconds (`up` passes when it began). */
  initialSince?: number;
  /** First and longest wait between reconnection attempts (default 500 ms and 10 s). */
  backoff?: { initialMs?: number; maxMs?: number };
  now?: () => number;
}

export interface EngineFeed {
  /** Resolves once the feed stopped (its signal aborted) and every follow ended. */
  done: Promise<void>;
}

interface Identity {
  service: string;
  replica: number;
  name: string;
}

interface Follow {
  abort: AbortController;
}

/** Starts feeding the bus; stops when `signal` aborts. */
export function startEngineFeed(options: EngineFeedOptions): EngineFeed {
  const feed = new Feed(options);
  return { done: feed.run() };
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

/** The engine's container state as a phase of the view. */
export function phaseOf(state: ContainerSummary['state']): ServicePhase {
  switch (state) {
    case 'created':
      return 'created';
    case 'running':
    case 'paused':
      return 'running';
    case 'restarting':
      return 'restarting';
    case 'removing':
      return 'stopping';
    case 'exited':
    case 'dead':
      return 'exited';
  }
}

/** Sortable key of an engine timestamp ("...:05.1Z" and "...:05.100000000Z" are the same instant). */
function timeKey(iso: string): string {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(iso);
  return m ? `${m[1]}.${(m[2] ?? '').padEnd(9, '0')}` : iso;
}

class Feed {
  private readonly o: Required<Omit<EngineFeedOptions, 'backoff' | 'initialSince'>> & {
    initialSince?: number;
    initialMs: number;
    maxMs: number;
  };
  private readonly known = new Map<string, Identity>();
  private readonly follows = new Map<string, Follow>();
  private readonly statsFollows = new Map<string, Follow>();
  /** Last log timestamp seen per container, so a re-follow (restart, reconnect) repeats nothing. */
  private readonly lastLog = new Map<string, string>();
  private readonly tasks = new Set<Promise<void>>();

  constructor(options: EngineFeedOptions) {
    this.o = {
      logs: true,
      stats: true,
      initialTail: 0,
      now: Date.now,
      ...options,
      initialMs: options.backoff?.initialMs ?? 500,
      maxMs: options.backoff?.maxMs ?? 10_000,
    };
  }

  async run(): Promise<void> {
    const { signal, bus } = this.o;
    let delay = this.o.initialMs;
    let downSince: number | undefined;
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
        );
        await ready;
        await this.observe(downSince);
        if (downSince !== undefined)
          bus.emit({ kind: 'engine.reconnected', downMs: this.o.now() - downSince });
        downSince = undefined;
        delay = this.o.initialMs;
        for (let r = await first; !r.done; r = await iter.next()) await this.onEngineEvent(r.value);
        if (signal.aborted) break;
        throw new Error('the engine closed the event stream');
      } catch (err) {
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
    for (const id of [...this.follows.keys()]) this.unfollow(id);
    for (const id of [...this.statsFollows.keys()]) this.unfollowStats(id);
    await Promise.allSettled([...this.tasks]);
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
    const seen = new Set<string>();
    for (const c of list) {
      const who = identityOf(c.labels, c.name);
      if (!who) continue;
      seen.add(c.id);
      this.known.set(c.id, who);
      this.report(c, who);
      if (c.state === 'running') {
        const since = downSince !== undefined ? Math.floor(downSince / 1000) : this.o.initialSince;
        this.follow(c.id, who, since === undefined ? { tail: this.o.initialTail } : { since });
      } else if (
        downSince === undefined &&
        this.o.initialSince !== undefined &&
        this.o.logs &&
        (c.state === 'exited' || c.state === 'dead')
      ) {
        // Started and already done before the feed attached (a one-shot `up` ran): its lines since then,
        // as Compose prints them. The read ends with the log; an old container has nothing that recent.
        const abort = new AbortController();
        this.follows.set(c.id, { abort });
        this.track(this.pipeLogs(c.id, who, { since: this.o.initialSince }, abort.signal));
      }
    }
    // Removed while we were not looking.
    for (const [id, who] of [...this.known]) {
      if (seen.has(id)) continue;
      this.forget(id);
      this.o.bus.emit({ kind: 'container.state', ...ids(who), phase: 'removed' });
    }
  }

  /** Emits state, health and ports of a container as the engine describes it. */
  private report(c: ContainerSummary, who: Identity): void {
    const { bus } = this.o;
    const startedAt = c.startedAt ? Date.parse(c.startedAt) : NaN;
    bus.emit({
      kind: 'container.state',
      ...ids(who),
      phase: phaseOf(c.state),
      ...(c.state === 'exited' || c.state === 'dead' ? { exitCode: c.exitCode } : {}),
      ...(c.state === 'running' && Number.isFinite(startedAt) ? { startedAt } : {}),
      ...(c.restartCount !== undefined ? { restartCount: c.restartCount } : {}),
    });
    if (c.state === 'running' && c.health)
      bus.emit({ kind: 'container.health', ...ids(who), health: c.health });
    const ports = c.ports.flatMap((p) =>
      p.hostPort === undefined
        ? []
        : [{ hostIp: p.hostIp, hostPort: p.hostPort, target: p.target, protocol: p.protocol }],
    );
    if (ports.length > 0)
      bus.emit({ kind: 'container.ports', service: who.service, replica: who.replica, ports });
  }

  private async onEngineEvent(e: EngineEvent): Promise<void> {
    if (e.type !== 'container') return;
    const who = identityOf(e.attributes, e.attributes.name ?? e.id) ?? this.known.get(e.id);
    if (!who) return;
    this.known.set(e.id, who);
    const { bus } = this.o;
    const action = e.action;
    if (action === 'create') {
      bus.emit({ kind: 'container.state', ...ids(who), phase: 'created' });
    } else if (action === 'start') {
      const c = await this.o.runtime.inspectContainer(e.id).catch(() => undefined);
      if (c && c.state === 'running') this.report(c, who);
      else bus.emit({ kind: 'container.state', ...ids(who), phase: 'running', startedAt: e.time });
      this.follow(e.id, who, { since: Math.floor(e.time / 1000) });
    } else if (action === 'die') {
      const code = Number(e.attributes.exitCode);
      this.unfollowStats(e.id);
      bus.emit({
        kind: 'container.state',
        ...ids(who),
        phase: 'exited',
        ...(Number.isFinite(code) ? { exitCode: code } : {}),
      });
    } else if (action === 'destroy') {
      this.forget(e.id);
      bus.emit({ kind: 'container.state', ...ids(who), phase: 'removed' });
    } else if (action.startsWith('health_status')) {
      const health = action.slice(action.indexOf(':') + 1).trim();
      if (health === 'healthy' || health === 'unhealthy' || health === 'starting')
        bus.emit({ kind: 'container.health', ...ids(who), health });
    } else if (action === 'oom') {
      bus.emit({ kind: 'warning', service: who.service, message: `${who.name} ran out of memory` });
    }
  }

  private follow(id: string, who: Identity, from: { since?: number; tail?: number }): void {
    if (this.o.logs) {
      this.unfollow(id);
      const abort = new AbortController();
      this.follows.set(id, { abort });
      this.track(this.pipeLogs(id, who, from, abort.signal));
    }
    if (this.o.stats && !this.statsFollows.has(id)) {
      const abort = new AbortController();
      this.statsFollows.set(id, { abort });
      this.track(this.pipeStats(id, who, abort.signal));
    }
  }

  private track(task: Promise<void>): void {
    this.tasks.add(task);
    void task.finally(() => this.tasks.delete(task));
  }

  private unfollow(id: string): void {
    this.follows.get(id)?.abort.abort();
    this.follows.delete(id);
  }

  private unfollowStats(id: string): void {
    this.statsFollows.get(id)?.abort.abort();
    this.statsFollows.delete(id);
  }

  private forget(id: string): void {
    this.unfollow(id);
    this.unfollowStats(id);
    this.known.delete(id);
    this.lastLog.delete(id);
  }

  private async pipeLogs(
    id: string,
    who: Identity,
    from: { since?: number; tail?: number },
    signal: AbortSignal,
  ): Promise<void> {
    const { bus } = this.o;
    try {
      const lines = this.o.runtime.logs(id, { follow: true, timestamps: true, ...from }, signal);
      for await (const line of lines) {
        if (signal.aborted) break;
        let time = this.o.now();
        if (line.time) {
          const key = timeKey(line.time);
          const last = this.lastLog.get(id);
          if (last !== undefined && key <= last) continue;
          this.lastLog.set(id, key);
          const parsed = Date.parse(line.time);
          if (Number.isFinite(parsed)) time = parsed;
        }
        bus.emit({
          kind: 'log',
          service: who.service,
          replica: who.replica,
          stream: line.stream,
          message: line.message,
          time,
        });
      }
    } catch {
      // The container went away mid-follow; its removal arrives as an engine event.
    } finally {
      if (this.follows.get(id)?.abort.signal === signal) this.follows.delete(id);
    }
  }

  private async pipeStats(id: string, who: Identity, signal: AbortSignal): Promise<void> {
    try {
      for await (const s of this.o.runtime.stats(id, signal)) {
        if (signal.aborted) break;
        this.o.bus.emit({
          kind: 'container.stats',
          service: who.service,
          replica: who.replica,
          cpuPercent: s.cpuPercent,
          memoryUsage: s.memoryUsage,
          memoryLimit: s.memoryLimit,
        });
      }
    } catch {
      // Stats end with the container.
    } finally {
      if (this.statsFollows.get(id)?.abort.signal === signal) this.statsFollows.delete(id);
    }
  }
}

function ids(who: Identity): { service: string; replica: number; container: string } {
  return { service: who.service, replica: who.replica, container: who.name };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
