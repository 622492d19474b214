import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EventBus } from '../../../src/events/bus.js';
import {
  appendLog,
  emptyLogBuffer,
  logLines,
  logWindow,
  type LogEntry,
} from '../../../src/events/log-buffer.js';
import { createStore, ViewStore } from '../../../src/events/store.js';
import { serviceRow } from '../../../src/events/summary.js';
import type { StackEvent } from '../../../src/events/types.js';
import { initialViewState, reduce, type ViewState } from '../../../src/events/view-model.js';

function fold(events: StackEvent[], now = 1_000, state: ViewState = initialViewState()): ViewState {
  return events.reduce((s, e) => reduce(s, e, now), state);
}

type StateEvent = Extract<StackEvent, { kind: 'container.state' }>;
const state = (service: string, replica: number, phase: StateEvent['phase']) =>
  ({ kind: 'container.state', service, replica, container: `p-${service}-${replica}`, phase }) as const;

function row(s: ViewState, name: string, now = 1_000) {
  const svc = s.services[name];
  if (!svc) throw new Error(`no service ${name}`);
  return serviceRow(svc, now);
}

describe('reduce', () => {
  it('shows ready/desired and health as replicas start and pass their checks', () => {
    let s = fold([
      { kind: 'stack.loaded', project: 'p', services: ['web', 'db'], files: [], replicas: { web: 2, db: 1 } },
    ]);
    expect(s.order).toEqual(['web', 'db']);
    expect(row(s, 'web')).toMatchObject({ ready: 0, desired: 2, state: 'waiting' });

    s = fold([state('web', 1, 'created'), state('web', 2, 'created')], 1_000, s);
    expect(row(s, 'web')).toMatchObject({ ready: 0, state: 'created' });

    s = fold(
      [
        state('web', 1, 'running'),
        { kind: 'container.health', service: 'web', replica: 1, container: 'p-web-1', health: 'starting' },
      ],
      1_000,
      s,
    );
    expect(row(s, 'web')).toMatchObject({ ready: 0, state: 'starting', health: 'starting' });

    s = fold(
      [
        state('web', 2, 'running'),
        { kind: 'container.health', service: 'web', replica: 1, container: 'p-web-1', health: 'healthy' },
        { kind: 'container.health', service: 'web', replica: 2, container: 'p-web-2', health: 'healthy' },
      ],
      1_000,
      s,
    );
    expect(row(s, 'web', 61_000)).toMatchObject({
      ready: 2,
      desired: 2,
      state: 'healthy',
      health: 'healthy',
      uptimeMs: 60_000,
    });

    s = fold(
      [{ kind: 'container.health', service: 'web', replica: 2, container: 'p-web-2', health: 'unhealthy' }],
      1_000,
      s,
    );
    expect(row(s, 'web')).toMatchObject({ ready: 1, state: 'unhealthy', health: '1/2 unhealthy' });
  });

  it('counts down a backed-off restart, then counts the restart', () => {
    let s = fold([state('api', 1, 'running')], 0);
    s = fold([{ ...state('api', 1, 'exited'), exitCode: 3 }], 5_000, s);
    expect(row(s, 'api', 5_000)).toMatchObject({ state: 'exited (3)', tone: 'bad', lastExitCode: 3 });

    s = reduce(
      s,
      {
        kind: 'container.restarting',
        service: 'api',
        replica: 1,
        container: 'p-api-1',
        attempt: 1,
        backoffMs: 10_000,
        reason: 'exited with code 3',
        lastExitCode: 3,
      },
      6_000,
    );
    expect(row(s, 'api', 6_000).state).toBe('restarting in 10s');
    expect(row(s, 'api', 9_500).state).toBe('restarting in 7s');
    expect(row(s, 'api', 16_500).state).toBe('restarting');
    expect(row(s, 'api', 9_500)).toMatchObject({ restarts: 1, lastExitCode: 3 });

    s = reduce(s, state('api', 1, 'running'), 16_000);
    expect(row(s, 'api', 20_000)).toMatchObject({
      state: 'running',
      restarts: 1,
      uptimeMs: 4_000,
      lastExitCode: 3,
    });
  });

  it('takes the engine restart count and start time when the event carries them', () => {
    const s = fold([{ ...state('w', 1, 'running'), startedAt: 100, restartCount: 4 }], 5_000);
    expect(row(s, 'w', 10_100)).toMatchObject({ restarts: 4, uptimeMs: 10_000 });
  });

  it('sums stats over running replicas and lists published ports', () => {
    const s = fold([
      state('web', 1, 'running'),
      state('web', 2, 'running'),
      {
        kind: 'container.stats',
        service: 'web',
        replica: 1,
        cpuPercent: 12.5,
        memoryUsage: 1000,
        memoryLimit: 1e9,
      },
      {
        kind: 'container.stats',
        service: 'web',
        replica: 2,
        cpuPercent: 2.5,
        memoryUsage: 24,
        memoryLimit: 1e9,
      },
      {
        kind: 'container.ports',
        service: 'web',
        replica: 1,
        ports: [{ hostIp: '127.0.0.1', hostPort: 8080, target: 80, protocol: 'tcp' }],
      },
    ]);
    expect(row(s, 'web')).toMatchObject({
      cpuPercent: 15,
      memoryUsage: 1024,
      ports: '127.0.0.1:8080->80/tcp',
    });
  });

  it('drops removed replicas but ignores the old container of a replica being replaced', () => {
    let s = fold([state('web', 1, 'running'), state('web', 2, 'running')]);
    // Recreate replica 1: the new container starts, then the old one reports its stop and removal.
    s = fold(
      [
        { kind: 'container.state', service: 'web', replica: 1, container: 'new', phase: 'running' },
        {
          kind: 'container.state',
          service: 'web',
          replica: 1,
          container: 'p-web-1',
          phase: 'exited',
          exitCode: 0,
        },
        { kind: 'container.state', service: 'web', replica: 1, container: 'p-web-1', phase: 'removed' },
      ],
      1_000,
      s,
    );
    expect(s.services.web!.replicas.map((r) => [r.replica, r.container, r.phase])).toEqual([
      [1, 'new', 'running'],
      [2, 'p-web-2', 'running'],
    ]);
    s = fold([state('web', 2, 'removed')], 1_000, s);
    expect(row(s, 'web')).toMatchObject({ ready: 1, desired: 1 });
  });

  it('shows build and pull progress until the image is done', () => {
    let s = fold([
      { kind: 'image.progress', service: 'app', action: 'build', message: 'Step 2/4', current: 2, total: 4 },
    ]);
    expect(row(s, 'app')).toMatchObject({ state: 'building', progress: '50% Step 2/4' });
    s = fold([{ kind: 'image.done', service: 'app', action: 'build', image: 'x', ms: 5 }], 1_000, s);
    expect(row(s, 'app').progress).toBeUndefined();
  });

  it('returns the same state when an event changes nothing', () => {
    const s = fold([state('web', 1, 'running')]);
    const same = reduce(
      s,
      {
        kind: 'container.stats',
        service: 'ghost',
        replica: 1,
        cpuPercent: 1,
        memoryUsage: 1,
        memoryLimit: 1,
      },
      1_000,
    );
    expect(same).toBe(s);
    expect(reduce(s, { kind: 'engine.reconnected', downMs: 1 }, 1_000)).toBe(s);
  });

  it('keeps logs bounded per service and overall, cutting long lines', () => {
    let s = initialViewState({ serviceLogLines: 50, allLogLines: 80, maxMessageLength: 10 });
    const before = s;
    for (let i = 0; i < 10_000; i++) {
      s = reduce(
        s,
        {
          kind: 'log',
          service: i % 2 ? 'a' : 'b',
          replica: 1,
          stream: 'stdout',
          message: `line ${i}`,
          time: i,
        },
        i,
      );
    }
    s = reduce(
      s,
      { kind: 'log', service: 'a', replica: 1, stream: 'stderr', message: 'x'.repeat(100), time: 1 },
      1,
    );
    expect(s.logs.size).toBeGreaterThanOrEqual(80);
    expect(s.logs.size).toBeLessThanOrEqual(80 + 10);
    expect(s.serviceLogs.a!.size).toBeLessThanOrEqual(50 + 7);
    const all = logLines(s.logs);
    expect(all.at(-2)!.message).toBe('line 9999');
    expect(all.at(-1)!.message).toBe(`${'x'.repeat(10)}…`);
    expect(logLines(s.serviceLogs.b!).every((e) => e.service === 'b')).toBe(true);
    expect(before.logs.size).toBe(0);
    expect(s.order).toEqual(['b', 'a']);
  });

  it('tracks the engine connection and keeps the last notices', () => {
    let s = fold([{ kind: 'engine.disconnected', error: 'socket hang up', retryInMs: 500 }], 1_000);
    expect(s.engine).toEqual({ connected: false, error: 'socket hang up', retryAt: 1_500 });
    s = fold([{ kind: 'engine.reconnected', downMs: 700 }], 2_000, s);
    expect(s.engine.connected).toBe(true);
    for (let i = 0; i < 30; i++) s = reduce(s, { kind: 'warning', message: `w${i}` }, i);
    expect(s.notices).toHaveLength(20);
    expect(s.notices.at(-1)!.message).toBe('w29');
  });
});

