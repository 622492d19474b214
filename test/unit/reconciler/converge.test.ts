import { describe, expect, it } from 'vitest';
import { EventBus } from '../../../src/events/bus.js';
import type { StackEvent } from '../../../src/events/types.js';
import { converge } from '../../../src/reconciler/converge.js';
import { FakeRuntime } from '../../../src/runtime/fake.js';
import { makeStack } from '../helpers/stack-factory.js';

const IMAGE = 'tsstack-test/busybox:latest';

function fakeWithImage(): FakeRuntime {
  const fake = new FakeRuntime();
  fake.addImage(IMAGE);
  return fake;
}

describe('converge', () => {
  it('applies the plan and emits plan.computed; a second pass changes nothing', async () => {
    const fake = fakeWithImage();
    const bus = new EventBus();
    const events: StackEvent[] = [];
    bus.subscribe((e) => events.push(e));
    const stack = makeStack('demo', { web: {} });
    const first = await converge(fake, stack, { bus });
    expect(first.result?.done).toHaveLength(3);
    expect(events.find((e) => e.kind === 'plan.computed')).toMatchObject({ operations: 3 });
    fake.clearCalls();
    const second = await converge(fake, stack);
    expect(second.plan.operations).toEqual([]);
    expect(fake.mutatingCalls()).toEqual([]);
  });

  it('recreates a container when its image was rebuilt (image changed)', async () => {
    const fake = new FakeRuntime();
    const stack = makeStack('demo', {
      app: { image: undefined, build: { context: '/x', args: {}, labels: {} } },
    });
    await converge(fake, stack);
    const second = await converge(fake, stack, { build: 'always' });
    expect(second.plan.operations.find((o) => o.kind === 'container.create')?.reason).toBe('image changed');
  });

  it('creates nothing when an external network is missing or an image cannot be had', async () => {
    const fake = fakeWithImage();
    const ext = makeStack(
      'demo',
      { web: { networks: { outside: { aliases: [] } } } },
      {
        networks: {
          outside: {
            name: 'corp',
            driver_opts: {},
            external: true,
            internal: false,
            attachable: false,
            labels: {},
          },
        },
      },
    );
    await expect(converge(fake, ext)).rejects.toThrow(
      /network corp declared as external, but could not be found/,
    );
    const missing = makeStack('demo', { web: {}, db: { image: 'gone:1' } });
    await expect(converge(fake, missing)).rejects.toThrow(/service db: image gone:1/);
    expect(fake.mutatingCalls().filter((c) => c.method !== 'pullImage')).toEqual([]);
  });

  it('dry-run plans without building, pulling, creating or removing', async () => {
    const fake = fakeWithImage();
    const { plan } = await converge(fake, makeStack('demo', { web: {} }), { dryRun: true });
    expect(plan.operations).toHaveLength(3);
    expect(fake.mutatingCalls()).toEqual([]);
  });

  it('rejects unknown services as a usage error', async () => {
    await expect(
      converge(fakeWithImage(), makeStack('demo', { web: {} }), { services: ['nope'] }),
    ).rejects.toMatchObject({
      exitCode: 2,
    });
  });
});
