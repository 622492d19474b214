import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EventBus } from '../../../src/events/bus.js';
import type { StackEvent } from '../../../src/events/types.js';
import { EngineError } from '../../../src/core/errors.js';
import { applyPlan, throwIfFailed } from '../../../src/scheduler/apply.js';
import { planDown, planRestart } from '../../../src/reconciler/lifecycle.js';
import { observe } from '../../../src/reconciler/observe.js';
import { FakeRuntime } from '../../../src/runtime/fake.js';
import { planFor, up } from '../helpers/converge.js';
import { dep, makeStack } from '../helpers/stack-factory.js';

const IMAGE = 'tsstack-test/busybox:latest';
const stack = makeStack('demo', {
  db: {},
  web: { depends_on: { db: dep() } },
  worker: { depends_on: { db: dep() } },
  other: {},
});

describe('applyPlan', () => {
  let fake: FakeRuntime;
  beforeEach(() => {
    fake = new FakeRuntime();
    fake.addImage(IMAGE);
  });

  it('creates and starts everything, emitting operation and container events', async () => {
    const bus = new EventBus();
    const events: StackEvent[] = [];
    bus.subscribe((e) => events.push(e));
    const plan = await planFor(fake, stack);
    const result = await applyPlan(fake, plan, { bus, concurrency: 4 });
    expect(result.failed).toEqual([]);
    expect(result.done).toHaveLength(plan.operations.length);
    const running = await fake.listContainers({ 'io.tsstack.project': 'demo' });
    expect(running.map((c) => c.name).sort()).toEqual([
      'demo-db-1',
      'demo-other-1',
      'demo-web-1',
      'demo-worker-1',
    ]);
    const kinds = events.map((e) => e.kind);
    expect(kinds.filter((k) => k === 'operation.started')).toHaveLength(plan.operations.length);
    expect(kinds.filter((k) => k === 'operation.done')).toHaveLength(plan.operations.length);
    expect(events).toContainEqual({
      kind: 'container.state',
      service: 'web',
      replica: 1,
      container: 'demo-web-1',
      phase: 'running',
      exitCode: undefined,
    });
  });

  it('starts a dependency before its dependents in the engine', async () => {
    await up(fake, stack);
    const starts = fake.calls.filter((c) => c.method === 'startContainer').map((c) => c.args[0]);
    expect(starts.indexOf('demo-db-1')).toBeLessThan(starts.indexOf('demo-web-1'));
    expect(starts.indexOf('demo-db-1')).toBeLessThan(starts.indexOf('demo-worker-1'));
  });

  it('stops the dependents of a failed create, runs independent work, and names the service and the engine words', async () => {
    fake.failNext('createContainer', 'Conflict: something the engine said');
    const bus = new EventBus();
    const failed: StackEvent[] = [];
    bus.subscribe((e) => e.kind === 'operation.failed' && failed.push(e));
    const plan = await planFor(fake, stack);
    const result = await applyPlan(fake, plan, { bus, concurrency: 1 });
    // The first create in plan order is db's: web and worker wait for it, other does not.
    expect(result.failed.map((f) => f.operation.id)).toEqual(['container.create:demo-db-1']);
    expect(result.skipped.map((o) => o.target).sort()).toEqual([
      'demo-db-1',
      'demo-web-1',
      'demo-web-1',
      'demo-worker-1',
      'demo-worker-1',
    ]);
    expect(await fake.inspectContainer('demo-other-1')).toMatchObject({ state: 'running' });
    expect(await fake.inspectContainer('demo-web-1')).toBeUndefined();
    expect(failed).toHaveLength(1);
    expect(() => throwIfFailed(result)).toThrow(EngineError);
    expect(() => throwIfFailed(result)).toThrow(
      /service db: create container demo-db-1 failed: Conflict: something the engine said\n5 dependent operations were not run/,
    );
  });

  it('recovers on the next run after an engine error mid-apply', async () => {
    fake.failNext('startContainer', 'engine went away', 2);
    const first = await up(fake, stack);
    expect(first.result.failed).toHaveLength(1);
    const second = await up(fake, stack);
    expect(second.result.failed).toEqual([]);
    expect(second.plan.operations.length).toBeGreaterThan(0);
    expect((await planFor(fake, stack)).operations).toEqual([]);
  });

  it('keeps at most `concurrency` engine calls in flight', async () => {
    const big = makeStack('big', Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`s${i}`, {}])));
    let inFlight = 0;
    let peak = 0;
    const original = fake.createContainer.bind(fake);
    fake.createContainer = async (spec) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 2));
      inFlight--;
      return original(spec);
    };
    const plan = await planFor(fake, big);
    const result = await applyPlan(fake, plan, { concurrency: 3 });
    expect(result.failed).toEqual([]);
    expect(peak).toBe(3);
  });
});

