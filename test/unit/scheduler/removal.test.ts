// `down` after a killed `down` (issue 7): removals the killed run left in progress are awaited, containers
// already gone count as removed, and the network waits for just-removed containers' endpoints to detach,
// but never for a live container it does not own.
import { beforeEach, describe, expect, it } from 'vitest';
import { EngineError } from '../../../src/core/errors.js';
import { applyPlan, throwIfFailed } from '../../../src/scheduler/apply.js';
import { planDown } from '../../../src/reconciler/lifecycle.js';
import { observe } from '../../../src/reconciler/observe.js';
import { removeContainerAwaiting, removeNetworkAwaiting } from '../../../src/scheduler/removal.js';
import { FakeRuntime } from '../../../src/runtime/fake.js';
import { up } from '../helpers/converge.js';
import { makeStack } from '../helpers/stack-factory.js';

const stack = makeStack('demo', { a: {}, b: {}, c: {} });
const later = (ms: number, f: () => void): void => void setTimeout(f, ms);

let fake: FakeRuntime;
beforeEach(async () => {
  fake = new FakeRuntime();
  fake.addImage('tsstack-test/busybox:latest');
  await up(fake, stack);
});

const names = async (): Promise<string[]> =>
  (await fake.listContainers({}, { all: true })).map((c) => c.name).sort();

describe('down after a killed down', () => {
  it('waits for a removal already in progress, then removes the network', async () => {
    const removal = fake.beginRemoval('demo-b-1');
    const observed = await observe(fake, 'demo');
    let finished = false;
    later(150, () => {
      finished = true;
      removal.finish();
    });
    const result = await applyPlan(fake, planDown(observed));
    expect(result.failed).toEqual([]);
    expect(finished).toBe(true);
    expect(await names()).toEqual([]);
    expect(await fake.listNetworks({})).toEqual([]);
    // It asked again only after the engine's 409, and never removed anything twice.
    const removes = fake.calls.filter((c) => c.method === 'removeContainer').map((c) => c.args[0]);
    expect(removes.filter((r) => r === observed.containers[1]?.id)).toHaveLength(1);
  });

  it('treats containers that vanished since they were listed as stopped and removed', async () => {
    const observed = await observe(fake, 'demo');
    await fake.removeContainer('demo-a-1', { force: true });
    const result = await applyPlan(fake, planDown(observed));
    expect(() => throwIfFailed(result)).not.toThrow();
    expect(await names()).toEqual([]);
    expect(await fake.listNetworks({})).toEqual([]);
  });

  it('waits for endpoints of just-removed containers to detach from the network', async () => {
    const removal = fake.beginRemoval('demo-c-1');
    later(50, () => removal.finish({ lingerOn: ['demo_default'] }));
    later(400, () => fake.releaseEndpoints('demo_default'));
    const result = await applyPlan(fake, planDown(await observe(fake, 'demo')));
    expect(result.failed).toEqual([]);
    expect(await fake.listNetworks({})).toEqual([]);
    expect(fake.calls.filter((c) => c.method === 'removeNetwork').length).toBeGreaterThan(1);
  });
});

describe('removeContainerAwaiting', () => {
  it('removes the container itself when the earlier removal ends without removing it', async () => {
    const removal = fake.beginRemoval('demo-a-1');
    later(100, () => removal.finish({ failed: true }));
    await removeContainerAwaiting(fake, 'demo-a-1', { force: true }, { pollMs: 20 });
    expect(await names()).toEqual(['demo-b-1', 'demo-c-1']);
  });

  it('a container already gone counts as removed', async () => {
    await removeContainerAwaiting(fake, 'no-such-container', { force: true });
  });

  it('gives up after its bound, saying the earlier removal is still in progress', async () => {
    fake.beginRemoval('demo-a-1');
    await expect(
      removeContainerAwaiting(fake, 'demo-a-1', { force: true }, { timeoutMs: 200, pollMs: 20 }),
    ).rejects.toThrow(/remove container demo-a-1: an earlier removal of it is still in progress/);
  });

  it('still fails at once on other errors', async () => {
    fake.clearCalls();
    fake.failNext('removeContainer', 'device or resource busy');
    await expect(removeContainerAwaiting(fake, 'demo-a-1', { force: true })).rejects.toThrow(
      'device or resource busy',
    );
    expect(fake.calls.filter((c) => c.method === 'inspectContainer')).toEqual([]);
  });
});

describe('removeNetworkAwaiting', () => {
  it('fails at once, naming it, when a live container is still attached, and leaves both alone', async () => {
    fake.clearCalls();
    const t0 = Date.now();
    const err = await removeNetworkAwaiting(fake, 'demo_default', { timeoutMs: 5_000 }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(EngineError);
    expect((err as Error).message).toMatch(
      /has active endpoints \(still used by demo-a-1, demo-b-1, demo-c-1\)/,
    );
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(await names()).toEqual(['demo-a-1', 'demo-b-1', 'demo-c-1']);
    expect((await fake.listNetworks({})).map((n) => n.name)).toEqual(['demo_default']);
    expect(fake.mutatingCalls().map((c) => c.method)).toEqual(
      expect.not.arrayContaining(['removeContainer', 'stopContainer', 'disconnectNetwork']),
    );
  });

  it('says so, soon, when the engine refuses a network that lists no endpoint (a stale count)', async () => {
    fake.staleEndpointCount('demo_default', 2);
    const result = await applyPlan(fake, planDown(await observe(fake, 'demo')));
    expect(await names()).toEqual([]);
    expect(result.failed.map((f) => f.operation.id)).toEqual(['network.remove:demo_default']);
    expect(result.failed[0]?.error).toMatch(
      /has active endpoints, yet no container or endpoint is attached to it: the engine's endpoint count for it is stale/,
    );
    // The bound for a stale count (5 s by default), not the 30 s one for detaching endpoints.
    const t0 = Date.now();
    await expect(
      removeNetworkAwaiting(fake, 'demo_default', { staleAfterMs: 100, timeoutMs: 10_000, pollMs: 20 }),
    ).rejects.toThrow(/endpoint count for it is stale/);
    expect(Date.now() - t0).toBeLessThan(5_000);
    fake.staleEndpointCount('demo_default', 0);
    await removeNetworkAwaiting(fake, 'demo_default');
    expect(await fake.listNetworks({})).toEqual([]);
  }, 20_000);

  it('gives up after its bound when endpoints never detach', async () => {
    for (const n of ['demo-a-1', 'demo-b-1', 'demo-c-1'])
      fake.beginRemoval(n).finish({ lingerOn: ['demo_default'] });
    await expect(removeNetworkAwaiting(fake, 'demo_default', { timeoutMs: 200, pollMs: 20 })).rejects.toThrow(
      /has active endpoints \(the endpoints of removed containers did not detach/,
    );
  });
});
