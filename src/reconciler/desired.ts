/**
 * desired(stack): the objects that should exist — one container per replica with its create spec and
 * config hash, the networks and volumes — all labelled so `observe` finds them by label alone.
 */
import { desiredNetworks, serviceAttachments } from '../network/networks.js';
import {
  serviceMounts,
  serviceVolumesFrom,
  volumesFromServices,
  desiredVolumes,
} from '../network/volumes.js';
import type {
  ContainerCreateSpec,
  HealthcheckConfig,
  ResourceConfig,
  RestartPolicy,
} from '../runtime/types.js';
import type { DependsOn, ServiceSpec, Stack } from '../spec/types.js';
import { VERSION } from '../core/version.js';
import { configHash, formatFieldDigests } from './config-hash.js';
import { desiredProcesses } from './desired-processes.js';
import { LABEL } from '../model/labels.js';
import type { DesiredContainer, DesiredService, DesiredState } from '../model/desired.js';

export interface DesiredOptions {
  /** Resolved image IDs per service (from images.ts); without them image changes are not detected. */
  imageIds?: Record<string, string>;
}

/** The image reference a service runs: `image:`, else `<project>-<service>` for build-only services. */
export function serviceImage(stack: Stack, service: ServiceSpec): string {
  return service.image ?? `${stack.name}-${service.name}`;
}

/** The container name of one replica: `container_name`, else `<project>-<service>-<n>`. */
export function containerName(stack: Stack, service: ServiceSpec, replica: number): string {
  const sep = stack.nameSeparator ?? '-';
  return service.container_name ?? `${stack.name}${sep}${service.name}${sep}${replica}`;
}

/** Computes everything that should exist for the stack. */
export function desired(stack: Stack, options: DesiredOptions = {}): DesiredState {
  const services: Record<string, DesiredService> = {};
  const completedTargets = new Set<string>();
  const waits = [
    ...Object.values(stack.services).flatMap((s) => [s.depends_on, s.process_depends_on]),
    ...Object.values(stack.processes).map((p) => p.depends_on),
  ];
  for (const deps of waits)
    for (const [dep, d] of Object.entries(deps))
      if (d.condition === 'service_completed_successfully') completedTargets.add(dep);

  for (const s of Object.values(stack.services)) {
    const dependsOn = serviceDependencies(stack, s);
    const imageId = options.imageIds?.[s.name];
    const containers: DesiredContainer[] = [];
    for (let replica = 1; replica <= s.replicas; replica++)
      containers.push(desiredContainer(stack, s, { replica, imageId, dependsOn: Object.keys(dependsOn) }));
    const first = containers[0]?.spec;
    services[s.name] = {
      name: s.name,
      replicas: s.replicas,
      containers,
      dependsOn,
      networks: first?.networks.map((n) => n.network) ?? [],
      volumes: (first?.mounts ?? []).flatMap((m) => (m.type === 'volume' && m.source ? [m.source] : [])),
      longRunning: !completedTargets.has(s.name),
      sharesWith: [
        ...(s.network_mode?.startsWith('service:') ? [s.network_mode.slice('service:'.length)] : []),
        ...volumesFromServices(stack, s),
      ],
      imageId,
      stopTimeout: first?.stopTimeout,
      ...(s.deploy?.update_config ? { updateConfig: s.deploy.update_config } : {}),
    };
  }
  return {
    project: stack.name,
    services,
    processes: desiredProcesses(stack, completedTargets),
    networks: desiredNetworks(stack, Object.values(stack.services)),
    volumes: desiredVolumes(stack),
  };
}

/**
 * `desired(stack)` with the images' IDs added, as `desired(stack, { imageIds })` computes it: the ID is a
 * bookkeeping label outside the config hash, so nothing is hashed again (a no-op `up` of 50 services
 * spent most of its reconcile time hashing every container twice).
 */
