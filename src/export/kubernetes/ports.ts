/** A service's `ports:` and `expose:` sorted into container ports, cluster-internal ports and published ports. */
import type { ServiceSpec } from '../../spec/types.js';
import type { ExportContext } from './context.js';
import { toPortName } from './names.js';

export type KubeProtocol = 'TCP' | 'UDP' | 'SCTP';

export interface PortEntry {
  /** Port the Service listens on. */
  port: number;
  /** Port on the container. */
  target: number;
  protocol: KubeProtocol;
  /** Name the user gave, if any (made valid later). */
  name?: string;
  appProtocol?: string;
}

export interface ServicePorts {
  /** Every container port (targets of `ports:` and `expose:`), also the ports of the ClusterIP Service. */
  cluster: PortEntry[];
  /** Ports reachable from outside the cluster (the LoadBalancer Service). */
  published: PortEntry[];
  /** `mode: host` ports: bound on the node itself. */
  hostPorts: { target: number; hostPort: number; protocol: KubeProtocol }[];
}

const EXPOSE = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i;
const LOOPBACK = /^(127\.|::1$|localhost$)/;

function protocolOf(p: string): KubeProtocol {
  return p.toUpperCase() as KubeProtocol;
}

function pushUnique(list: PortEntry[], entry: PortEntry): boolean {
  if (list.some((e) => e.port === entry.port && e.protocol === entry.protocol)) return false;
  list.push(entry);
  return true;
}

/** First port of a published value (`8080` or `8000-8010`). */
function publishedPort(ctx: ExportContext, path: (string | number)[], published: string): number | undefined {
  const m = /^(\d+)(?:-(\d+))?$/.exec(published);
  if (!m) {
    ctx.report.skip(path, `"${published}" is not a port number`);
    return undefined;
  }
  const first = Number(m[1]);
  if (m[2] !== undefined && m[2] !== m[1]) {
    ctx.report.skip(path, `a host port range; a Kubernetes Service port is one port, so ${first} is used`);
  }
  return first;
}

/** Sorts the ports; a port bound to a host address stays cluster-internal, since a Service cannot bind one address. */
export function servicePorts(ctx: ExportContext, service: ServiceSpec): ServicePorts {
  const out: ServicePorts = { cluster: [], published: [], hostPorts: [] };
  service.ports.forEach((p, i) => {
    const path = ['services', service.name, 'ports', i];
    const protocol = protocolOf(p.protocol);
    const base: PortEntry = { port: p.target, target: p.target, protocol };
    if (p.name !== undefined) base.name = p.name;
    if (p.app_protocol !== undefined) base.appProtocol = p.app_protocol;
    pushUnique(out.cluster, { ...base });
    if (p.host_ip !== undefined && p.host_ip !== '0.0.0.0' && p.host_ip !== '::') {
      const local = LOOPBACK.test(p.host_ip);
      ctx.report.skip(
        [...path, 'host_ip'],
        `a Service cannot listen on one host address (${p.host_ip}); exported as a cluster-internal port only` +
          (local ? ' (reach it with kubectl port-forward)' : ''),
      );
      return;
    }
    const port =
      p.published !== undefined ? publishedPort(ctx, [...path, 'published'], p.published) : p.target;
    if (port === undefined) return;
    if (p.mode === 'host') {
      out.hostPorts.push({ target: p.target, hostPort: port, protocol });
      return;
    }
    if (!pushUnique(out.published, { ...base, port })) {
      ctx.report.skip(path, `port ${port}/${p.protocol} is already published by this service`);
    }
  });
  service.expose.forEach((e, i) => {
    const m = EXPOSE.exec(e.trim());
    if (!m) {
      ctx.report.skip(
        ['services', service.name, 'expose', i],
        `"${e}" is not a port, range or port/protocol`,
      );
      return;
    }
    const from = Number(m[1]);
    const to = m[2] !== undefined ? Number(m[2]) : from;
    const protocol = protocolOf(m[3] ?? 'tcp');
    for (let port = from; port <= to; port++) pushUnique(out.cluster, { port, target: port, protocol });
  });
  return out;
}

/** Valid, unique port names for a Service: the user's name when usable, else `<protocol>-<port>`. */
export function portNames(entries: readonly PortEntry[]): string[] {
  const used = new Set<string>();
  return entries.map((e) => {
    const fallback = `${e.protocol.toLowerCase()}-${e.port}`;
    let name = (e.name !== undefined ? toPortName(e.name) : undefined) ?? fallback;
    if (used.has(name)) name = fallback;
    for (let n = 2; used.has(name); n++) name = `${fallback.slice(0, 12)}-${n}`;
    used.add(name);
    return name;
  });
}
