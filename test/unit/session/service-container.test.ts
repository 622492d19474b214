import { describe, expect, it } from 'vitest';
import { TsstackError, UsageError } from '../../../src/core/errors.js';
import { desired } from '../../../src/reconciler/desired.js';
import { FakeRuntime } from '../../../src/runtime/fake.js';
import { parseIndex, runningServiceContainer } from '../../../src/session/service-container.js';
import { makeStack } from '../helpers/stack-factory.js';

describe('the container exec and attach act on', () => {
  const stack = makeStack('demo', { web: { replicas: 2 }, db: {}, idle: { replicas: 0 } });
  const fake = new FakeRuntime();
  const want = desired(stack);
  const web1 = fake.seedContainer(want.services.web!.containers[0]!.spec, 'running');
  fake.seedContainer(want.services.web!.containers[1]!.spec, 'exited');

  it('is replica --index of the service, running', async () => {
    expect((await runningServiceContainer(fake, stack, 'web', 1)).id).toBe(web1);
  });

  it('an unknown service or an index beyond the replicas is a usage error (exit 2)', async () => {
    await expect(runningServiceContainer(fake, stack, 'nosuch', 1)).rejects.toThrow(UsageError);
    await expect(runningServiceContainer(fake, stack, 'nosuch', 1)).rejects.toThrow(
      /no such service: nosuch/,
    );
    await expect(runningServiceContainer(fake, stack, 'web', 3)).rejects.toThrow(
      '--index 3: service "web" has 2 replicas',
    );
    expect(() => parseIndex('0')).toThrow(UsageError);
    expect(() => parseIndex('1.5')).toThrow(UsageError);
    expect(() => parseIndex('x')).toThrow(UsageError);
    expect(parseIndex(undefined)).toBe(1);
    expect(parseIndex('2')).toBe(2);
  });

  it('one that exists but does not run is reported as not running (exit 1)', async () => {
    const stopped = runningServiceContainer(fake, stack, 'web', 2);
    await expect(stopped).rejects.toThrow('replica 2 of service "web" is not running');
    await expect(stopped).rejects.not.toThrow(UsageError);
    await expect(runningServiceContainer(fake, stack, 'db', 1)).rejects.toThrow(
      'service "db" is not running',
    );
    const idle = await runningServiceContainer(fake, stack, 'idle', 1).catch((e: TsstackError) => e);
    expect(idle).toBeInstanceOf(TsstackError);
    expect((idle as TsstackError).exitCode).toBe(1);
  });
});
