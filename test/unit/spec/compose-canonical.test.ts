// The canonical form of the differential test against Compose: each rule removes a difference of spelling,
// and a difference of meaning survives it.
import { describe, expect, it } from 'vitest';
import { canonicalProject, goDuration, type Json } from './helpers/compose-canonical.js';

const svc = (service: Record<string, Json>): Json =>
  canonicalProject({ name: 'p', services: { web: service } });

describe('canonicalProject', () => {
  it('sorts keys and drops null and empty values, but keeps named entries and user values', () => {
    expect(
      canonicalProject({
        services: {
          web: {
            command: null,
            networks: { default: null, back: { aliases: [] } },
            environment: { B: null, A: '' },
            volumes: [{ type: 'volume', source: 'v', target: '/v', volume: {} }],
          },
        },
        networks: { default: { name: 'p_default', ipam: {} } },
        name: 'p',
      }),
    ).toEqual({
      name: 'p',
      networks: { default: { name: 'p_default' } },
      services: {
        web: {
          environment: { A: '', B: null },
          networks: { back: {}, default: {} },
          volumes: [{ source: 'v', target: '/v', type: 'volume' }],
        },
      },
    });
  });

  it('false is dropped except for required', () => {
    expect(
      svc({
        read_only: false,
        depends_on: { db: { condition: 'service_started', required: false, restart: false } },
      }),
    ).toEqual({
      name: 'p',
      services: { web: { depends_on: { db: { condition: 'service_started', required: false } } } },
    });
  });

  it('durations in milliseconds, sizes as numbers, zero as absent', () => {
    const a = svc({
      stop_grace_period: '1m',
      mem_limit: 536870912,
      shm_size: 0,
      healthcheck: { test: ['CMD', 'x'], interval: '1m30s' },
    });
    const b = svc({
      stop_grace_period: '1m0s',
      mem_limit: '536870912',
      shm_size: '0',
      healthcheck: { test: ['CMD', 'x'], interval: '90s', timeout: '0s' },
    });
    expect(a).toEqual(b);
    expect(a).toEqual({
      name: 'p',
      services: {
        web: {
          healthcheck: { interval: 90_000, test: ['CMD', 'x'] },
          mem_limit: 536870912,
          stop_grace_period: 60_000,
        },
      },
    });
  });

  it('Go durations', () => {
    expect([
      goDuration('1h2m3.5s'),
      goDuration('500ms'),
      goDuration('0s'),
      goDuration('0'),
      goDuration('2us'),
    ]).toEqual([3_723_500, 500, 0, 0, 0.002]);
    expect(goDuration('1x')).toBeUndefined();
  });

  it('defaults: ingress ports, the Dockerfile, scale 1 or equal to deploy.replicas', () => {
    expect(
      svc({
        ports: [{ target: 80, mode: 'ingress' }],
        build: { context: '/c', dockerfile: 'Dockerfile' },
        scale: 1,
      }),
    ).toEqual(svc({ ports: [{ target: 80 }], build: { context: '/c' } }));
    expect(svc({ scale: 2, deploy: { replicas: 2 } })).toEqual(svc({ deploy: { replicas: 2 } }));
    expect(svc({ scale: 2 })).not.toEqual(svc({}));
  });

  it('healthcheck disabled, ulimits, extra_hosts and devices in one spelling', () => {
    expect(svc({ healthcheck: { test: ['NONE'], disable: true } })).toEqual(
      svc({ healthcheck: { disable: true } }),
    );
    expect(svc({ ulimits: { nofile: 10 } })).toEqual(svc({ ulimits: { nofile: { soft: 10, hard: 10 } } }));
    expect(svc({ extra_hosts: ['a:1.2.3.4', 'b:::1'] })).toEqual(
      svc({ extra_hosts: ['a=1.2.3.4', 'b=::1'] }),
    );
    expect(svc({ devices: ['/dev/a', '/dev/b:/dev/c', '/dev/d:/dev/e:r', '/dev/f:rw'] })).toEqual(
      svc({
        devices: [
          { source: '/dev/a', target: '/dev/a', permissions: 'rwm' },
          { source: '/dev/b', target: '/dev/c', permissions: 'rwm' },
          { source: '/dev/d', target: '/dev/e', permissions: 'r' },
          { source: '/dev/f', target: '/dev/f', permissions: 'rw' },
        ],
      }),
    );
  });

  it('extra_hosts in host order (the IPs of one host in order), in build too', () => {
    expect(
      svc({ extra_hosts: ['b:1.1.1.1', 'a:2.2.2.2', 'b:::1'], build: { extra_hosts: ['db:10.0.0.2'] } }),
    ).toEqual(
      svc({ extra_hosts: ['a=2.2.2.2', 'b=1.1.1.1', 'b=::1'], build: { extra_hosts: ['db=10.0.0.2'] } }),
    );
  });

  it('secret and config targets made absolute; a config without one is /SOURCE', () => {
    expect(
      svc({
        secrets: [{ source: 's', target: 'custom' }, { source: 's' }],
        configs: [{ source: 'c' }, { source: 'c', target: 'rel' }, { source: 'c', target: '/etc/x' }],
      }),
    ).toEqual(
      svc({
        secrets: [
          { source: 's', target: '/run/secrets/custom' },
          { source: 's', target: '/run/secrets/s' },
        ],
        configs: [
          { source: 'c', target: '/c' },
          { source: 'c', target: '/rel' },
          { source: 'c', target: '/etc/x' },
        ],
      }),
    );
  });

  it("update_config and rollback_config without Docker's defaults", () => {
    const printed = { parallelism: 1, delay: '0s', order: 'stop-first', failure_action: 'pause' };
    expect(svc({ deploy: { update_config: { ...printed, delay: '1s' }, rollback_config: printed } })).toEqual(
      svc({ deploy: { update_config: { delay: '1s' } } }),
    );
    expect(svc({ deploy: { update_config: { parallelism: 2 } } })).not.toEqual(svc({}));
  });

  it('ports in one order (Compose expands a range in no fixed order)', () => {
    const a = { target: 9, published: '1024', protocol: 'tcp' };
    const b = { target: 10, published: '1025', protocol: 'tcp' };
    expect(svc({ ports: [a, b] })).toEqual(svc({ ports: [b, a] }));
  });

  it('a device reservation count of all is -1', () => {
    const devices = (count: Json) => ({ deploy: { resources: { reservations: { devices: [{ count }] } } } });
    expect(svc(devices('all'))).toEqual(svc(devices(-1)));
  });

  it('x-* keys count only at the top level', () => {
    expect(canonicalProject({ 'x-a': { b: null }, services: { web: { image: 'i', 'x-b': 1 } } })).toEqual({
      'x-a': { b: null },
      services: { web: { image: 'i' } },
    });
  });

  it('differences of meaning stay', () => {
    expect(svc({ image: 'a' })).not.toEqual(svc({ image: 'b' }));
    expect(svc({ environment: { A: null } })).not.toEqual(svc({ environment: {} }));
    expect(svc({ networks: { default: null } })).not.toEqual(svc({}));
    expect(svc({ read_only: true })).not.toEqual(svc({}));
    expect(svc({ volumes: [{ type: 'bind', source: '/a', target: '/x/' }] })).not.toEqual(
      svc({ volumes: [{ type: 'bind', source: '/a', target: '/x' }] }),
    );
  });
});
