/**
 * Pure translations between tsstack's runtime types and the Docker Engine API's JSON shapes.
 * No I/O here: docker.ts sends what these build and maps what the engine answers.
 */
import { EngineError } from '../core/errors.js';
import type {
  ContainerCreateSpec,
  ContainerState,
  ContainerStats,
  ContainerSummary,
  EngineEvent,
  EngineEventType,
  HealthState,
  HealthcheckConfig,
  LabelFilter,
  Mount,
  NetworkAttachment,
  PublishedPort,
} from './types.js';

// The engine's JSON is loosely typed; these describe only what tsstack reads or writes.
type Json = Record<string, unknown>;

/** Engine `filters` for a label filter: `{label: ["k=v", "k"]}`. */
export function labelFilters(filter: LabelFilter): { label: string[] } {
  return { label: Object.entries(filter).map(([k, v]) => (v === true ? k : `${k}=${v}`)) };
}

/** Compares dotted API versions ("1.41" < "1.45"). */
export function compareApiVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

const MS_TO_NS = 1_000_000;

function healthcheckBody(h: HealthcheckConfig, apiVersion: string): Json {
  const body: Json = { Test: h.test };
  if (h.interval !== undefined) body.Interval = h.interval * MS_TO_NS;
  if (h.timeout !== undefined) body.Timeout = h.timeout * MS_TO_NS;
  if (h.retries !== undefined) body.Retries = h.retries;
  if (h.startPeriod !== undefined) body.StartPeriod = h.startPeriod * MS_TO_NS;
  // Engines before API 1.44 reject StartInterval; it only tunes probing during start_period.
  if (h.startInterval !== undefined && compareApiVersions(apiVersion, '1.44') >= 0)
    body.StartInterval = h.startInterval * MS_TO_NS;
  return body;
}

function mountBody(m: Mount, apiVersion: string): Json {
  const body: Json = { Type: m.type, Target: m.target, ReadOnly: m.readOnly };
  if (m.source !== undefined) body.Source = m.source;
  if (m.type === 'volume' && (m.noCopy || m.subpath)) {
    if (m.subpath && compareApiVersions(apiVersion, '1.45') < 0)
      throw new EngineError(
        `volume subpath for ${m.target} needs Docker Engine API 1.45 or newer (this engine speaks ${apiVersion})`,
      );
    body.VolumeOptions = { NoCopy: m.noCopy ?? false, ...(m.subpath ? { Subpath: m.subpath } : {}) };
  }
  if (m.type === 'bind' && m.propagation) body.BindOptions = { Propagation: m.propagation };
  if (m.type === 'tmpfs' && (m.tmpfsSize !== undefined || m.tmpfsMode !== undefined)) {
    body.TmpfsOptions = {
      ...(m.tmpfsSize !== undefined ? { SizeBytes: m.tmpfsSize } : {}),
      ...(m.tmpfsMode !== undefined ? { Mode: m.tmpfsMode } : {}),
    };
  }
  return body;
}

/** `/dev/a:/dev/b:rwm` → the engine's device mapping. */
function deviceBody(device: string): Json {
  const [host = device, container, perms] = device.split(':');
  return { PathOnHost: host, PathInContainer: container ?? host, CgroupPermissions: perms ?? 'rwm' };
}

/** The endpoint settings for one network attachment: aliases, static addresses. */
export function endpointBody(a: NetworkAttachment): Json {
  const body: Json = { Aliases: a.aliases };
  if (a.ipv4Address || a.ipv6Address) {
    body.IPAMConfig = {
      ...(a.ipv4Address ? { IPv4Address: a.ipv4Address } : {}),
      ...(a.ipv6Address ? { IPv6Address: a.ipv6Address } : {}),
    };
  }
  if (a.macAddress) body.MacAddress = a.macAddress;
  return body;
}

/** Network mode and networks the engine attaches at create time (the first one); the rest are connected after. */
function networking(spec: ContainerCreateSpec): {
  mode?: string;
  endpoints?: Json;
  later: NetworkAttachment[];
} {
  const [first, ...rest] = spec.networks;
  const mode = spec.networkMode ?? first?.network;
  if (!first) return { mode, later: [] };
  if (mode !== undefined && mode !== first.network) {
    // A special mode (host, none, container:) cannot be combined with networks.
    return { mode, later: [] };
  }
  return { mode, endpoints: { [first.network]: endpointBody(first) }, later: rest };
}

