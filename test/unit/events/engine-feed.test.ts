import { describe, expect, it } from 'vitest';
import { EventBus } from '../../../src/events/bus.js';
import { startEngineFeed, type FeedRuntime } from '../../../src/events/engine-feed.js';
import type { StackEvent } from '../../../src/events/types.js';
import type {
  ContainerStats,
  ContainerSummary,
  EngineEvent,
  LogLine,
  LogOptions,
} from '../../../src/runtime/types.js';

/** An async stream the test pushes into; ends on end(), fails on fail(), stops when its signal aborts. */
class Channel<T> implements AsyncIterable<T> {
  private readonly queue: T[] = [];
  private wake: (() => void) | undefined;
  private ended = false;
  private error: Error | undefined;
  constructor(readonly signal?: AbortSignal) {
    signal?.addEventListener('abort', () => this.end());
  }
  push(v: T): void {
    this.queue.push(v);
    this.wake?.();
  }
  end(): void {
    this.ended = true;
    this.wake?.();
  }
  fail(err: Error): void {
    this.error = err;
    this.wake?.();
  }
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    while (true) {
      const v = this.queue.shift();
      if (v !== undefined) {
        yield v;
        continue;
      }
      if (this.error) throw this.error;
      if (this.ended) return;
      await new Promise<void>((r) => (this.wake = r));
    }
  }
}

class StubRuntime implements FeedRuntime {
  containers: ContainerSummary[] = [];
  listFailures = 0;
  eventStreams: Channel<EngineEvent>[] = [];
  /** Whether events() reports the subscription taken at once; else the test calls pendingSubscriptions. */
  subscribeAtOnce = true;
  pendingSubscriptions: (() => void)[] = [];
  listCalls = 0;
  logFollows: { id: string; opts: LogOptions; ch: Channel<LogLine> }[] = [];
  statsFollows: { id: string; ch: Channel<ContainerStats> }[] = [];

  async listContainers(): Promise<ContainerSummary[]> {
    this.listCalls++;
    if (this.listFailures > 0) {
      this.listFailures--;
      throw new Error('connect ENOENT /var/run/docker.sock');
    }
    return this.containers.map((c) => ({ ...c }));
  }
  async inspectContainer(id: string): Promise<ContainerSummary | undefined> {
    return this.containers.find((c) => c.id === id);
  }
  events(_filter: unknown, signal: AbortSignal, onSubscribed?: () => void): AsyncIterable<EngineEvent> {
    const ch = new Channel<EngineEvent>(signal);
    this.eventStreams.push(ch);
    if (this.subscribeAtOnce) onSubscribed?.();
    else this.pendingSubscriptions.push(() => onSubscribed?.());
    return ch;
  }
  logs(id: string, opts: LogOptions, signal?: AbortSignal): AsyncIterable<LogLine> {
    const ch = new Channel<LogLine>(signal);
    this.logFollows.push({ id, opts, ch });
    return ch;
  }
  stats(id: string, signal: AbortSignal): AsyncIterable<ContainerStats> {
    const ch = new Channel<ContainerStats>(signal);
    this.statsFollows.push({ id, ch });
    return ch;
  }
  get events_(): Channel<EngineEvent> {
    return this.eventStreams.at(-1)!;
  }
}

const labels = (service: string, replica: number, extra: Record<string, string> = {}) => ({
  'io.tsstack.project': 'p',
  'io.tsstack.service': service,
  'io.tsstack.replica': String(replica),
  ...extra,
});

function container(id: string, service: string, replica: number, over: Partial<ContainerSummary> = {}) {
  return {
    id,
    name: `p-${service}-${replica}`,
    image: 'img',
    labels: labels(service, replica),
    state: 'running',
    ports: [],
    networks: [],
    ...over,
  } as ContainerSummary;
}

function engineEvent(
  id: string,
  action: string,
  service: string,
  replica: number,
  extra: Record<string, string> = {},
) {
  return {
    type: 'container',
    action,
    id,
    attributes: { name: `p-${service}-${replica}`, ...labels(service, replica), ...extra },
    time: Date.UTC(2026, 0, 1, 0, 0, 10),
  } as EngineEvent;
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 2));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function setup(rt: StubRuntime, extra: { initialTail?: number; initialSince?: number } = {}) {
  const bus = new EventBus();
  const seen: StackEvent[] = [];
  bus.subscribe((e) => seen.push(e));
  const abort = new AbortController();
  const feed = startEngineFeed({
    runtime: rt,
    project: 'p',
    bus,
    signal: abort.signal,
    backoff: { initialMs: 5, maxMs: 20 },
    now: () => 1_000_000,
    ...extra,
  });
  const kinds = (k: StackEvent['kind']) => seen.filter((e) => e.kind === k);
  return { bus, seen, abort, feed, kinds };
}

