/** `tsstack export kubernetes`: a pure translation of a normalized Stack into Kubernetes objects plus a report of what did not fit. */
import type { IService } from 'kubernetes-models/v1/Service';
import { isImplicit } from '../../spec/normalize/implicit-deps.js';
import type { ServiceSpec, Stack } from '../../spec/types.js';
import type { ExportContext } from './context.js';
import { fileObjects } from './files.js';
import { NameTable, WORKLOAD_NAME_MAX, toDnsLabel } from './names.js';
import { type ServicePorts, servicePorts } from './ports.js';
import { SkipReport } from './report.js';
import { aliasServices, clusterService, publishedService } from './services.js';
import { claimObjects } from './storage.js';
import {
  DEFAULT_INIT_IMAGE,
  DEFAULT_VOLUME_SIZE,
  type KubernetesExport,
  type KubernetesExportOptions,
  type SkippedKey,
} from './types.js';
import { reportNetworks, reportServiceKeys } from './unsupported.js';
import { type Workload, workload } from './workload.js';

export type { KubeObject, KubernetesExport, KubernetesExportOptions, SkippedKey } from './types.js';

/** The image a service runs, or undefined (reported) when Kubernetes has nothing to pull. */
function imageOf(ctx: ExportContext, service: ServiceSpec): string | undefined {
  const path = ['services', service.name];
  if (service.image === undefined) {
    ctx.report.skip(
      service.build ? [...path, 'build'] : path,
      service.build
        ? 'Kubernetes needs an image reference; add image:'
        : 'has no image:; Kubernetes needs an image reference',
    );
    return undefined;
  }
  if (service.build) {
    ctx.report.skip(
      [...path, 'build'],
      `Kubernetes does not build images; build and push "${service.image}" where the cluster can pull it`,
    );
  }
  return service.image;
}

/** Named volumes mounted by more than one pod: a ReadWriteOnce claim makes those pods share a node. */
function reportSharedVolumes(ctx: ExportContext, exported: ServiceSpec[]): void {
  const users = new Map<string, { label: string; pods: number }[]>();
  for (const s of exported) {
    const sources = new Set(s.volumes.flatMap((v) => (v.type === 'volume' && v.source ? [v.source] : [])));
    const global = s.deploy?.mode === 'global';
    // A global service runs a pod on every node: count it as more than one.
    const use = global
      ? { label: `${s.name} (one per node)`, pods: 2 }
      : { label: s.replicas > 1 ? `${s.name}×${s.replicas}` : s.name, pods: s.replicas };
    for (const src of sources) users.set(src, [...(users.get(src) ?? []), use]);
  }
  for (const [key, list] of users) {
    if (list.reduce((n, u) => n + u.pods, 0) <= 1 || !ctx.claimNames.has(key)) continue;
    ctx.report.skip(
      ['volumes', key],
      `mounted by ${list.map((u) => u.label).join(', ')}; a ReadWriteOnce claim only mounts on one node, so those pods must run together (use a ReadWriteMany storage class to spread them)`,
    );
  }
}

/**
 * Compose lets any container reach a service by name on any port the image listens on; Kubernetes needs a
 * Service, and tsstack cannot see the image's EXPOSE. Say so for each service another one depends on or links to.
 */
function reportUnreachable(ctx: ExportContext, portsOf: Map<string, ServicePorts>): void {
  const services = Object.values(ctx.stack.services);
  for (const [name, ports] of portsOf) {
    if (ports.cluster.length > 0) continue;
    const users = services
      .filter(
        (s) =>
          (s.depends_on[name] !== undefined &&
            !isImplicit(s.depends_on[name]) &&
            s.depends_on[name].condition !== 'service_completed_successfully') ||
          s.links.some((l) => l.split(':')[0] === name),
      )
      .map((s) => s.name);
    if (users.length === 0) continue;
    ctx.report.skip(
      ['services', name],
      `has no ports: or expose:, so no Service is generated and ${users.join(', ')} cannot reach "${name}" by name; add expose: with the ports it listens on`,
    );
  }
}

