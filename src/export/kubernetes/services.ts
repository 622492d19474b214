/** Kubernetes Services for a Compose service: ClusterIP under the service's own name, LoadBalancer for published ports. */
import type { IService } from 'kubernetes-models/v1/Service';
import type { IServicePort } from 'kubernetes-models/v1/ServicePort';
import type { ServiceSpec } from '../../spec/types.js';
import { type ExportContext, objectMeta, selectorLabels } from './context.js';
import { DNS_LABEL, type NameTable } from './names.js';
import { type PortEntry, portNames } from './ports.js';

function servicePortList(entries: readonly PortEntry[]): IServicePort[] {
  const names = portNames(entries);
  return entries.map((e, i) => {
    const port: IServicePort = {
      name: names[i] ?? `port-${i}`,
      port: e.port,
      targetPort: e.target,
      protocol: e.protocol,
    };
    if (e.appProtocol !== undefined) port.appProtocol = e.appProtocol;
    return port;
  });
}

/**
 * The ClusterIP Service keeps Compose's service discovery: other pods reach `<service>:<container port>`.
 * `endpoint_mode: dnsrr` makes it headless (the name resolves to pod addresses, as Compose's DNS does).
 */
export function clusterService(
  ctx: ExportContext,
  service: ServiceSpec,
  name: string,
  ports: PortEntry[],
  workload = name,
): IService {
  const selector = selectorLabels(ctx, workload);
  const svc: IService = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: objectMeta(ctx, name, { ...selector }),
    spec: { type: 'ClusterIP', selector, ports: servicePortList(ports) },
  };
  if (service.deploy?.endpoint_mode === 'dnsrr' && svc.spec) svc.spec.clusterIP = 'None';
  return svc;
}

/** Published ports: a LoadBalancer listening on the published port (it also gets node ports where no load balancer exists). */
export function publishedService(
  ctx: ExportContext,
  name: string,
  workload: string,
  ports: PortEntry[],
): IService {
  const selector = selectorLabels(ctx, workload);
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: objectMeta(ctx, name, { ...selector }),
    spec: { type: 'LoadBalancer', selector, ports: servicePortList(ports) },
  };
}

/**
 * Network aliases as more ClusterIP Services selecting the same pods, so `database:5432` keeps working.
 * Kubernetes has one flat namespace of names, so an alias is cluster-wide, not per network.
 */
export function aliasServices(
  ctx: ExportContext,
  service: ServiceSpec,
  workload: string,
  ports: PortEntry[],
  names: NameTable,
): IService[] {
  const out: IService[] = [];
  const seen = new Set<string>([service.name, workload]);
  for (const [net, att] of Object.entries(service.networks)) {
    att.aliases.forEach((alias, i) => {
      if (seen.has(alias)) return;
      seen.add(alias);
      const path = ['services', service.name, 'networks', net, 'aliases', i];
      if (ports.length === 0) {
        ctx.report.skip(path, 'the service has no ports: or expose:, so no Service can carry the alias');
      } else if (!DNS_LABEL.test(alias) || alias.length > 63) {
        ctx.report.skip(path, `"${alias}" is not a DNS label, so it cannot name a Service`);
      } else if (names.has(alias)) {
        ctx.report.skip(path, `"${alias}" is already the name of another Service`);
      } else {
        out.push(clusterService(ctx, service, names.claim(alias), ports, workload));
      }
    });
  }
  return out;
}