describe('applyPlan: stops wait outside the engine-work cap', () => {
  const GRACE_MS = 10_000;
  let fake: FakeRuntime;
  /** Container name → [start, end] of its stop, in fake-clock ms. */
  let stops: Map<string, [number, number?]>;
  const names = new Map<string, string>();
  beforeEach(async () => {
    fake = new FakeRuntime();
    fake.addImage(IMAGE);
    // 12 services whose main process ignores SIGTERM, plus web → db to check the order.
    const services: Record<string, object> = Object.fromEntries(
      Array.from({ length: 12 }, (_, i) => [`s${i}`, {}]),
    );
    await up(fake, makeStack('grace', { ...services, db: {}, web: { depends_on: { db: dep() } } }));
    for (const c of await fake.listContainers({ 'io.tsstack.project': 'grace' }, { all: true }))
      names.set(c.id, c.name);
    stops = new Map();
    // Each stop sits out its whole grace period, as the engine does before it kills.
    const original = fake.stopContainer.bind(fake);
    fake.stopContainer = async (id, t) => {
      const name = names.get(id) ?? id;
      stops.set(name, [Date.now()]);
      await new Promise((r) => setTimeout(r, GRACE_MS));
      (stops.get(name) as [number, number?])[1] = Date.now();
      return original(id, t);
    };
    vi.useFakeTimers({ now: 0, toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('down of 14 services at concurrency 4 takes two grace periods (web, then db), not 14/4', async () => {
    const plan = planDown(await observe(fake, 'grace'));
    const done = applyPlan(fake, plan, { concurrency: 4 });
    await vi.advanceTimersByTimeAsync(GRACE_MS);
    // After one grace period every stop without a dependent has ended, all of them side by side.
    const first = [...stops].filter(([n]) => n !== 'grace-db-1');
    expect(first).toHaveLength(13);
    for (const [, [start, end]] of first) expect([start, end]).toEqual([0, GRACE_MS]);
    // db is stopped only after web, its dependent, is stopped.
    expect(stops.get('grace-db-1')).toEqual([GRACE_MS]);
    await vi.advanceTimersByTimeAsync(GRACE_MS);
    const result = await done;
    expect(result.failed).toEqual([]);
    expect(stops.get('grace-db-1')).toEqual([GRACE_MS, 2 * GRACE_MS]);
    expect(await fake.listContainers({ 'io.tsstack.project': 'grace' }, { all: true })).toEqual([]);
  });

  it('the stop lane has its own bound (waitConcurrency)', async () => {
    const plan = planDown(await observe(fake, 'grace'));
    const done = applyPlan(fake, plan, { concurrency: 4, waitConcurrency: 5 });
    await vi.advanceTimersByTimeAsync(0);
    expect(stops.size).toBe(5);
    await vi.advanceTimersByTimeAsync(10 * GRACE_MS);
    expect((await done).failed).toEqual([]);
  });

  it('restart (a stop, then a start) runs in the same lane', async () => {
    const restarted: number[] = [];
    fake.restartContainer = async () => {
      restarted.push(Date.now());
      await new Promise((r) => setTimeout(r, GRACE_MS));
    };
    const plan = planRestart(await observe(fake, 'grace'), {
      services: ['s0', 's1', 's2', 's3', 's4', 's5'],
    });
    const done = applyPlan(fake, plan, { concurrency: 2 });
    await vi.advanceTimersByTimeAsync(0);
    expect(restarted).toEqual([0, 0, 0, 0, 0, 0]);
    await vi.advanceTimersByTimeAsync(GRACE_MS);
    expect((await done).failed).toEqual([]);
  });
});
