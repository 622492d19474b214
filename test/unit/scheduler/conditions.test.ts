import { beforeEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../../src/events/bus.js';
import type { StackEvent } from '../../../src/events/types.js';
import { applyPlan, throwIfFailed } from '../../../src/scheduler/apply.js';
import { FakeRuntime, simulateCommands } from '../../../src/runtime/fake.js';
import { ConditionWatcher } from '../../../src/scheduler/conditions.js';
import type { Stack } from '../../../src/spec/types.js';
import { planFor } from '../helpers/converge.js';
import { dep, makeStack, type ServiceInput } from '../helpers/stack-factory.js';

const IMAGE = 'tsstack-test/busybox:latest';
const HC = { test: ['CMD', 'probe'], interval: 10, timeout: 10, retries: 1, disable: false };

function demo(services: Record<string, ServiceInput>): Stack {
  return makeStack('demo', services);
}

/** Resolves when `pred` holds after some fake call (checked on each macrotask). */
async function until(pred: () => boolean | Promise<boolean>, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 1));
  }
}

const startedNames = (fake: FakeRuntime): string[] =>
  fake.calls.filter((c) => c.method === 'startContainer').map((c) => String(c.args[0]));

describe('depends_on conditions in apply', () => {
  let fake: FakeRuntime;
  let events: StackEvent[];
  let bus: EventBus;
  beforeEach(() => {
    fake = new FakeRuntime();
    fake.addImage(IMAGE);
    events = [];
    bus = new EventBus();
    bus.subscribe((e) => events.push(e));
  });

  /** A running db container with a health check that has not reported yet. */
  const startDb = async () => {
    await fake.createContainer({
      name: 'demo-db-1',
      image: IMAGE,
      labels: { 'io.tsstack.project': 'demo', 'io.tsstack.service': 'db' },
      env: [],
      exposedPorts: [],
      ports: [],
      mounts: [],
      networks: [],
      healthcheck: { test: ['CMD', 'probe'] },
    });
    await fake.startContainer('demo-db-1');
  };

  const apply = async (stack: Stack, concurrency = 4) =>
    applyPlan(fake, await planFor(fake, stack), { bus, concurrency, project: stack.name });

  it('service_healthy: the dependent starts only once the engine reports the dependency healthy', async () => {
    const stack = demo({ db: { healthcheck: HC }, web: { depends_on: { db: dep('service_healthy') } } });
    const running = apply(stack);
    await until(async () => (await fake.inspectContainer('demo-db-1'))?.health === 'starting');
    await new Promise((r) => setTimeout(r, 20));
    expect(startedNames(fake)).toEqual(['demo-db-1']);
    fake.setHealth('demo-db-1', 'healthy');
    const result = await running;
    expect(result.failed).toEqual([]);
    expect(startedNames(fake)).toEqual(['demo-db-1', 'demo-web-1']);
  });

  it('service_healthy: a dependency that turns unhealthy fails the dependent, naming the dependency', async () => {
    const stack = demo({ db: { healthcheck: HC }, web: { depends_on: { db: dep('service_healthy') } } });
    fake.simulate = () => ({ health: 'unhealthy' });
    const result = await apply(stack);
    expect(result.failed.map((f) => f.operation.target)).toEqual(['demo-web-1']);
    expect(result.failed[0]?.error).toBe('dependency db (demo-db-1) is unhealthy');
    expect(startedNames(fake)).toEqual(['demo-db-1']);
    expect(() => throwIfFailed(result)).toThrow(/service web: .*dependency db \(demo-db-1\) is unhealthy/);
  });

  it('service_healthy: a health check that never reports fails at the bound with the service name', async () => {
    await startDb();
    const watcher = new ConditionWatcher(fake, 'demo', { healthBound: () => 30 });
    await expect(watcher.wait('db', 'service_healthy')).rejects.toThrow(
      'dependency db did not become healthy within 0s',
    );
    watcher.close();
  });

  it('reads the containers only once the engine holds the event subscription', async () => {
    await startDb();
    // The engine takes the subscription late: a health change before then would be neither read nor heard.
    let take = () => {};
    const late = Object.create(fake) as FakeRuntime;
    late.events = (filter, signal, onSubscribed) => {
      take = () => onSubscribed?.();
      return fake.events(filter, signal);
    };
    const watcher = new ConditionWatcher(late, 'demo');
    const lists = () => fake.calls.filter((c) => c.method === 'listContainers').length;
    const before = lists();
    const waiting = watcher.wait('db', 'service_healthy');
    await new Promise((r) => setTimeout(r, 20));
    expect(lists()).toBe(before);
    fake.setHealth('demo-db-1', 'healthy');
    take();
    await waiting;
    expect(lists()).toBe(before + 1);
    watcher.close();
  });

  it('service_healthy on a dependency without a health check fails instead of waiting forever', async () => {
    const stack = demo({ db: {}, web: { depends_on: { db: dep('service_healthy') } } });
    const result = await apply(stack);
    expect(result.failed[0]?.error).toMatch(/dependency db \(demo-db-1\) has no health check/);
  });

  it('service_completed_successfully: exit 0 lets the dependent start, after the exit', async () => {
    fake.simulate = simulateCommands;
    const stack = demo({
      migrate: { command: ['true'] },
      web: { depends_on: { migrate: dep('service_completed_successfully') } },
    });
    const result = await apply(stack);
    expect(result.failed).toEqual([]);
    const order = fake.calls.filter((c) => c.method === 'startContainer').map((c) => String(c.args[0]));
    expect(order).toEqual(['demo-migrate-1', 'demo-web-1']);
    expect((await fake.inspectContainer('demo-migrate-1'))?.state).toBe('exited');
  });

  it('service_completed_successfully: a non-zero exit stops the dependents with the dependency and its code', async () => {
    fake.simulate = simulateCommands;
    const stack = demo({
      migrate: { command: ['sh', '-c', 'exit 3'] },
      web: { depends_on: { migrate: dep('service_completed_successfully') } },
      worker: { depends_on: { web: dep() } },
      cache: {},
    });
    const result = await apply(stack);
    expect(result.failed.map((f) => [f.operation.target, f.error])).toEqual([
      ['demo-web-1', 'dependency migrate (demo-migrate-1) exited with code 3'],
    ]);
    expect(result.skipped.map((o) => `${o.kind} ${o.target}`)).toEqual([
      'container.create demo-worker-1',
      'container.start demo-worker-1',
    ]);
    expect(startedNames(fake).sort()).toEqual(['demo-cache-1', 'demo-migrate-1']);
  });

  it('required: false — a dependency that fails to start only warns, the dependent starts', async () => {
    fake.failNext('startContainer', 'driver failed programming external connectivity');
    const stack = demo({
      db: {},
      web: { depends_on: { db: { condition: 'service_started', required: false, restart: false } } },
    });
    const result = await apply(stack);
    expect(result.failed.map((f) => f.operation.target)).toEqual(['demo-db-1']);
    expect(result.skipped).toEqual([]);
    expect((await fake.inspectContainer('demo-web-1'))?.state).toBe('running');
    expect(events.some((e) => e.kind === 'warning' && /optional dependency db/.test(e.message))).toBe(true);
  });

  it('required: false with service_healthy — an unhealthy dependency only warns', async () => {
    fake.simulate = (spec) => (spec.name === 'demo-db-1' ? { health: 'unhealthy' } : undefined);
    const stack = demo({
      db: { healthcheck: HC },
      web: { depends_on: { db: { condition: 'service_healthy', required: false, restart: false } } },
    });
    const result = await apply(stack);
    expect(result.failed).toEqual([]);
    expect(startedNames(fake)).toEqual(['demo-db-1', 'demo-web-1']);
    expect(
      events.some(
        (e) => e.kind === 'warning' && e.message.includes('dependency db (demo-db-1) is unhealthy'),
      ),
    ).toBe(true);
  });

  it('an engine error mid-apply stops only what waits for the failed operation', async () => {
    fake.failNext('createContainer', 'no space left on device', 2);
    const stack = demo({
      a: {},
      b: { depends_on: { a: dep() } },
      c: {},
      d: { depends_on: { c: dep() } },
    });
    const result = await apply(stack, 1);
    const failedTarget = result.failed.map((f) => f.operation.target);
    expect(failedTarget).toHaveLength(1);
    expect(result.failed[0]?.error).toBe('no space left on device');
    const running = (await fake.listContainers({})).map((c) => c.name).sort();
    expect(running.length).toBe(2);
    expect(result.skipped.length).toBeGreaterThan(0);
  });

  it('a health wait holds no concurrency slot: independent services start meanwhile', async () => {
    const stack = demo({
      db: { healthcheck: HC },
      web: { depends_on: { db: dep('service_healthy') } },
      x1: {},
      x2: {},
      x3: {},
    });
    const running = apply(stack, 1);
    await until(() => startedNames(fake).length === 4);
    expect(startedNames(fake)).not.toContain('demo-web-1');
    fake.setHealth('demo-db-1', 'healthy');
    expect((await running).failed).toEqual([]);
    expect(startedNames(fake)).toContain('demo-web-1');
  });

  it('an already healthy dependency does not delay a dependent being (re)started', async () => {
    const stack = demo({ db: { healthcheck: HC }, web: { depends_on: { db: dep('service_healthy') } } });
    fake.simulate = () => ({ health: 'healthy' });
    expect((await apply(stack)).failed).toEqual([]);
    fake.simulate = undefined;
    fake.exitContainer('demo-web-1', 1);
    fake.clearCalls();
    expect((await apply(stack)).failed).toEqual([]);
    expect(startedNames(fake)).toEqual([fake.calls.find((c) => c.method === 'startContainer')?.args[0]]);
    expect((await fake.inspectContainer('demo-web-1'))?.state).toBe('running');
  });
});
