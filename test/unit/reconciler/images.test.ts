import { beforeEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../../src/events/bus.js';
import type { StackEvent } from '../../../src/events/types.js';
import { ensureImages } from '../../../src/reconciler/images.js';
import { FakeRuntime } from '../../../src/runtime/fake.js';
import type { BuildRequest } from '../../../src/runtime/types.js';
import { makeStack } from '../helpers/stack-factory.js';

const build = { context: '/srv/demo/app', args: { A: '1', B: null }, labels: { team: 'x' }, target: 'prod' };

describe('ensureImages', () => {
  let fake: FakeRuntime;
  beforeEach(() => {
    fake = new FakeRuntime();
  });

  it('uses a local image without pulling or building', async () => {
    const id = fake.addImage('tsstack-test/busybox:latest', 'sha256:local');
    const ids = await ensureImages(fake, makeStack('demo', { web: {}, other: {} }), ['web', 'other']);
    expect(ids).toEqual({ web: id, other: id });
    expect(fake.mutatingCalls()).toEqual([]);
    expect(fake.calls.filter((c) => c.method === 'inspectImage')).toHaveLength(1);
  });

  it('builds a build-only service as <project>-<service>, passing args, target and labels, with progress events', async () => {
    const bus = new EventBus();
    const events: StackEvent[] = [];
    bus.subscribe((e) => events.push(e));
    const ids = await ensureImages(fake, makeStack('demo', { app: { image: undefined, build } }), ['app'], {
      bus,
    });
    const call = fake.calls.find((c) => c.method === 'buildImage');
    expect(call?.args[0]).toMatchObject({
      context: '/srv/demo/app',
      tags: ['demo-app'],
      args: { A: '1' },
      target: 'prod',
      labels: { team: 'x', 'io.tsstack.project': 'demo' },
    });
    expect(ids.app).toMatch(/^sha256:built/);
    expect(events.map((e) => e.kind)).toEqual(['image.progress', 'image.done']);
  });

  it('rebuilds with --build, and never builds with --no-build', async () => {
    fake.addImage('demo-app', 'sha256:old');
    const stack = makeStack('demo', { app: { image: undefined, build } });
    expect((await ensureImages(fake, stack, ['app'])).app).toBe('sha256:old');
    expect((await ensureImages(fake, stack, ['app'], { build: 'always' })).app).not.toBe('sha256:old');
    const fresh = new FakeRuntime();
    await expect(ensureImages(fresh, stack, ['app'], { build: 'never' })).rejects.toThrow(
      /service app: image demo-app is not available locally and could not be pulled/,
    );
  });

  it('reports every missing image in one error naming service and image, before anything is created', async () => {
    const stack = makeStack('demo', {
      a: { image: 'nowhere/a:1' },
      b: { image: 'nowhere/b:2', pull_policy: 'never' },
    });
    const err = await ensureImages(fake, stack, ['a', 'b']).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toContain(
      'service a: image nowhere/a:1 is not available locally and could not be pulled: pull access denied for nowhere/a:1',
    );
    expect(err.message).toContain('service b: image nowhere/b:2 not found locally (pull_policy: never)');
    expect(
      fake.calls.filter((c) => ['createContainer', 'createNetwork', 'createVolume'].includes(c.method)),
    ).toEqual([]);
  });

  it('pulls a missing image when it can, and always with pull_policy: always', async () => {
    fake.registry.set('remote/x:latest', 'sha256:remote');
    expect((await ensureImages(fake, makeStack('d', { x: { image: 'remote/x' } }), ['x'])).x).toBe(
      'sha256:remote',
    );
    fake.clearCalls();
    await ensureImages(fake, makeStack('d', { x: { image: 'remote/x', pull_policy: 'always' } }), ['x']);
    expect(fake.calls.map((c) => c.method)).toContain('pullImage');
  });
});

describe('ensureImages: BuildKit keys, build order and pull fallbacks', () => {
  let fake: FakeRuntime;
  beforeEach(() => {
    fake = new FakeRuntime();
  });

  it('a build that uses another service’s image as a named context waits for that build and names its image', async () => {
    const stack = makeStack('demo', {
      base: { image: undefined, build: { context: '/b', args: {}, labels: {} } },
      top: {
        image: undefined,
        build: {
          context: '/t',
          args: {},
          labels: {},
          additional_contexts: { base: 'service:base', docs: '/d' },
        },
      },
    });
    await ensureImages(fake, stack, ['top']);
    const builds = fake.calls.filter((c) => c.method === 'buildImage').map((c) => c.args[0] as BuildRequest);
    expect(builds.map((b) => b.tags[0])).toEqual(['demo-base', 'demo-top']);
    expect(builds[1]?.additionalContexts).toEqual({ base: 'docker-image://demo-base', docs: '/d' });
  });

  it('build secrets become file or environment sources under their target name', async () => {
    const stack = makeStack('demo', {
      app: {
        image: undefined,
        build: {
          context: '/a',
          args: {},
          labels: {},
          secrets: [
            { source: 'tok', target: '/run/secrets/tok' },
            { source: 'env', target: '/run/secrets/npmrc' },
          ],
        },
      },
    });
    stack.secrets = {
      tok: { name: 'demo_tok', file: '/s/tok.txt', external: false, labels: {} },
      env: { name: 'demo_env', environment: 'NPM_TOKEN', external: false, labels: {} },
    };
    await ensureImages(fake, stack, ['app']);
    const req = fake.calls.find((c) => c.method === 'buildImage')?.args[0] as BuildRequest;
    expect(req.secrets).toEqual([
      { id: 'tok', file: '/s/tok.txt' },
      { id: 'npmrc', env: 'NPM_TOKEN' },
    ]);
  });

  it('pull_policy: always pulls a named image that could also be built, and builds it when the pull fails', async () => {
    const stack = makeStack('demo', {
      app: {
        image: 'reg.example/app:1',
        pull_policy: 'always',
        build: { context: '/a', args: {}, labels: {} },
      },
    });
    const bus = new EventBus();
    const warnings: string[] = [];
    bus.subscribe((e) => (e.kind === 'warning' ? warnings.push(e.message) : undefined));
    const ids = await ensureImages(fake, stack, ['app'], { bus });
    expect(fake.calls.map((c) => c.method)).toEqual(['inspectImage', 'pullImage', 'buildImage']);
    expect(warnings[0]).toMatch(/service app: pulling reg\.example\/app:1 failed; building it/);
    expect(ids.app).toMatch(/^sha256:built/);
  });

  it('up --pull never turns a missing image into an error even with pull_policy: always', async () => {
    const stack = makeStack('demo', { x: { image: 'remote/x', pull_policy: 'always' } });
    await expect(ensureImages(fake, stack, ['x'], { pull: 'never' })).rejects.toThrow(/pull_policy: never/);
    expect(fake.calls.map((c) => c.method)).toEqual(['inspectImage']);
  });

  it('independent builds go to the runtime as one batch, a build using another’s image in the next', async () => {
    const batches: string[][] = [];
    const original = fake.buildImages.bind(fake);
    fake.buildImages = async (reqs, onProgress) => {
      batches.push(reqs.map((r) => r.tags[0] as string));
      return original(reqs, onProgress);
    };
    const b = (extra = {}) => ({
      image: undefined,
      build: { context: '/x', args: {}, labels: {}, ...extra },
    });
    const stack = makeStack('demo', { a: b(), c: b(), d: b({ additional_contexts: { a: 'service:a' } }) });
    await ensureImages(fake, stack, ['a', 'c', 'd']);
    expect(batches).toEqual([['demo-a', 'demo-c'], ['demo-d']]);
  });
});
