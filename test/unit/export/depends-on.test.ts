import { describe, expect, it } from 'vitest';
import { service, stack } from './factory.js';
import { exportValid, reason, workloadOf } from './helpers.js';

describe('depends_on', () => {
  const dep = (
    condition: 'service_started' | 'service_healthy' | 'service_completed_successfully',
    required = true,
  ) => ({ condition, required, restart: false });

  it('waits for each dependency Service with a small init image, never the dependency image', () => {
    const r = exportValid(
      stack('p', [
        service('db', { image: 'postgres:16', expose: ['5432'] }),
        service('cache', { image: 'redis:7', ports: [{ target: 6379, published: '6379', protocol: 'tcp' }] }),
        service('web', {
          image: 'app',
          depends_on: { db: dep('service_healthy'), cache: dep('service_started') },
        }),
      ]),
    );
    const init = workloadOf(r, 'web').spec?.template.spec?.initContainers;
    expect(init).toEqual([
      {
        name: 'wait-for-db',
        image: 'busybox:1.36',
        command: [
          'sh',
          '-c',
          'until nc -w 2 db 5432 </dev/null; do echo "waiting for db:5432"; sleep 2; done',
        ],
      },
      {
        name: 'wait-for-cache',
        image: 'busybox:1.36',
        command: [
          'sh',
          '-c',
          'until nc -w 2 cache 6379 </dev/null; do echo "waiting for cache:6379"; sleep 2; done',
        ],
      },
    ]);
    expect(init?.some((c) => c.image === 'postgres:16' || c.image === 'redis:7')).toBe(false);
  });

  it('uses --init-image', () => {
    const r = exportValid(
      stack('p', [
        service('db', { image: 'pg', expose: ['5432'] }),
        service('web', { image: 'app', depends_on: { db: dep('service_started') } }),
      ]),
      { initImage: 'registry.local/tools:1' },
    );
    expect(workloadOf(r, 'web').spec?.template.spec?.initContainers?.[0]?.image).toBe(
      'registry.local/tools:1',
    );
  });

  it('reports what it cannot wait for: completion, optional dependencies, no port, no export', () => {
    const r = exportValid(
      stack('p', [
        service('migrate', { image: 'm', expose: ['1'] }),
        service('opt', { image: 'o', expose: ['1'] }),
        service('noport', { image: 'n' }),
        service('built', { build: { context: '/x', args: {}, labels: {} } }),
        service('web', {
          image: 'app',
          depends_on: {
            migrate: dep('service_completed_successfully'),
            opt: dep('service_started', false),
            noport: dep('service_started'),
            built: dep('service_started'),
          },
        }),
      ]),
    );
    expect(workloadOf(r, 'web').spec?.template.spec?.initContainers).toBeUndefined();
    expect(reason(r, 'services.web.depends_on.migrate.condition')).toMatch(/^cannot be expressed/);
    expect(reason(r, 'services.web.depends_on.opt.required')).toMatch(/optional/);
    expect(reason(r, 'services.web.depends_on.noport')).toMatch(/no TCP port/);
    expect(reason(r, 'services.web.depends_on.built')).toMatch(/not exported/);
  });
});
