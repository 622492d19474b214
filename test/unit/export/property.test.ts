// Open-ended input: whatever names, ports, labels and volumes a stack uses, every exported object is valid.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toKubernetes } from '../../../src/export/kubernetes/index.js';
import type { PortSpec, ServiceSpec, ServiceVolume } from '../../../src/spec/types.js';
import { files, secret, service, stack, volume } from './factory.js';
import { allErrors } from './kube-validate.js';

// Compose service, volume and secret names: [a-zA-Z0-9][a-zA-Z0-9_.-]*
const composeName = fc.stringMatching(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,70}$/);
const port = fc.integer({ min: 1, max: 65535 });
const portSpec: fc.Arbitrary<PortSpec> = fc.record(
  {
    target: port,
    published: fc.option(
      fc.oneof(
        port.map(String),
        fc.tuple(port, port).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`),
      ),
      { nil: undefined },
    ),
    host_ip: fc.option(fc.constantFrom('127.0.0.1', '0.0.0.0', '10.1.2.3'), { nil: undefined }),
    protocol: fc.constantFrom('tcp' as const, 'udp' as const, 'sctp' as const),
    mode: fc.option(fc.constantFrom('ingress' as const, 'host' as const), { nil: undefined }),
    name: fc.option(fc.string({ maxLength: 30 }), { nil: undefined }),
  },
  { requiredKeys: ['target', 'protocol'] },
);
const labels = fc.dictionary(fc.string({ minLength: 1, maxLength: 80 }), fc.string({ maxLength: 80 }), {
  maxKeys: 4,
});

const arbStack = fc
  .record({
    project: fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,80}$/),
    services: fc.uniqueArray(
      fc.record({
        name: composeName,
        ports: fc.array(portSpec, { maxLength: 4 }),
        expose: fc.array(
          fc.oneof(
            port.map(String),
            port.map((p) => `${p}/udp`),
          ),
          { maxLength: 3 },
        ),
        labels,
        volumeKeys: fc.array(fc.nat(3), { maxLength: 3 }),
        replicas: fc.nat(4),
        global: fc.boolean(),
        deps: fc.array(fc.nat(5), { maxLength: 3 }),
        secretKeys: fc.array(fc.nat(2), { maxLength: 2 }),
      }),
      { maxLength: 6, selector: (s) => s.name },
    ),
    volumeNames: fc.uniqueArray(composeName, { minLength: 4, maxLength: 4 }),
    secretNames: fc.uniqueArray(composeName, { minLength: 3, maxLength: 3 }),
  })
  .map(({ project, services, volumeNames, secretNames }) => {
    const specs: ServiceSpec[] = services.map((s) => {
      const vols: ServiceVolume[] = [...new Set(s.volumeKeys)].map((k, i) => ({
        type: 'volume',
        source: volumeNames[k],
        target: `/data/${i}`,
        read_only: false,
      }));
      const depNames = [
        ...new Set(
          s.deps.map((d) => services[d]?.name).filter((n): n is string => n !== undefined && n !== s.name),
        ),
      ];
      return service(s.name, {
        image: 'example/app:1',
        ports: s.ports,
        expose: s.expose,
        labels: s.labels,
        volumes: vols,
        replicas: s.replicas,
        ...(s.global
          ? { deploy: { mode: 'global' as const, labels: {}, resources: { limits: {}, reservations: {} } } }
          : {}),
        depends_on: Object.fromEntries(
          depNames.map((d) => [d, { condition: 'service_healthy' as const, required: true, restart: false }]),
        ),
        secrets: [...new Set(s.secretKeys)].map((k) => ({
          source: secretNames[k] ?? '',
          target: secretNames[k] ?? '',
        })),
      });
    });
    return stack(project, specs, {
      volumes: Object.fromEntries(
        volumeNames.map((v) => [v, volume(project, v, { labels: { 'x.y/z': v } })]),
      ),
      secrets: Object.fromEntries(
        secretNames.map((n) => [n, secret(project, n, { content: `value of ${n}` })]),
      ),
    });
  });

describe('export property', () => {
  it('every object of every generated stack validates, and every service with an image gets a workload', () => {
    fc.assert(
      fc.property(arbStack, (s) => {
        const r = toKubernetes(s, { readFile: files({}) });
        expect(allErrors(r.objects)).toEqual([]);
        const workloads = r.objects.filter((o) =>
          ['Deployment', 'StatefulSet', 'DaemonSet'].includes(o.kind),
        );
        expect(workloads).toHaveLength(Object.keys(s.services).length);
      }),
      { numRuns: 300 },
    );
  });
});