describe('engine feed', () => {
  it('reports what already runs: state, health, ports, and follows logs and stats of running containers', async () => {
    const rt = new StubRuntime();
    rt.containers = [
      container('a', 'web', 1, {
        startedAt: '2026-01-01T00:00:00.000Z',
        restartCount: 2,
        health: 'healthy',
        ports: [
          { target: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 8080 },
          { target: 443, protocol: 'tcp' },
        ],
      }),
      container('b', 'job', 1, { state: 'exited', exitCode: 3 }),
      container('c', 'web', 1, { labels: labels('web', 1, { 'io.tsstack.oneoff': 'True' }) }),
    ];
    const { seen, abort, feed } = setup(rt, { initialTail: 20 });
    await until(() => rt.statsFollows.length === 1, 'stats follow');
    expect(seen).toEqual([
      {
        kind: 'container.state',
        service: 'web',
        replica: 1,
        container: 'p-web-1',
        phase: 'running',
        startedAt: Date.UTC(2026, 0, 1),
        restartCount: 2,
      },
      { kind: 'container.health', service: 'web', replica: 1, container: 'p-web-1', health: 'healthy' },
      {
        kind: 'container.ports',
        service: 'web',
        replica: 1,
        ports: [{ hostIp: '127.0.0.1', hostPort: 8080, target: 80, protocol: 'tcp' }],
      },
      {
        kind: 'container.state',
        service: 'job',
        replica: 1,
        container: 'p-job-1',
        phase: 'exited',
        exitCode: 3,
      },
    ]);
    expect(rt.logFollows.map((f) => [f.id, f.opts])).toEqual([
      ['a', { follow: true, timestamps: true, tail: 20 }],
    ]);
    expect(rt.statsFollows.map((f) => f.id)).toEqual(['a']);

    rt.logFollows[0]!.ch.push({ stream: 'stderr', message: 'hello', time: '2026-01-01T00:00:01.5Z' });
    rt.statsFollows[0]!.ch.push({ cpuPercent: 12, memoryUsage: 100, memoryLimit: 1000, time: 0 });
    await until(() => seen.length === 6, 'log and stats');
    expect(seen.slice(4)).toEqual([
      {
        kind: 'log',
        service: 'web',
        replica: 1,
        stream: 'stderr',
        message: 'hello',
        time: Date.UTC(2026, 0, 1, 0, 0, 1, 500),
      },
      {
        kind: 'container.stats',
        service: 'web',
        replica: 1,
        cpuPercent: 12,
        memoryUsage: 100,
        memoryLimit: 1000,
      },
    ]);

    abort.abort();
    await feed.done;
    expect(rt.logFollows.every((f) => f.ch.signal!.aborted)).toBe(true);
    expect(rt.statsFollows.every((f) => f.ch.signal!.aborted)).toBe(true);
  });

  it('with initialSince, reads the lines of containers that already exited (a one-shot `up` ran) once', async () => {
    const rt = new StubRuntime();
    rt.containers = [container('done', 'job', 1, { state: 'exited', exitCode: 0 })];
    const { abort, feed, kinds } = setup(rt, { initialSince: 1000 });
    await until(() => rt.logFollows.length === 1, 'the log read');
    expect(rt.logFollows[0]).toMatchObject({ id: 'done', opts: { since: 1000 } });
    expect(rt.statsFollows).toEqual([]);
    rt.logFollows[0]!.ch.push({
      stream: 'stdout',
      message: 'job output',
      time: '2026-01-01T00:00:01.000000000Z',
    });
    rt.logFollows[0]!.ch.end();
    await until(() => kinds('log').length === 1, 'the line');
    expect(kinds('log')[0]).toMatchObject({ service: 'job', replica: 1, message: 'job output' });
    abort.abort();
    await feed.done;
  });

  it('without initialSince (the live UI on a running stack), exited containers are not read', async () => {
    const rt = new StubRuntime();
    rt.containers = [container('done', 'job', 1, { state: 'exited', exitCode: 0 })];
    const { seen, abort, feed } = setup(rt);
    await until(() => seen.length > 0, 'the snapshot');
    expect(rt.logFollows).toEqual([]);
    abort.abort();
    await feed.done;
  });

  it('asks the engine for the start time of running containers the list gives without one', async () => {
    const rt = new StubRuntime();
    rt.containers = [container('a', 'web', 1)];
    rt.inspectContainer = async (id) =>
      id === 'a' ? container('a', 'web', 1, { startedAt: '2026-01-01T00:00:05.000Z' }) : undefined;
    const { seen, abort, feed } = setup(rt);
    await until(() => seen.length > 0, 'the snapshot');
    expect(seen[0]).toMatchObject({
      kind: 'container.state',
      phase: 'running',
      startedAt: Date.UTC(2026, 0, 1, 0, 0, 5),
    });
    abort.abort();
    await feed.done;
  });

  it('follows containers as they are created, start, turn healthy, die and are removed', async () => {
    const rt = new StubRuntime();
    const { seen, abort, feed, kinds } = setup(rt);
    await until(
      () => rt.eventStreams.length === 1 && rt.listCalls === 1,
      'event subscription and observation',
    );
    const ev = rt.events_;

    ev.push(engineEvent('x', 'create', 'api', 2));
    rt.containers.push(
      container('x', 'api', 2, { startedAt: '2026-01-01T00:00:10.000Z', health: 'starting' }),
    );
    ev.push(engineEvent('x', 'start', 'api', 2));
    await until(() => rt.logFollows.length === 1, 'log follow');
    expect(rt.logFollows[0]!.opts).toEqual({
      follow: true,
      timestamps: true,
      since: Date.UTC(2026, 0, 1, 0, 0, 10) / 1000,
    });
    ev.push(engineEvent('x', 'health_status: healthy', 'api', 2));
    ev.push(engineEvent('x', 'die', 'api', 2, { exitCode: '137' }));
    await until(() => kinds('container.state').length === 3, 'die');
    expect(rt.statsFollows[0]!.ch.signal!.aborted).toBe(true);
    expect(rt.logFollows[0]!.ch.signal!.aborted).toBe(false);
    ev.push(engineEvent('x', 'destroy', 'api', 2));
    await until(() => kinds('container.state').length === 4, 'destroy');
    expect(rt.logFollows[0]!.ch.signal!.aborted).toBe(true);

    const c = { service: 'api', replica: 2, container: 'p-api-2' };
    expect(seen.filter((e) => e.kind === 'container.state' || e.kind === 'container.health')).toEqual([
      { kind: 'container.state', ...c, phase: 'created' },
      { kind: 'container.state', ...c, phase: 'running', startedAt: Date.UTC(2026, 0, 1, 0, 0, 10) },
      { kind: 'container.health', ...c, health: 'starting' },
      { kind: 'container.health', ...c, health: 'healthy' },
      { kind: 'container.state', ...c, phase: 'exited', exitCode: 137 },
      { kind: 'container.state', ...c, phase: 'removed' },
    ]);
    abort.abort();
    await feed.done;
  });

  it('ignores containers without a service label and other object types', async () => {
    const rt = new StubRuntime();
    const { seen, abort, feed } = setup(rt);
    await until(() => rt.eventStreams.length === 1, 'event subscription');
    rt.events_.push({ type: 'container', action: 'start', id: 'z', attributes: { name: 'other' }, time: 0 });
    rt.events_.push({ type: 'network', action: 'create', id: 'n', attributes: labels('web', 1), time: 0 });
    rt.events_.push(engineEvent('y', 'create', 'web', 1));
    await until(() => seen.length === 1, 'the one event');
    expect(seen[0]).toMatchObject({ kind: 'container.state', service: 'web', phase: 'created' });
    abort.abort();
    await feed.done;
  });

  it('reconnects with backoff when the event stream ends, re-observes, and repeats no log line', async () => {
    const rt = new StubRuntime();
    rt.containers = [container('a', 'web', 1), container('b', 'db', 1)];
    const { seen, abort, feed, kinds } = setup(rt);
    await until(() => rt.logFollows.length === 2, 'log follows');
    const line = (message: string, time: string): LogLine => ({ stream: 'stdout', message, time });
    rt.logFollows[0]!.ch.push(line('one', '2026-01-01T00:00:01.1Z'));
    rt.logFollows[0]!.ch.push(line('two', '2026-01-01T00:00:01.200000000Z'));
    await until(() => kinds('log').length === 2, 'two lines');

    // The engine goes away: the stream ends, and the first two observations fail.
    rt.listFailures = 2;
    rt.containers = [container('a', 'web', 1)];
    rt.events_.end();
    for (const f of rt.logFollows) f.ch.end();
    await until(() => kinds('engine.reconnected').length === 1, 'reconnection');
    expect(kinds('engine.disconnected').map((e) => (e as { retryInMs: number }).retryInMs)).toEqual([
      5, 10, 20,
    ]);
    expect(kinds('engine.disconnected')[1]).toMatchObject({ error: 'connect ENOENT /var/run/docker.sock' });
    expect(seen).toContainEqual({
      kind: 'container.state',
      service: 'db',
      replica: 1,
      container: 'p-db-1',
      phase: 'removed',
    });

    // The re-follow starts from when the engine went away; lines seen before are not repeated.
    await until(() => rt.logFollows.length === 3, 're-follow');
    expect(rt.logFollows[2]!.opts).toEqual({ follow: true, timestamps: true, since: 1000 });
    rt.logFollows[2]!.ch.push(line('two', '2026-01-01T00:00:01.2Z'));
    rt.logFollows[2]!.ch.push(line('three', '2026-01-01T00:00:01.3Z'));
    await until(() => kinds('log').length === 3, 'third line');
    expect(kinds('log').map((e) => (e as { message: string }).message)).toEqual(['one', 'two', 'three']);

    abort.abort();
    await feed.done;
  });

  it('lists the containers only once the engine holds the event subscription (nothing can slip between)', async () => {
    const rt = new StubRuntime();
    rt.subscribeAtOnce = false;
    rt.containers = [container('a', 'web', 1)];
    const { abort, feed, kinds } = setup(rt);
    await until(() => rt.eventStreams.length === 1, 'the subscription request');
    await new Promise((r) => setTimeout(r, 20));
    expect(rt.listCalls).toBe(0);
    rt.pendingSubscriptions[0]!();
    await until(() => kinds('container.state').length === 1, 'the observation');
    expect(rt.listCalls).toBe(1);
    abort.abort();
    await feed.done;
  });
});