describe('log buffer', () => {
  const entry = (seq: number): LogEntry => ({
    seq,
    service: 's',
    replica: 1,
    stream: 'stdout',
    message: String(seq),
    time: seq,
  });

  it('never changes what an older buffer shows, whatever is appended to it or its descendants', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.nat({ max: 1000 }), { minLength: 1, maxLength: 300 }),
        (capacity, picks) => {
          // Each step appends to a randomly chosen earlier buffer (branching), then checks every buffer.
          const buffers = [emptyLogBuffer(capacity)];
          const expected: number[][] = [[]];
          picks.forEach((pick, i) => {
            const from = pick % buffers.length;
            buffers.push(appendLog(buffers[from]!, entry(i)));
            const lines = [...expected[from]!, i];
            expected.push(lines);
          });
          buffers.forEach((b, k) => {
            const shown = logLines(b).map((e) => e.seq);
            const want = expected[k]!;
            expect(shown).toEqual(want.slice(want.length - shown.length));
            expect(shown.length).toBeGreaterThanOrEqual(Math.min(capacity, want.length));
            expect(shown.length).toBeLessThanOrEqual(capacity + b.chunkSize);
          });
        },
      ),
    );
  });

  it('windows the newest lines, skipping for scrollback and filtering', () => {
    let b = emptyLogBuffer(100);
    for (let i = 0; i < 30; i++) b = appendLog(b, entry(i));
    expect(logWindow(b, 3).map((e) => e.seq)).toEqual([27, 28, 29]);
    expect(logWindow(b, 3, 5).map((e) => e.seq)).toEqual([22, 23, 24]);
    expect(logWindow(b, 2, 1, (e) => e.seq % 10 === 0).map((e) => e.seq)).toEqual([0, 10]);
  });
});

