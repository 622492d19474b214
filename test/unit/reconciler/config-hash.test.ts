import { describe, expect, it } from 'vitest';
import type { configHash } from '../../../src/reconciler/config-hash.js';
import { changedFields } from '../../../src/reconciler/config-hash.js';
import { desired } from '../../../src/reconciler/desired.js';
import { makeStack, type ServiceInput } from '../helpers/stack-factory.js';

function hashOf(input: ServiceInput, replicas = 1, replica = 1): ReturnType<typeof configHash> {
  const d = desired(makeStack('demo', { web: { ...input, replicas } }));
  const c = d.services.web?.containers[replica - 1];
  if (!c) throw new Error('no container');
  return { hash: c.hash, fields: c.fields };
}

describe('configHash', () => {
  it('is the same for every replica and for any replica count', () => {
    expect(hashOf({}, 3, 1).hash).toBe(hashOf({}, 3, 3).hash);
    expect(hashOf({}, 1).hash).toBe(hashOf({}, 5).hash);
  });

  it('ignores depends_on, build and pull_policy', () => {
    const base = hashOf({}).hash;
    expect(hashOf({ pull_policy: 'always' }).hash).toBe(base);
    expect(hashOf({ build: { context: '/x', args: {}, labels: {} } }).hash).toBe(base);
  });

  it('changes with what needs a new container, and names the field', () => {
    const base = hashOf({});
    const cases: [ServiceInput, string][] = [
      [{ environment: { A: '1' } }, 'environment'],
      [{ command: ['sleep', '1'] }, 'command'],
      [{ ports: [{ target: 80, published: '8080', protocol: 'tcp' }] }, 'ports'],
      [{ image: 'other:1' }, 'image'],
      [{ labels: { team: 'x' } }, 'labels'],
      [{ user: 'nobody' }, 'user'],
    ];
    for (const [input, field] of cases) {
      const h = hashOf(input);
      expect(h.hash, field).not.toBe(base.hash);
      expect(changedFields(base.fields, h.fields), field).toContain(field);
    }
  });

  it('does not depend on the order environment variables are written in', () => {
    expect(hashOf({ environment: { A: '1', B: '2' } }).hash).toBe(
      hashOf({ environment: { B: '2', A: '1' } }).hash,
    );
  });
});
