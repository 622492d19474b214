/** Pod-level settings of a service: hosts, DNS, namespaces, sysctls, platform, init containers that wait for dependencies. */
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IHostAlias } from 'kubernetes-models/v1/HostAlias';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import { isImplicit } from '../../spec/normalize/implicit-deps.js';
import type { ServiceSpec } from '../../spec/types.js';
import type { ExportContext } from './context.js';
import { DNS_1123_LABEL, NameTable, toDnsLabel } from './names.js';
import type { ServicePorts } from './ports.js';
import { seconds } from './quantity.js';

/** Pod spec fields other than containers and volumes. */
export function podSettings(ctx: ExportContext, service: ServiceSpec): Partial<IPodSpec> {
  const spec: Partial<IPodSpec> = {};
  const path = ['services', service.name];
  if (service.stop_grace_period !== undefined)
    spec.terminationGracePeriodSeconds = seconds(service.stop_grace_period, 0);
  if (service.hostname !== undefined) {
    if (DNS_1123_LABEL.test(service.hostname) && service.hostname.length <= 63)
      spec.hostname = service.hostname;
    else
      ctx.report.skip(
        [...path, 'hostname'],
        `"${service.hostname}" is not a DNS label (lowercase letters, digits, '-')`,
      );
  }
  if (service.network_mode !== undefined) {
    if (service.network_mode === 'host') {
      spec.hostNetwork = true;
      spec.dnsPolicy = 'ClusterFirstWithHostNet';
    } else if (service.network_mode !== 'bridge') {
      ctx.report.skip(
        [...path, 'network_mode'],
        `"${service.network_mode}": pods always have their own network (only "host" has a Kubernetes form)`,
      );
    }
  }
  if (service.pid !== undefined) {
    if (service.pid === 'host') spec.hostPID = true;
    else ctx.report.skip([...path, 'pid'], `"${service.pid}": a pod can only share the host's pid namespace`);
  }
  if (service.ipc !== undefined) {
    if (service.ipc === 'host') spec.hostIPC = true;
    else if (service.ipc !== 'private' && service.ipc !== 'shareable') {
      ctx.report.skip([...path, 'ipc'], `"${service.ipc}": a pod can only share the host's ipc namespace`);
    }
  }
  const security: NonNullable<IPodSpec['securityContext']> = {};
  const sysctls = Object.entries(service.sysctls);
  if (sysctls.length > 0) security.sysctls = sysctls.map(([name, value]) => ({ name, value }));
  const groups: number[] = [];
  service.group_add.forEach((g, i) => {
    if (/^\d+$/.test(g)) groups.push(Number(g));
    else ctx.report.skip([...path, 'group_add', i], `"${g}": Kubernetes needs numeric group ids`);
  });
  if (groups.length > 0) security.supplementalGroups = groups;
  if (Object.keys(security).length > 0) spec.securityContext = security;
  // With the default ClusterFirst policy these add to the cluster's DNS settings instead of replacing them.
  const dnsConfig: NonNullable<IPodSpec['dnsConfig']> = {};
  if (service.dns.length > 0) dnsConfig.nameservers = service.dns;
  if (service.dns_search.length > 0) dnsConfig.searches = service.dns_search;
  if (service.dns_opt.length > 0) {
    dnsConfig.options = service.dns_opt.map((o) => {
      const [name = o, value] = o.split(':');
      return value !== undefined ? { name, value } : { name };
    });
  }
  if (Object.keys(dnsConfig).length > 0) spec.dnsConfig = dnsConfig;
  const aliases = hostAliases(ctx, service);
  if (aliases.length > 0) spec.hostAliases = aliases;
  if (service.platform !== undefined) {
    const [os, arch] = service.platform.split('/');
    spec.nodeSelector = { 'kubernetes.io/os': os ?? service.platform };
    if (arch !== undefined) spec.nodeSelector['kubernetes.io/arch'] = arch;
  }
  return spec;
}

/** `extra_hosts` (`host:ip` or `host=ip`), grouped by address as hostAliases wants. */
function hostAliases(ctx: ExportContext, service: ServiceSpec): IHostAlias[] {
  const byIp = new Map<string, string[]>();
  service.extra_hosts.forEach((entry, i) => {
    const m = /^([^:=]+)[:=](.+)$/.exec(entry);
    if (!m || m[2] === 'host-gateway') {
      ctx.report.skip(
        ['services', service.name, 'extra_hosts', i],
        `"${entry}": Kubernetes needs a fixed address (host-gateway has no form)`,
      );
      return;
    }
    const ip = (m[2] ?? '').replace(/^\[|\]$/g, '');
    byIp.set(ip, [...(byIp.get(ip) ?? []), m[1] ?? '']);
  });
  return [...byIp].map(([ip, hostnames]) => ({ ip, hostnames }));
}

/**
 * One init container per dependency that waits until the dependency's ClusterIP Service accepts a TCP
 * connection. A Service only routes to ready pods, and readiness comes from the health check, so this covers
 * both `service_started` and `service_healthy`.
 */
export function waitContainers(
  ctx: ExportContext,
  service: ServiceSpec,
  portsOf: Map<string, ServicePorts>,
): IContainer[] {
  const out: IContainer[] = [];
  const names = new NameTable();
  for (const [dep, cond] of Object.entries(service.depends_on)) {
    // Entries implied by links, volumes_from or network_mode are not in the file; those keys are reported on their own.
    if (isImplicit(cond)) continue;
    const path = ['services', service.name, 'depends_on', dep];
    if (cond.condition === 'service_completed_successfully') {
      ctx.report.skip(
        [...path, 'condition'],
        'cannot be expressed: Kubernetes cannot order a pod after another workload completes (run it as a Job first)',
      );
      continue;
    }
    if (!cond.required) {
      ctx.report.skip([...path, 'required'], 'an optional dependency is not waited for');
      continue;
    }
    const host = ctx.serviceNames.get(dep);
    if (host === undefined) {
      ctx.report.skip(path, `"${dep}" is not exported (see services.${dep}), so it is not waited for`);
      continue;
    }
    const port = portsOf.get(dep)?.cluster.find((p) => p.protocol === 'TCP');
    if (port === undefined) {
      ctx.report.skip(
        path,
        `"${dep}" has no TCP port in ports: or expose:, so there is no Service to wait for; add expose:`,
      );
      continue;
    }
    out.push({
      name: names.claim(toDnsLabel(`wait-for-${host}`)),
      image: ctx.options.initImage,
      command: [
        'sh',
        '-c',
        `until nc -w 2 ${host} ${port.port} </dev/null; do echo "waiting for ${host}:${port.port}"; sleep 2; done`,
      ],
    });
    if (cond.restart) {
      ctx.report.skip([...path, 'restart'], 'Kubernetes does not restart a pod when a dependency restarts');
    }
  }
  return out;
}