export function withImageIds(state: DesiredState, imageIds: Record<string, string>): DesiredState {
  const services: Record<string, DesiredService> = {};
  for (const [name, s] of Object.entries(state.services)) {
    const imageId = imageIds[name];
    services[name] = !imageId
      ? s
      : {
          ...s,
          imageId,
          containers: s.containers.map((c) => ({
            ...c,
            spec: { ...c.spec, labels: { ...c.spec.labels, [LABEL.image]: imageId } },
          })),
        };
  }
  return { ...state, services };
}

/**
 * Explicit and implicit dependencies; implicit ones (network/volume sharing, links) wait for start. Host
 * processes the service waits for (`x-tsstack.depends_on`) are among them: one graph for both kinds.
 */
export function serviceDependencies(stack: Stack, s: ServiceSpec): Record<string, DependsOn> {
  const deps: Record<string, DependsOn> = {};
  const implicit = (name: string): void => {
    if (name !== s.name && name in stack.services && !(name in deps))
      deps[name] = { condition: 'service_started', required: true, restart: false };
  };
  for (const [name, d] of Object.entries(s.depends_on)) if (name in stack.services) deps[name] = d;
  for (const [name, d] of Object.entries(s.process_depends_on ?? {}))
    if (name in (stack.processes ?? {})) deps[name] = d;
  if (s.network_mode?.startsWith('service:')) implicit(s.network_mode.slice('service:'.length));
  for (const name of volumesFromServices(stack, s)) implicit(name);
  for (const link of s.links) implicit(link.split(':', 1)[0] as string);
  return deps;
}

export interface ContainerOptions {
  replica: number;
  /** Overrides the name (one-off containers). */
  name?: string;
  imageId?: string;
  dependsOn?: string[];
  oneoff?: boolean;
  command?: string[];
}

/** One container of a service, labelled and hashed. */
export function desiredContainer(stack: Stack, s: ServiceSpec, opts: ContainerOptions): DesiredContainer {
  const name = opts.name ?? containerName(stack, s, opts.replica);
  const spec = containerSpec(stack, s, name);
  if (opts.command) spec.command = opts.command;
  const { hash, fields } = configHash(spec);
  spec.labels = {
    ...spec.labels,
    [LABEL.project]: stack.name,
    [LABEL.service]: s.name,
    [LABEL.replica]: String(opts.replica),
    [LABEL.configHash]: hash,
    [LABEL.configFields]: formatFieldDigests(fields),
    [LABEL.configFiles]: stack.files.join(','),
    [LABEL.workingDir]: stack.projectDir,
    [LABEL.version]: VERSION,
    [LABEL.oneoff]: opts.oneoff ? 'true' : 'false',
    ...(opts.dependsOn?.length ? { [LABEL.dependsOn]: opts.dependsOn.join(',') } : {}),
    ...(opts.imageId ? { [LABEL.image]: opts.imageId } : {}),
  };
  return { service: s.name, replica: opts.replica, name, spec, hash, fields };
}

/** The create spec of a service's container, before tsstack's labels. */
function containerSpec(stack: Stack, s: ServiceSpec, name: string): ContainerCreateSpec {
  const { networkMode, networks } = serviceAttachments(stack, s, name);
  return {
    name,
    image: serviceImage(stack, s),
    labels: { ...s.labels },
    command: s.command ?? undefined,
    entrypoint: s.entrypoint ?? undefined,
    env: Object.entries(s.environment)
      .filter((e): e is [string, string] => e[1] !== null)
      .map(([k, v]) => `${k}=${v}`)
      .sort(),
    workingDir: s.working_dir,
    user: s.user,
    hostname: s.hostname,
    domainname: s.domainname,
    tty: s.tty,
    openStdin: s.stdin_open,
    exposedPorts: exposedPorts(s),
    ports: s.ports.map((p) => ({
      target: p.target,
      protocol: p.protocol,
      hostIp: p.host_ip,
      hostPort: p.published,
    })),
    mounts: serviceMounts(stack, s),
    networkMode,
    networks,
    restartPolicy: restartPolicy(s),
    healthcheck: healthcheck(s),
    resources: resources(s),
    stopSignal: s.stop_signal,
    stopTimeout: s.stop_grace_period === undefined ? undefined : Math.ceil(s.stop_grace_period / 1000),
    init: s.init,
    privileged: s.privileged,
    readOnlyRootfs: s.read_only,
    capAdd: s.cap_add,
    capDrop: s.cap_drop,
    securityOpt: s.security_opt,
    dns: s.dns,
    dnsSearch: s.dns_search,
    dnsOptions: s.dns_opt,
    extraHosts: withHostGateway(stack, s.extra_hosts),
    sysctls: s.sysctls,
    devices: s.devices,
    groupAdd: s.group_add,
    volumesFrom: serviceVolumesFrom(stack, s),
    pidMode: s.pid,
    ipcMode: s.ipc,
    usernsMode: s.userns_mode,
    platform: s.platform,
    logConfig: s.logging?.driver ? { type: s.logging.driver, config: s.logging.options } : undefined,
  };
}