describe('ViewStore', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('coalesces a burst of events into one notification and stays quiet when nothing changes', () => {
    const bus = new EventBus();
    const { store, detach } = createStore(bus, { maxRateHz: 10, now: () => Date.now() });
    const seen: ViewState[] = [];
    store.subscribe((s) => seen.push(s));

    for (let i = 0; i < 1000; i++) {
      bus.emit({ kind: 'log', service: 'web', replica: 1, stream: 'stdout', message: `m${i}`, time: i });
    }
    expect(seen).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.logSeq).toBe(1000);

    // A steady stream for one second yields at most ~10 notifications.
    for (let t = 0; t < 100; t++) {
      bus.emit({ kind: 'log', service: 'web', replica: 1, stream: 'stdout', message: `t${t}`, time: t });
      vi.advanceTimersByTime(10);
    }
    expect(seen.length - 1).toBeGreaterThanOrEqual(9);
    expect(seen.length - 1).toBeLessThanOrEqual(11);
    expect(store.getState().logSeq).toBe(1100);

    // Events that change nothing schedule nothing.
    vi.advanceTimersByTime(1000);
    const count = seen.length;
    bus.emit({ kind: 'plan.computed', operations: 0, text: '' });
    bus.emit({
      kind: 'container.stats',
      service: 'x',
      replica: 1,
      cpuPercent: 1,
      memoryUsage: 1,
      memoryLimit: 1,
    });
    vi.advanceTimersByTime(5000);
    expect(seen).toHaveLength(count);
    expect(vi.getTimerCount()).toBe(0);

    detach();
    bus.emit({ kind: 'warning', message: 'after detach' });
    expect(store.getState().notices).toHaveLength(0);
  });

  it('flush notifies a pending change at once', () => {
    const store = new ViewStore();
    const seen: number[] = [];
    store.subscribe((s) => seen.push(s.notices.length));
    store.dispatch({ kind: 'warning', message: 'w' });
    store.flush();
    expect(seen).toEqual([1]);
    store.flush();
    expect(seen).toEqual([1]);
    store.dispose();
  });
});
