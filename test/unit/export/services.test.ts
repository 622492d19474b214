import { describe, expect, it } from 'vitest';
import { service, stack } from './factory.js';
import { containerOf, exportValid, find, reason } from './helpers.js';

describe('services and ports', () => {
  it('creates a ClusterIP Service on container ports and a LoadBalancer Service on published ports', () => {
    const r = exportValid(
      stack('p', [
        service('web', {
          image: 'x',
          ports: [
            { target: 80, published: '8080', protocol: 'tcp', name: 'HTTP web', app_protocol: 'http' },
            { target: 53, published: '5353', protocol: 'udp' },
          ],
          expose: ['9000-9001', '7000/udp'],
        }),
      ]),
    );
    const cluster = find(r, 'Service', 'web');
    expect(cluster.spec?.type).toBe('ClusterIP');
    expect(cluster.spec?.ports).toEqual([
      { name: 'http-web', port: 80, targetPort: 80, protocol: 'TCP', appProtocol: 'http' },
      { name: 'udp-53', port: 53, targetPort: 53, protocol: 'UDP' },
      { name: 'tcp-9000', port: 9000, targetPort: 9000, protocol: 'TCP' },
      { name: 'tcp-9001', port: 9001, targetPort: 9001, protocol: 'TCP' },
      { name: 'udp-7000', port: 7000, targetPort: 7000, protocol: 'UDP' },
    ]);
    const lb = find(r, 'Service', 'web-published');
    expect(lb.spec?.type).toBe('LoadBalancer');
    expect(lb.spec?.selector).toEqual(cluster.spec?.selector);
    expect(lb.spec?.ports).toEqual([
      { name: 'http-web', port: 8080, targetPort: 80, protocol: 'TCP', appProtocol: 'http' },
      { name: 'udp-5353', port: 5353, targetPort: 53, protocol: 'UDP' },
    ]);
    expect(containerOf(r, 'web').ports).toEqual([
      { containerPort: 80, protocol: 'TCP' },
      { containerPort: 53, protocol: 'UDP' },
      { containerPort: 9000, protocol: 'TCP' },
      { containerPort: 9001, protocol: 'TCP' },
      { containerPort: 7000, protocol: 'UDP' },
    ]);
  });

  it('keeps a port bound to a host address cluster-internal and reports host_ip', () => {
    const r = exportValid(
      stack('p', [
        service('web', {
          image: 'x',
          ports: [{ target: 80, published: '8080', host_ip: '127.0.0.1', protocol: 'tcp' }],
        }),
      ]),
    );
    expect(r.objects.map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual(['Service/web', 'Deployment/web']);
    expect(reason(r, 'services.web.ports[0].host_ip')).toMatch(
      /cluster-internal port only \(reach it with kubectl port-forward\)/,
    );
  });

  it('publishes a port with no host port on its container port, uses the first port of a range, and mode host as hostPort', () => {
    const r = exportValid(
      stack('p', [
        service('web', {
          image: 'x',
          ports: [
            { target: 80, protocol: 'tcp' },
            { target: 81, published: '9000-9010', protocol: 'tcp' },
            { target: 82, published: '82', protocol: 'tcp', mode: 'host' },
          ],
        }),
      ]),
    );
    expect(find(r, 'Service', 'web-published').spec?.ports?.map((p) => [p.port, p.targetPort])).toEqual([
      [80, 80],
      [9000, 81],
    ]);
    expect(reason(r, 'services.web.ports[1].published')).toMatch(/9000 is used/);
    expect(containerOf(r, 'web').ports?.find((p) => p.containerPort === 82)).toEqual({
      containerPort: 82,
      protocol: 'TCP',
      hostPort: 82,
    });
  });

  it('carries network aliases as more ClusterIP Services selecting the same pods, reporting the ones it cannot', () => {
    const r = exportValid(
      stack('p', [
        service('db', {
          image: 'pg',
          expose: ['5432'],
          networks: {
            back: { aliases: ['database', 'Bad_Alias', 'web'] },
            front: { aliases: ['database', 'db'] },
          },
        }),
        service('web', { image: 'x', networks: { default: { aliases: ['www'] } } }),
      ]),
    );
    const alias = find(r, 'Service', 'database');
    expect(alias.spec?.selector).toEqual(find(r, 'Service', 'db').spec?.selector);
    expect(alias.spec?.ports).toEqual(find(r, 'Service', 'db').spec?.ports);
    expect(r.objects.filter((o) => o.kind === 'Service').map((o) => o.metadata?.name)).toEqual([
      'db',
      'database',
    ]);
    expect(reason(r, 'services.db.networks.back.aliases[1]')).toBe(
      '"Bad_Alias" is not a DNS label, so it cannot name a Service',
    );
    expect(reason(r, 'services.db.networks.back.aliases[2]')).toBe(
      '"web" is already the name of another Service',
    );
    expect(reason(r, 'services.web.networks.default.aliases[0]')).toMatch(/no ports: or expose:/);
  });

  it('makes the Service headless for endpoint_mode dnsrr', () => {
    const r = exportValid(
      stack('p', [
        service('w', {
          image: 'x',
          expose: ['80'],
          deploy: { endpoint_mode: 'dnsrr', labels: {}, resources: { limits: {}, reservations: {} } },
        }),
      ]),
    );
    expect(find(r, 'Service', 'w').spec?.clusterIP).toBe('None');
  });

  it('reports a service without ports that others depend on or link to, since nothing can reach it by name', () => {
    const r = exportValid(
      stack('p', [
        service('db', { image: 'postgres' }),
        service('lone', { image: 'x' }),
        service('web', {
          image: 'x',
          depends_on: { db: { condition: 'service_started', required: true, restart: false } },
        }),
        service('cron', { image: 'x', links: ['db:database'] }),
      ]),
    );
    expect(reason(r, 'services.db')).toBe(
      'has no ports: or expose:, so no Service is generated and web, cron cannot reach "db" by name; add expose: with the ports it listens on',
    );
    expect(reason(r, 'services.lone')).toBeUndefined();
  });

  it('creates no Service for a service without ports', () => {
    const r = exportValid(stack('p', [service('worker', { image: 'x' })]));
    expect(r.objects.map((o) => o.kind)).toEqual(['Deployment']);
  });
});