/**
 * A stack with host processes: its containers reach them as `host.docker.internal` (the engine's
 * `host-gateway`), unless the file already says where that name points.
 */
function withHostGateway(stack: Stack, hosts: string[]): string[] {
  if (Object.keys(stack.processes ?? {}).length === 0) return hosts;
  if (hosts.some((h) => /^host\.docker\.internal[:=]/.test(h))) return hosts;
  return [...hosts, 'host.docker.internal:host-gateway'];
}

function exposedPorts(s: ServiceSpec): ContainerCreateSpec['exposedPorts'] {
  const out = new Map<string, { target: number; protocol: 'tcp' | 'udp' | 'sctp' }>();
  for (const p of s.ports) out.set(`${p.target}/${p.protocol}`, { target: p.target, protocol: p.protocol });
  for (const e of s.expose) {
    const [range = e, proto = 'tcp'] = e.split('/', 2);
    const [from, to = from] = range.split('-').map((x) => Number.parseInt(x, 10));
    if (from === undefined || to === undefined || Number.isNaN(from)) continue;
    for (let port = from; port <= to; port++)
      out.set(`${port}/${proto}`, { target: port, protocol: proto as 'tcp' | 'udp' | 'sctp' });
  }
  return [...out.values()];
}

function restartPolicy(s: ServiceSpec): RestartPolicy | undefined {
  const r = s.restart;
  if (!r) return undefined;
  if (r.startsWith('on-failure:'))
    return { name: 'on-failure', maximumRetryCount: Number.parseInt(r.slice('on-failure:'.length), 10) };
  return { name: r as RestartPolicy['name'] };
}

function healthcheck(s: ServiceSpec): HealthcheckConfig | undefined {
  const h = s.healthcheck;
  if (!h) return undefined;
  if (h.disable) return { test: ['NONE'] };
  return {
    test: h.test,
    interval: h.interval,
    timeout: h.timeout,
    retries: h.retries,
    startPeriod: h.start_period,
    startInterval: h.start_interval,
  };
}

function resources(s: ServiceSpec): ResourceConfig | undefined {
  const limits = s.deploy?.resources.limits ?? {};
  const reservations = s.deploy?.resources.reservations ?? {};
  const r: ResourceConfig = {
    cpus: s.cpus ?? limits.cpus,
    cpuShares: s.cpu_shares,
    cpusetCpus: s.cpuset,
    memory: s.mem_limit ?? limits.memory,
    memoryReservation: s.mem_reservation ?? reservations.memory,
    memorySwap: s.memswap_limit,
    pidsLimit: s.pids_limit ?? limits.pids,
    shmSize: s.shm_size,
    oomScoreAdj: s.oom_score_adj,
    ulimits: Object.entries(s.ulimits).map(([name, u]) => ({ name, soft: u.soft, hard: u.hard })),
  };
  const defined = Object.entries(r).filter(
    ([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0),
  );
  return defined.length > 0 ? r : undefined;
}
