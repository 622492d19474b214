import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../src/core/errors.js';
import { FakeRuntime } from '../../../src/runtime/fake.js';
import type { ContainerCreateSpec, EngineEvent } from '../../../src/runtime/types.js';

const spec = (name: string): ContainerCreateSpec => ({
  name,
  image: 'img',
  labels: { 'io.tsstack.project': 'p' },
  env: [],
  exposedPorts: [],
  ports: [{ target: 80, protocol: 'tcp' }],
  mounts: [],
  networks: [],
  healthcheck: { test: ['CMD', 'true'] },
});

describe('FakeRuntime', () => {
  it('is strict like the engine: name conflicts, missing images, removing running containers', async () => {
    const fake = new FakeRuntime();
    await expect(fake.createContainer(spec('a'))).rejects.toThrow('No such image: img');
    fake.addImage('img');
    const id = await fake.createContainer(spec('a'));
    await expect(fake.createContainer(spec('a'))).rejects.toThrow(/already in use/);
    await fake.startContainer(id);
    await expect(fake.removeContainer(id)).rejects.toThrow(/cannot remove a running container/);
    expect((await fake.inspectContainer('a'))?.ports[0]?.hostPort).toBe(49153);
  });

  it('injects faults: the nth next call fails with an EngineError', async () => {
    const fake = new FakeRuntime();
    fake.addImage('img');
    fake.failNext('createContainer', 'disk full', 2);
    await fake.createContainer(spec('a'));
    await expect(fake.createContainer(spec('b'))).rejects.toThrow(EngineError);
    await fake.createContainer(spec('c'));
    expect(fake.mutatingCalls().map((c) => c.method)).toEqual([
      'createContainer',
      'createContainer',
      'createContainer',
    ]);
  });

  it('exits containers and flips health, with engine events and wait results', async () => {
    const fake = new FakeRuntime();
    fake.addImage('img');
    const id = await fake.createContainer(spec('a'));
    await fake.startContainer(id);
    expect((await fake.inspectContainer(id))?.health).toBe('starting');
    const controller = new AbortController();
    const seen: EngineEvent[] = [];
    const reader = (async () => {
      for await (const e of fake.events({ 'io.tsstack.project': 'p' }, controller.signal)) {
        seen.push(e);
        if (e.action === 'die') controller.abort();
      }
    })();
    const waited = fake.waitContainer(id);
    fake.setHealth(id, 'unhealthy');
    fake.exitContainer(id, 3);
    expect(await waited).toBe(3);
    await reader;
    expect(seen.map((e) => e.action)).toEqual(['health_status: unhealthy', 'die']);
    expect(await fake.inspectContainer(id)).toMatchObject({
      state: 'exited',
      exitCode: 3,
      health: undefined,
    });
  });
});
