import { beforeEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../../src/events/bus.js';
import type { StackEvent } from '../../../src/events/types.js';
import { applyPlan } from '../../../src/scheduler/apply.js';
import { renderPlan } from '../../../src/model/plan-text.js';
import { FakeRuntime } from '../../../src/runtime/fake.js';
import type { UpdateConfig } from '../../../src/spec/types.js';
import { planFor, up } from '../helpers/converge.js';
import { makeStack } from '../helpers/stack-factory.js';

const IMAGE = 'tsstack-test/busybox:latest';
const HC = { test: ['CMD', 'probe'], interval: 10, timeout: 10, retries: 1, disable: false };

function web(env: string, update: Partial<UpdateConfig> = {}, replicas = 2) {
  return makeStack('demo', {
    web: {
      replicas,
      environment: { V: env },
      healthcheck: HC,
      deploy: {
        labels: {},
        resources: { limits: {}, reservations: {} },
        update_config: { parallelism: 1, delay: 0, order: 'start-first', failure_action: 'pause', ...update },
      },
    },
  });
}

describe('rolling updates', () => {
  let fake: FakeRuntime;
  let events: StackEvent[];
  let bus: EventBus;
  beforeEach(async () => {
    fake = new FakeRuntime();
    fake.addImage(IMAGE);
    fake.simulate = () => ({ health: 'healthy' });
    await up(fake, web('1'));
    fake.clearCalls();
    events = [];
    bus = new EventBus();
    bus.subscribe((e) => events.push(e));
  });

  const names = async () => (await fake.listContainers({}, { all: true })).map((c) => c.name).sort();

  it('start-first plans one replica at a time: new replica, health, alias swap, old one stopped on its network, rename', async () => {
    expect(renderPlan(await planFor(fake, web('2')))).toBe(
      [
        '#1 create container demo-web-1-next (config changed: environment (rolling, start-first))',
        '#2 start container demo-web-1-next (new replica) after #1',
        '#3 disconnect container demo-web-1-next from demo_default (healthy: take the service aliases) after #2',
        '#4 connect container demo-web-1-next to demo_default (with the service aliases) after #3',
        '#5 stop container demo-web-1 (replaced) after #4',
        '#6 remove container demo-web-1 (replaced) after #5',
        '#7 rename container demo-web-1-next (to demo-web-1) after #6',
        '#8 create container demo-web-2-next (config changed: environment (rolling, start-first)) after #7',
        '#9 start container demo-web-2-next (new replica) after #8',
        '#10 disconnect container demo-web-2-next from demo_default (healthy: take the service aliases) after #9',
        '#11 connect container demo-web-2-next to demo_default (with the service aliases) after #10',
        '#12 stop container demo-web-2 (replaced) after #11',
        '#13 remove container demo-web-2 (replaced) after #12',
        '#14 rename container demo-web-2-next (to demo-web-2) after #13',
        '',
      ].join('\n'),
    );
  });

  it('start-first keeps at least two replicas running at every step, and converges', async () => {
    const plan = await planFor(fake, web('2'));
    let minRunning = Infinity;
    const running = async () => (await fake.listContainers({})).length;
    const off = bus.subscribe((e) => {
      if (e.kind === 'operation.done') void running().then((n) => (minRunning = Math.min(minRunning, n)));
    });
    const result = await applyPlan(fake, plan, { bus, concurrency: 8, project: 'demo' });
    off();
    expect(result.failed).toEqual([]);
    expect(minRunning).toBeGreaterThanOrEqual(2);
    expect(await names()).toEqual(['demo-web-1', 'demo-web-2']);
    // The new replicas carry the service alias; nothing left to do.
    expect(fake.specOf('demo-web-1').env).toEqual(['V=2']);
    const connect = fake.calls.find((c) => c.method === 'connectNetwork');
    expect((connect?.args[1] as { aliases: string[] }).aliases).toContain('web');
    expect(renderPlan(await planFor(fake, web('2')))).toBe('nothing to do\n');
  });

  it('the old replica is not stopped before the new one is healthy', async () => {
    fake.simulate = undefined;
    const applying = applyPlan(fake, await planFor(fake, web('2')), { bus, concurrency: 8, project: 'demo' });
    for (let i = 0; i < 50 && !(await names()).includes('demo-web-1-next'); i++)
      await new Promise((r) => setTimeout(r, 2));
    await new Promise((r) => setTimeout(r, 20));
    expect(fake.calls.filter((c) => c.method === 'stopContainer')).toEqual([]);
    fake.setHealth('demo-web-1-next', 'healthy');
    for (let i = 0; i < 50 && !(await names()).includes('demo-web-2-next'); i++)
      await new Promise((r) => setTimeout(r, 2));
    fake.setHealth('demo-web-2-next', 'healthy');
    expect((await applying).failed).toEqual([]);
    expect(fake.calls.filter((c) => c.method === 'stopContainer')).toHaveLength(2);
  });

  it('pause: an unhealthy new replica stops the update; the old replicas keep running', async () => {
    fake.simulate = () => ({ health: 'unhealthy' });
    const result = await applyPlan(fake, await planFor(fake, web('2')), { bus, project: 'demo' });
    expect(result.failed.map((f) => f.error)).toEqual(['dependency web (demo-web-1-next) is unhealthy']);
    expect(fake.calls.filter((c) => c.method === 'stopContainer')).toEqual([]);
    expect(await names()).toEqual(['demo-web-1', 'demo-web-1-next', 'demo-web-2']);
    // The next up removes the leftover and tries again.
    fake.simulate = () => ({ health: 'healthy' });
    expect((await up(fake, web('2'))).result.failed).toEqual([]);
    expect(await names()).toEqual(['demo-web-1', 'demo-web-2']);
  });

  it('rollback: the failed new replica is removed, the old one keeps serving', async () => {
    fake.simulate = () => ({ health: 'unhealthy' });
    const result = await applyPlan(fake, await planFor(fake, web('2', { failure_action: 'rollback' })), {
      bus,
      project: 'demo',
    });
    expect(result.failed).toHaveLength(1);
    expect(await names()).toEqual(['demo-web-1', 'demo-web-2']);
    expect(fake.specOf('demo-web-1').env).toEqual(['V=1']);
    expect(events.some((e) => e.kind === 'warning' && e.message.includes('rolled back'))).toBe(true);
  });

  it('continue: a failed batch does not stop the next one', async () => {
    let n = 0;
    fake.simulate = () => ({ health: n++ === 0 ? 'unhealthy' : 'healthy' });
    const result = await applyPlan(fake, await planFor(fake, web('2', { failure_action: 'continue' })), {
      bus,
      project: 'demo',
    });
    expect(result.failed).toHaveLength(1);
    expect(fake.specOf('demo-web-2').env).toEqual(['V=2']);
  });

  it('stop-first with parallelism 2 replaces two replicas per batch, the next batch after they are healthy', async () => {
    await up(fake, web('1', {}, 4));
    const text = renderPlan(await planFor(fake, web('2', { order: 'stop-first', parallelism: 2 }, 4)));
    const lines = text.trim().split('\n');
    expect(lines).toHaveLength(16);
    expect(lines[0]).toBe('#1 stop container demo-web-1 (config changed: environment (rolling, stop-first))');
    // Batch two's stops wait for batch one's starts.
    expect(lines.find((l) => l.includes('stop container demo-web-3'))).toMatch(/after #4 #8$/);
    expect(lines[3]).toBe('#4 start container demo-web-1 (created) after #3');
    expect(lines[7]).toBe('#8 start container demo-web-2 (created) after #7');
    fake.clearCalls();
    expect((await up(fake, web('2', { order: 'stop-first', parallelism: 2 }, 4))).result.failed).toEqual([]);
    expect(fake.specOf('demo-web-4').env).toEqual(['V=2']);
    expect(renderPlan(await planFor(fake, web('2', { order: 'stop-first', parallelism: 2 }, 4)))).toBe(
      'nothing to do\n',
    );
  });
});
