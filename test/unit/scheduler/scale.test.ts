import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import { parseScale } from '../../../src/scheduler/scale.js';
import { makeStack } from '../helpers/stack-factory.js';

describe('parseScale', () => {
  const stack = makeStack('demo', { web: { container_name: 'the-web' } });

  it('refuses more than one replica of a fixed container name on one engine', () => {
    expect(() => parseScale(stack, ['web=2'])).toThrow(UsageError);
    expect(parseScale(stack, ['web=1'])).toEqual({ web: 1 });
  });

  // Swarm refuses container_name whatever the count, with its own reason (src/swarm/unsupported.ts).
  it('leaves container_name to the swarm layer on the swarm target', () => {
    expect(parseScale(stack, ['web=2'], 'swarm')).toEqual({ web: 2 });
  });
});