/** Networks to connect after create (everything but the first). */
export function laterNetworks(spec: ContainerCreateSpec): NetworkAttachment[] {
  return networking(spec).later;
}

function hostConfig(spec: ContainerCreateSpec, apiVersion: string, networkMode?: string): Json {
  const portBindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const p of spec.ports) {
    const key = `${p.target}/${p.protocol}`;
    (portBindings[key] ??= []).push({ HostIp: p.hostIp ?? '', HostPort: p.hostPort ?? '' });
  }
  const r = spec.resources ?? {};
  const hc: Json = {
    Mounts: spec.mounts.map((m) => mountBody(m, apiVersion)),
    PortBindings: portBindings,
    NetworkMode: networkMode,
    RestartPolicy: spec.restartPolicy
      ? { Name: spec.restartPolicy.name, MaximumRetryCount: spec.restartPolicy.maximumRetryCount ?? 0 }
      : undefined,
    AutoRemove: spec.autoRemove,
    NanoCpus: r.cpus !== undefined ? Math.round(r.cpus * 1e9) : undefined,
    CpuShares: r.cpuShares,
    CpusetCpus: r.cpusetCpus,
    Memory: r.memory,
    MemoryReservation: r.memoryReservation,
    MemorySwap: r.memorySwap,
    PidsLimit: r.pidsLimit,
    ShmSize: r.shmSize,
    OomScoreAdj: r.oomScoreAdj,
    Ulimits: r.ulimits?.map((u) => ({ Name: u.name, Soft: u.soft, Hard: u.hard })),
    Init: spec.init,
    Privileged: spec.privileged,
    ReadonlyRootfs: spec.readOnlyRootfs,
    CapAdd: spec.capAdd,
    CapDrop: spec.capDrop,
    SecurityOpt: spec.securityOpt,
    Dns: spec.dns,
    DnsSearch: spec.dnsSearch,
    DnsOptions: spec.dnsOptions,
    ExtraHosts: spec.extraHosts,
    Sysctls: spec.sysctls,
    Devices: spec.devices?.map(deviceBody),
    GroupAdd: spec.groupAdd,
    VolumesFrom: spec.volumesFrom,
    PidMode: spec.pidMode,
    IpcMode: spec.ipcMode,
    UsernsMode: spec.usernsMode,
    LogConfig: spec.logConfig ? { Type: spec.logConfig.type, Config: spec.logConfig.config } : undefined,
  };
  return dropUndefined(hc);
}

/** The body of POST /containers/create for a spec (the name and platform go in the query). */
export function containerCreateBody(spec: ContainerCreateSpec, apiVersion: string): Json {
  const exposed: Record<string, object> = {};
  for (const p of spec.exposedPorts) exposed[`${p.target}/${p.protocol}`] = {};
  for (const p of spec.ports) exposed[`${p.target}/${p.protocol}`] = {};
  const net = networking(spec);
  const body: Json = {
    Image: spec.image,
    Labels: spec.labels,
    Cmd: spec.command,
    Entrypoint: spec.entrypoint,
    Env: spec.env,
    WorkingDir: spec.workingDir,
    User: spec.user,
    Hostname: spec.hostname,
    Domainname: spec.domainname,
    Tty: spec.tty ?? false,
    OpenStdin: spec.openStdin ?? false,
    StdinOnce: spec.stdinOnce,
    AttachStdin: spec.stdinOnce ?? false,
    AttachStdout: true,
    AttachStderr: true,
    ExposedPorts: exposed,
    Healthcheck: spec.healthcheck ? healthcheckBody(spec.healthcheck, apiVersion) : undefined,
    StopSignal: spec.stopSignal,
    StopTimeout: spec.stopTimeout,
    HostConfig: hostConfig(spec, apiVersion, net.mode),
    NetworkingConfig: net.endpoints ? { EndpointsConfig: net.endpoints } : undefined,
  };
  return dropUndefined(body);
}

