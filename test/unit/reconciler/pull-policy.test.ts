import { describe, expect, it } from 'vitest';
import { decideImage, isStale, refreshAfterMs } from '../../../src/reconciler/pull-policy.js';
import type { ImageSummary } from '../../../src/runtime/types.js';
import type { PullPolicy, ServiceSpec } from '../../../src/spec/types.js';
import { makeStack } from '../helpers/stack-factory.js';

const HOUR = 3_600_000;
const now = Date.parse('2026-06-01T12:00:00Z');
const image = (lastTagTime?: string): ImageSummary => ({
  id: 'sha256:x',
  tags: [],
  labels: {},
  size: 1,
  ...(lastTagTime ? { lastTagTime } : {}),
});
const svc = (extra: Partial<ServiceSpec>): ServiceSpec =>
  makeStack('d', { s: { image: 'reg.example/s:1', ...extra } }).services.s as ServiceSpec;
const build = { context: '/s', args: {}, labels: {} };

describe('refreshAfterMs', () => {
  it.each([
    ['daily', 24 * HOUR],
    ['refresh', 24 * HOUR],
    ['weekly', 7 * 24 * HOUR],
    ['every_12h', 12 * HOUR],
    ['every_1w2d', 9 * 24 * HOUR],
    ['every_90s', 90_000],
    ['always', undefined],
    ['missing', undefined],
    ['every_', undefined],
  ] as [PullPolicy, number | undefined][])('%s → %s', (policy, ms) => {
    expect(refreshAfterMs(policy)).toBe(ms);
  });
});

describe('decideImage', () => {
  const fresh = image(new Date(now - HOUR).toISOString());
  const old = image(new Date(now - 25 * HOUR).toISOString());

  it('missing (the default): use what is there, pull what is not, build what can be built', () => {
    expect(decideImage(svc({}), fresh, {}, now)).toBe('use');
    expect(decideImage(svc({}), undefined, {}, now)).toBe('pull');
    expect(decideImage(svc({ build }), undefined, {}, now)).toBe('build');
    expect(decideImage(svc({ build }), undefined, { build: 'never' }, now)).toBe('pull');
  });

  it('always pulls a named image, even one that could be built; never reports a missing image', () => {
    expect(decideImage(svc({ pull_policy: 'always' }), fresh, {}, now)).toBe('pull');
    expect(decideImage(svc({ pull_policy: 'always', build }), fresh, {}, now)).toBe('pull');
    expect(decideImage(svc({ pull_policy: 'always', image: undefined, build }), fresh, {}, now)).toBe('use');
    expect(decideImage(svc({ pull_policy: 'never' }), undefined, {}, now)).toBe('missing');
    expect(decideImage(svc({ pull_policy: 'never' }), fresh, {}, now)).toBe('use');
  });

  it('build always builds; --build too; --no-build never does', () => {
    expect(decideImage(svc({ pull_policy: 'build', build }), fresh, {}, now)).toBe('build');
    expect(decideImage(svc({ build }), fresh, { build: 'always' }, now)).toBe('build');
    expect(decideImage(svc({ pull_policy: 'build', build }), fresh, { build: 'never' }, now)).toBe('use');
  });

  it('daily pulls once the image was last tagged a day ago, or when the engine has no time for it', () => {
    expect(decideImage(svc({ pull_policy: 'daily' }), fresh, {}, now)).toBe('use');
    expect(decideImage(svc({ pull_policy: 'daily' }), old, {}, now)).toBe('pull');
    expect(decideImage(svc({ pull_policy: 'daily' }), image(), {}, now)).toBe('pull');
    expect(decideImage(svc({ pull_policy: 'every_30m' }), fresh, {}, now)).toBe('pull');
    expect(isStale(fresh, 2 * HOUR, now)).toBe(false);
  });

  it('up --pull replaces the service’s policy', () => {
    expect(decideImage(svc({ pull_policy: 'never' }), fresh, { pull: 'always' }, now)).toBe('pull');
    expect(decideImage(svc({ pull_policy: 'always' }), undefined, { pull: 'never' }, now)).toBe('missing');
  });
});
