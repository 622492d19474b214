import { describe, expect, it } from 'vitest';
import { desired, withImageIds } from '../../../src/reconciler/desired.js';
import { dep, makeStack } from '../helpers/stack-factory.js';

describe('withImageIds', () => {
  const stack = makeStack('imgs', {
    db: { replicas: 2, labels: { tier: 'data' } },
    web: { depends_on: { db: dep() }, image: undefined, build: { context: '.', args: {} } as never },
    plain: {},
  });

  it('equals desired(stack, { imageIds }) without hashing again', () => {
    const ids = { db: 'sha256:aaa', web: 'sha256:bbb' };
    expect(withImageIds(desired(stack), ids)).toEqual(desired(stack, { imageIds: ids }));
  });

  it('leaves services without an ID (and the state it was given) as they were', () => {
    const base = desired(stack);
    const before = JSON.stringify(base);
    const out = withImageIds(base, {});
    expect(out).toEqual(desired(stack, { imageIds: {} }));
    withImageIds(base, { db: 'sha256:ccc' });
    expect(JSON.stringify(base)).toBe(before);
  });
});
