import { beforeEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../../src/events/bus.js';
import type { StackEvent } from '../../../src/events/types.js';
import { FakeRuntime } from '../../../src/runtime/fake.js';
import { restartsOnUnhealthy, startSupervisor } from '../../../src/scheduler/supervisor.js';
import { makeService, makeStack } from '../helpers/stack-factory.js';

/** Manual clock and timers. */
function clock() {
  let now = 0;
  const timers: { at: number; fn: () => void; id: number }[] = [];
  let nextId = 1;
  return {
    now: () => now,
    setTimer: (fn: () => void, ms: number) => {
      const id = nextId++;
      timers.push({ at: now + ms, fn, id });
      return id;
    },
    clearTimer: (id: unknown) => {
      const i = timers.findIndex((t) => t.id === id);
      if (i >= 0) timers.splice(i, 1);
    },
    advance(ms: number) {
      now += ms;
      for (const t of timers.filter((x) => x.at <= now)) {
        timers.splice(timers.indexOf(t), 1);
        t.fn();
      }
    },
    pending: () => timers.length,
  };
}

describe('restartsOnUnhealthy', () => {
  it('is on for restart always|unless-stopped, off otherwise, and x-tsstack overrides both ways', () => {
    expect(restartsOnUnhealthy(makeService('a', { restart: 'always' }))).toBe(true);
    expect(restartsOnUnhealthy(makeService('a', { restart: 'unless-stopped' }))).toBe(true);
    expect(restartsOnUnhealthy(makeService('a', { restart: 'on-failure' }))).toBe(false);
    expect(restartsOnUnhealthy(makeService('a'))).toBe(false);
    const ext = (v: unknown) => ({ extensions: { 'x-tsstack': { restart_on_unhealthy: v } } });
    expect(restartsOnUnhealthy(makeService('a', { restart: 'always', ...ext(false) }))).toBe(false);
    expect(restartsOnUnhealthy(makeService('a', { restart: 'always', ...ext('no') }))).toBe(false);
    expect(restartsOnUnhealthy(makeService('a', ext(true)))).toBe(true);
  });
});

describe('unhealthy supervisor', () => {
  let fake: FakeRuntime;
  let bus: EventBus;
  let events: StackEvent[];
  const ids = { service: 'web', replica: 1, container: 'demo-web-1' };
  beforeEach(async () => {
    fake = new FakeRuntime();
    fake.addImage('img');
    await fake.createContainer({
      name: 'demo-web-1',
      image: 'img',
      labels: {},
      env: [],
      exposedPorts: [],
      ports: [],
      mounts: [],
      networks: [],
    });
    await fake.startContainer('demo-web-1');
    bus = new EventBus();
    events = [];
    bus.subscribe((e) => events.push(e));
  });
  const restarts = () => fake.calls.filter((c) => c.method === 'restartContainer').length;

  it('restarts a container that stays unhealthy, with growing backoff, as container.restarting events', () => {
    const c = clock();
    const stop = startSupervisor({
      runtime: fake,
      bus,
      stack: makeStack('demo', { web: { restart: 'always' } }),
      ...c,
    });
    bus.emit({ kind: 'container.state', ...ids, phase: 'exited', exitCode: 3 });
    bus.emit({ kind: 'container.health', ...ids, health: 'unhealthy' });
    c.advance(9_999);
    expect(restarts()).toBe(0);
    c.advance(1);
    expect(restarts()).toBe(1);
    c.advance(5_000);
    bus.emit({ kind: 'container.health', ...ids, health: 'unhealthy' });
    c.advance(19_999);
    expect(restarts()).toBe(1);
    c.advance(1);
    expect(restarts()).toBe(2);
    const r = events.filter((e) => e.kind === 'container.restarting');
    expect(r).toEqual([
      {
        kind: 'container.restarting',
        ...ids,
        attempt: 1,
        backoffMs: 10_000,
        reason: 'unhealthy',
        lastExitCode: 3,
      },
      {
        kind: 'container.restarting',
        ...ids,
        attempt: 2,
        backoffMs: 20_000,
        reason: 'unhealthy',
        lastExitCode: 3,
      },
    ]);
    stop();
  });

  it('does not restart a container that becomes healthy during the delay, nor after stop', () => {
    const c = clock();
    const stop = startSupervisor({
      runtime: fake,
      bus,
      stack: makeStack('demo', { web: { restart: 'always' } }),
      ...c,
    });
    bus.emit({ kind: 'container.health', ...ids, health: 'unhealthy' });
    c.advance(5_000);
    bus.emit({ kind: 'container.health', ...ids, health: 'healthy' });
    c.advance(60_000);
    expect(restarts()).toBe(0);
    bus.emit({ kind: 'container.health', ...ids, health: 'unhealthy' });
    stop();
    c.advance(600_000);
    expect(restarts()).toBe(0);
    expect(c.pending()).toBe(0);
  });

  it('leaves services without restart always|unless-stopped alone', () => {
    const c = clock();
    const stop = startSupervisor({
      runtime: fake,
      bus,
      stack: makeStack('demo', { web: { restart: 'no' } }),
      ...c,
    });
    bus.emit({ kind: 'container.health', ...ids, health: 'unhealthy' });
    c.advance(600_000);
    expect(restarts()).toBe(0);
    expect(events.some((e) => e.kind === 'container.restarting')).toBe(false);
    stop();
  });

  it('reports a failed restart as an error event naming the container', async () => {
    const c = clock();
    fake.failNext('restartContainer', 'cannot restart: device busy');
    const stop = startSupervisor({
      runtime: fake,
      bus,
      stack: makeStack('demo', { web: { restart: 'always' } }),
      ...c,
    });
    bus.emit({ kind: 'container.health', ...ids, health: 'unhealthy' });
    c.advance(10_000);
    await new Promise((r) => setTimeout(r, 0));
    expect(events.find((e) => e.kind === 'error')).toMatchObject({
      service: 'web',
      message: 'restart of unhealthy demo-web-1 failed: cannot restart: device busy',
    });
    stop();
  });
});