/** Orders the report for reading: each service's entries together in stack order, then volumes, networks, secrets, configs. */
function bySection(stack: Stack, entries: SkippedKey[]): SkippedKey[] {
  const services = Object.keys(stack.services);
  const sections = ['volumes', 'networks', 'secrets', 'configs'];
  const rank = (path: string): number => {
    for (const [i, name] of services.entries()) {
      if (path === `services.${name}` || path.startsWith(`services.${name}.`)) return i;
    }
    const section = sections.indexOf(path.split('.')[0] ?? '');
    return services.length + (section >= 0 ? section : sections.length);
  };
  return entries
    .map((e, i) => ({ e, i, r: rank(e.path) }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((x) => x.e);
}

/** Translates `stack` into Kubernetes objects; everything that has no faithful form is listed in `skipped`. */
export function toKubernetes(stack: Stack, options: KubernetesExportOptions): KubernetesExport {
  const ctx: ExportContext = {
    stack,
    options: {
      ...options,
      initImage: options.initImage ?? DEFAULT_INIT_IMAGE,
      defaultVolumeSize: options.defaultVolumeSize ?? DEFAULT_VOLUME_SIZE,
    },
    report: new SkipReport(),
    serviceNames: new Map(),
    secretNames: new Map(),
    configNames: new Map(),
    claimNames: new Map(),
  };
  const { configMaps, secrets } = fileObjects(ctx);
  const claims = claimObjects(ctx);

  // Names first: depends_on waits refer to other services by their Kubernetes name.
  const serviceTable = new NameTable(WORKLOAD_NAME_MAX);
  const exported: { service: ServiceSpec; name: string; image: string }[] = [];
  const unexported: ServiceSpec[] = [];
  for (const service of Object.values(stack.services)) {
    const image = imageOf(ctx, service);
    if (image === undefined) {
      unexported.push(service);
      continue;
    }
    const name = serviceTable.claim(toDnsLabel(service.name, WORKLOAD_NAME_MAX));
    if (name !== service.name) {
      ctx.report.skip(
        ['services', service.name],
        `exported as "${name}" (Kubernetes names are DNS labels); other services must use that name`,
      );
    }
    ctx.serviceNames.set(service.name, name);
    exported.push({ service, name, image });
  }
  const portsOf = new Map<string, ServicePorts>(
    exported.map(({ service }) => [service.name, servicePorts(ctx, service)]),
  );

  reportUnreachable(ctx, portsOf);

  const services: IService[] = [];
  const workloads: Workload[] = [];
  for (const { service, name, image } of exported) {
    const ports = portsOf.get(service.name) ?? { cluster: [], published: [], hostPorts: [] };
    if (ports.cluster.length > 0) services.push(clusterService(ctx, service, name, ports.cluster));
    services.push(...aliasServices(ctx, service, name, ports.cluster, serviceTable));
    if (ports.published.length > 0) {
      services.push(
        publishedService(ctx, serviceTable.claim(toDnsLabel(`${name}-published`)), name, ports.published),
      );
    }
    workloads.push(workload(ctx, service, name, image, ports, portsOf));
    reportServiceKeys(ctx, service);
  }
  // A service without an image is not exported, but everything else it asks for is still reported, all at once.
  for (const service of unexported) {
    workload(
      ctx,
      service,
      toDnsLabel(service.name, WORKLOAD_NAME_MAX),
      '',
      servicePorts(ctx, service),
      portsOf,
    );
    reportServiceKeys(ctx, service);
  }
  reportNetworks(ctx, stack);
  reportSharedVolumes(
    ctx,
    exported.map((e) => e.service),
  );
  return {
    objects: [...configMaps, ...secrets, ...claims, ...services, ...workloads],
    skipped: bySection(stack, ctx.report.entries),
  };
}