function dropUndefined(o: Json): Json {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

const STATES: readonly ContainerState[] = [
  'created',
  'running',
  'paused',
  'restarting',
  'removing',
  'exited',
  'dead',
];

function containerState(s: unknown): ContainerState {
  const v = String(s ?? '').toLowerCase();
  // Podman says "configured" and "stopped" for what Docker calls created and exited.
  if (v === 'configured' || v === 'initialized') return 'created';
  if (v === 'stopped' || v === 'stopping') return 'exited';
  return (STATES as readonly string[]).includes(v) ? (v as ContainerState) : 'dead';
}

/** Health and exit code from a list entry's human Status ("Up 3 seconds (healthy)", "Exited (137) 2 s ago"). */
export function parseStatus(status: string): { health?: HealthState; exitCode?: number } {
  const out: { health?: HealthState; exitCode?: number } = {};
  if (/\(health: starting\)/.test(status)) out.health = 'starting';
  else if (/\(unhealthy\)/.test(status)) out.health = 'unhealthy';
  else if (/\(healthy\)/.test(status)) out.health = 'healthy';
  const exited = /^Exited \((-?\d+)\)/.exec(status);
  if (exited) out.exitCode = Number(exited[1]);
  return out;
}

function protocolOf(s: unknown): PublishedPort['protocol'] {
  return s === 'udp' || s === 'sctp' ? s : 'tcp';
}

function unixToIso(seconds: unknown): string | undefined {
  return typeof seconds === 'number' ? new Date(seconds * 1000).toISOString() : undefined;
}

/** An entry of GET /containers/json → ContainerSummary (no extra round trip per container). */
export function summaryFromList(c: Json): ContainerSummary {
  const names = (c.Names as string[] | undefined) ?? [];
  const status = parseStatus(String(c.Status ?? ''));
  const state = containerState(c.State);
  const ports: PublishedPort[] = ((c.Ports as Json[] | undefined) ?? []).map((p) => ({
    target: Number(p.PrivatePort),
    protocol: protocolOf(p.Type),
    ...(p.IP ? { hostIp: String(p.IP) } : {}),
    ...(p.PublicPort ? { hostPort: Number(p.PublicPort) } : {}),
  }));
  const nets = ((c.NetworkSettings as Json | undefined)?.Networks ?? {}) as Json;
  return {
    id: String(c.Id),
    name: (names[0] ?? '').replace(/^\//, ''),
    image: String(c.Image ?? ''),
    labels: (c.Labels as Record<string, string> | null) ?? {},
    state,
    ...(state === 'running' && status.health ? { health: status.health } : {}),
    ...(state === 'exited' && status.exitCode !== undefined ? { exitCode: status.exitCode } : {}),
    createdAt: unixToIso(c.Created),
    ...(c.Status ? { status: String(c.Status) } : {}),
    ports,
    networks: Object.keys(nets),
  };
}

function isoOrUndefined(s: unknown): string | undefined {
  // The engine reports "0001-01-01T00:00:00Z" for never.
  return typeof s === 'string' && !s.startsWith('0001-') ? s : undefined;
}

/** GET /containers/{id}/json → ContainerSummary. */
export function summaryFromInspect(c: Json): ContainerSummary {
  const st = (c.State ?? {}) as Json;
  const config = (c.Config ?? {}) as Json;
  const settings = (c.NetworkSettings ?? {}) as Json;
  const state = containerState(st.Status);
  const health = ((st.Health as Json | undefined)?.Status ?? '') as string;
  const ports: PublishedPort[] = [];
  for (const [key, bindings] of Object.entries((settings.Ports ?? {}) as Record<string, Json[] | null>)) {
    const [target, proto] = key.split('/');
    const base = { target: Number(target), protocol: protocolOf(proto) };
    if (!bindings || bindings.length === 0) ports.push(base);
    else
      for (const b of bindings)
        ports.push({
          ...base,
          ...(b.HostIp ? { hostIp: String(b.HostIp) } : {}),
          ...(b.HostPort ? { hostPort: Number(b.HostPort) } : {}),
        });
  }
  return {
    id: String(c.Id),
    name: String(c.Name ?? '').replace(/^\//, ''),
    image: String(config.Image ?? c.Image ?? ''),
    labels: (config.Labels as Record<string, string> | null) ?? {},
    state,
    ...(state === 'running' && (health === 'starting' || health === 'healthy' || health === 'unhealthy')
      ? { health }
      : {}),
    ...(state === 'exited' || state === 'dead' ? { exitCode: Number(st.ExitCode ?? 0) } : {}),
    createdAt: isoOrUndefined(c.Created),
    startedAt: isoOrUndefined(st.StartedAt),
    finishedAt: isoOrUndefined(st.FinishedAt),
    restartCount: Number(c.RestartCount ?? 0),
    ports,
    networks: Object.keys((settings.Networks ?? {}) as Json),
  };
}

const EVENT_TYPES: readonly EngineEventType[] = ['container', 'network', 'volume', 'image'];

/** One JSON message of GET /events → EngineEvent; undefined for types tsstack does not follow. */
export function engineEventFrom(e: Json): EngineEvent | undefined {
  const type = String(e.Type ?? e.type ?? '');
  if (!(EVENT_TYPES as readonly string[]).includes(type)) return undefined;
  const actor = (e.Actor ?? {}) as Json;
  const timeNano = e.timeNano as number | undefined;
  return {
    type: type as EngineEventType,
    action: String(e.Action ?? e.status ?? ''),
    id: String(actor.ID ?? e.id ?? ''),
    attributes: (actor.Attributes as Record<string, string> | undefined) ?? {},
    time: timeNano ? Math.floor(timeNano / 1e6) : Number(e.time ?? 0) * 1000,
  };
}

/** CPU percent the way `docker stats` computes it: the container's share of the host's CPU time, times CPUs. */
export function cpuPercent(stats: Json): number {
  const cpu = (stats.cpu_stats ?? {}) as Json;
  const pre = (stats.precpu_stats ?? {}) as Json;
  const usage = (cpu.cpu_usage ?? {}) as Json;
  const preUsage = (pre.cpu_usage ?? {}) as Json;
  const cpuDelta = Number(usage.total_usage ?? 0) - Number(preUsage.total_usage ?? 0);
  const systemDelta = Number(cpu.system_cpu_usage ?? 0) - Number(pre.system_cpu_usage ?? 0);
  const online = Number(cpu.online_cpus ?? 0) || ((usage.percpu_usage as unknown[] | undefined)?.length ?? 0);
  if (cpuDelta <= 0 || systemDelta <= 0) return 0;
  return (cpuDelta / systemDelta) * online * 100;
}

/** Memory in use as `docker stats` shows it: usage minus the reclaimable page cache. */
/** One stats sample as `docker stats` reads it: CPU, memory, network, block I/O and process count. */
export function statsFrom(s: Json): ContainerStats {
  const mem = memoryUsage(s);
  const read = typeof s.read === 'string' ? Date.parse(s.read) : NaN;
  const nets = Object.values((s.networks ?? {}) as Record<string, Json>);
  const blkio = ((s.blkio_stats ?? {}) as Json).io_service_bytes_recursive as Json[] | null | undefined;
  const block = (op: string) =>
    (blkio ?? [])
      .filter((e) => String(e.op).toLowerCase() === op)
      .reduce((n, e) => n + Number(e.value ?? 0), 0);
  const pids = ((s.pids_stats ?? {}) as Json).current;
  return {
    cpuPercent: cpuPercent(s),
    memoryUsage: mem.usage,
    memoryLimit: mem.limit,
    time: Number.isNaN(read) || read <= 0 ? Date.now() : read,
    ...(s.networks
      ? {
          netRx: nets.reduce((n, x) => n + Number(x.rx_bytes ?? 0), 0),
          netTx: nets.reduce((n, x) => n + Number(x.tx_bytes ?? 0), 0),
        }
      : {}),
    blockRead: block('read'),
    blockWrite: block('write'),
    ...(typeof pids === 'number' ? { pids } : {}),
  };
}

export function memoryUsage(stats: Json): { usage: number; limit: number } {
  const mem = (stats.memory_stats ?? {}) as Json;
  const detail = (mem.stats ?? {}) as Json;
  const usage = Number(mem.usage ?? 0);
  const cache = Number(detail.total_inactive_file ?? detail.inactive_file ?? 0);
  return { usage: cache < usage ? usage - cache : usage, limit: Number(mem.limit ?? 0) };
}
