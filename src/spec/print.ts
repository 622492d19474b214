import { stringify } from 'yaml';
import { formatDuration } from './duration.js';
import type {
  DeploySpec,
  HealthcheckSpec,
  NetworkSpec,
  SecretSpec,
  ServiceSpec,
  ServiceVolume,
  Stack,
  UpdateConfig,
  VolumeSpec,
  WatchRule,
} from './types.js';

type Doc = Record<string, unknown>;

/** Prints the normalized stack as a Compose document (durations and sizes back to Compose strings). */
export function printStack(stack: Stack, format: 'yaml' | 'json'): string {
  // Loading interpolates every string value, so a literal `$` is printed as `$$`, as `docker compose config` does.
  const doc = escapeDollars(stackDocument(stack)) as Doc;
  return format === 'json'
    ? `${JSON.stringify(doc, null, 2)}\n`
    : // YAML 1.1 quoting: strings like `no`, `off`, `50000:0` stay strings for YAML 1.1 readers (docker-compose 1.x).
      stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false, version: '1.1' });
}

/** String values with `$` doubled; mapping keys are not interpolated and stay as they are. */
function escapeDollars(value: unknown): unknown {
  if (typeof value === 'string') return value.includes('$') ? value.replaceAll('$', '$$$$') : value;
  if (Array.isArray(value)) return value.map(escapeDollars);
  if (value === null || typeof value !== 'object') return value;
  const out: Doc = {};
  for (const [k, v] of Object.entries(value)) out[k] = escapeDollars(v);
  return out;
}

/** The Compose document for `stack`: long syntax everywhere, sorted keys, empty defaults left out. */
export function stackDocument(stack: Stack): Doc {
  return clean({
    name: stack.name,
    services: mapSorted(stack.services, serviceDocument),
    networks: ne(mapSorted(stack.networks, networkDocument)),
    volumes: ne(mapSorted(stack.volumes, volumeDocument)),
    secrets: ne(mapSorted(stack.secrets, secretDocument)),
    configs: ne(mapSorted(stack.configs, secretDocument)),
    ...sortKeys(stack.extensions),
  });
}

function serviceDocument(s: ServiceSpec): Doc {
  return clean({
    image: s.image,
    build: s.build && { ...s.build, args: sortKeys(s.build.args), labels: sortKeys(s.build.labels) },
    pull_policy: s.pull_policy,
    profiles: ne(s.profiles),
    command: s.command,
    entrypoint: s.entrypoint,
    environment: ne(sortKeys(s.environment)),
    labels: ne(sortKeys(s.labels)),
    annotations: s.annotations && sortKeys(s.annotations),
    ports: ne(s.ports.map((p) => ordered(p, PORT_ORDER))),
    expose: ne(s.expose),
    volumes: ne(s.volumes.map(volumeEntry)),
    volumes_from: ne(s.volumes_from),
    tmpfs: ne(s.tmpfs),
    // An empty `networks` is kept: left out, loading it again would attach the service to `default`.
    networks: s.network_mode === undefined ? attachments(s) : ne(attachments(s)),
    network_mode: s.network_mode,
    depends_on: ne(sortKeys(s.depends_on)),
    links: ne(s.links),
    external_links: ne(s.external_links),
    healthcheck: s.healthcheck && healthcheckDocument(s.healthcheck),
    restart: s.restart,
    deploy: s.deploy && deployDocument(s.deploy),
    scale: s.replicas === 1 || s.deploy?.replicas === s.replicas ? undefined : s.replicas,
    container_name: s.container_name,
    hostname: s.hostname,
    domainname: s.domainname,
    user: s.user,
    working_dir: s.working_dir,
    stdin_open: s.stdin_open,
    tty: s.tty,
    init: s.init,
    privileged: s.privileged,
    read_only: s.read_only,
    stop_signal: s.stop_signal,
    stop_grace_period: duration(s.stop_grace_period),
    cap_add: ne(s.cap_add),
    cap_drop: ne(s.cap_drop),
    security_opt: ne(s.security_opt),
    dns: ne(s.dns),
    dns_search: ne(s.dns_search),
    dns_opt: ne(s.dns_opt),
    extra_hosts: ne(s.extra_hosts),
    sysctls: ne(sortKeys(s.sysctls)),
    ulimits: ne(sortKeys(s.ulimits)),
    devices: ne(s.devices),
    group_add: ne(s.group_add),
    shm_size: s.shm_size,
    mem_limit: s.mem_limit,
    mem_reservation: s.mem_reservation,
    memswap_limit: s.memswap_limit,
    cpus: s.cpus,
    cpu_shares: s.cpu_shares,
    cpuset: s.cpuset,
    pids_limit: s.pids_limit,
    oom_score_adj: s.oom_score_adj,
    pid: s.pid,
    ipc: s.ipc,
    userns_mode: s.userns_mode,
    platform: s.platform,
    logging: s.logging && { ...s.logging, options: sortKeys(s.logging.options) },
    secrets: ne(s.secrets),
    configs: ne(s.configs),
    develop: s.develop && { watch: s.develop.watch.map(watchDocument) },
    ...sortKeys(s.extensions),
  });
}

function attachments(s: ServiceSpec): Doc {
  return mapSorted(s.networks, (a) => clean({ ...a, aliases: ne(a.aliases) }));
}

// Short and long syntax build ports and volumes in different key orders; the printed order must not depend on it.
const PORT_ORDER = ['target', 'published', 'host_ip', 'protocol', 'mode', 'name', 'app_protocol'];
const VOLUME_ORDER = ['type', 'source', 'target', 'read_only', 'bind', 'volume', 'tmpfs', 'consistency'];
const BIND_ORDER = ['create_host_path', 'propagation', 'selinux'];

function volumeEntry(v: ServiceVolume): Doc {
  return ordered(
    {
      ...v,
      read_only: v.read_only || undefined,
      // Reloading a long-syntax bind without `bind:` gives back `create_host_path: false`.
      bind: v.bind && !(v.type === 'bind' && isDefaultBind(v.bind)) ? ordered(v.bind, BIND_ORDER) : undefined,
      volume: v.volume && ordered(v.volume, ['nocopy', 'subpath']),
      tmpfs: v.tmpfs && ordered(v.tmpfs, ['size', 'mode']),
    },
    VOLUME_ORDER,
  );
}

/** `create_host_path: false` alone is what a long-syntax bind means without `bind:`; Compose leaves it out too. */
function isDefaultBind(bind: NonNullable<ServiceVolume['bind']>): boolean {
  return !bind.create_host_path && bind.propagation === undefined && bind.selinux === undefined;
}

/** `value`'s defined keys in `order`, then any others sorted. */
function ordered(value: object, order: string[]): Doc {
  const entries = value as Record<string, unknown>;
  const keys = [
    ...order.filter((k) => k in entries),
    ...Object.keys(entries)
      .filter((k) => !order.includes(k))
      .sort(),
  ];
  const out: Doc = {};
  for (const k of keys) if (entries[k] !== undefined) out[k] = entries[k];
  return out;
}

function healthcheckDocument(h: HealthcheckSpec): Doc {
  return clean({
    test: h.test.length > 0 ? h.test : undefined,
    interval: duration(h.interval),
    timeout: duration(h.timeout),
    retries: h.retries,
    start_period: duration(h.start_period),
    start_interval: duration(h.start_interval),
    disable: h.disable || undefined,
  });
}

function deployDocument(d: DeploySpec): Doc {
  const rp = d.restart_policy;
  return clean({
    mode: d.mode,
    replicas: d.replicas,
    labels: ne(sortKeys(d.labels)),
    resources: ne(
      clean({
        limits: ne(clean({ ...d.resources.limits })),
        reservations: ne(clean({ ...d.resources.reservations })),
      }),
    ),
    restart_policy: rp && { ...rp, delay: duration(rp.delay), window: duration(rp.window) },
    update_config: d.update_config && updateDocument(d.update_config),
    rollback_config: d.rollback_config && updateDocument(d.rollback_config),
    placement: d.placement,
    endpoint_mode: d.endpoint_mode,
  });
}

function updateDocument(u: UpdateConfig): Doc {
  return clean({ ...u, delay: duration(u.delay), monitor: duration(u.monitor) });
}

function watchDocument(w: WatchRule): Doc {
  return clean({ ...w });
}

function networkDocument(n: NetworkSpec): Doc {
  return clean({
    ...n,
    driver_opts: ne(sortKeys(n.driver_opts)),
    labels: ne(sortKeys(n.labels)),
    external: n.external || undefined,
    internal: n.internal || undefined,
    attachable: n.attachable || undefined,
  });
}

function volumeDocument(v: VolumeSpec): Doc {
  const { extensions, ...rest } = v;
  return clean({
    ...rest,
    driver_opts: ne(sortKeys(v.driver_opts)),
    labels: ne(sortKeys(v.labels)),
    external: v.external || undefined,
    ...sortKeys(extensions ?? {}),
  });
}

function secretDocument(s: SecretSpec): Doc {
  return clean({ ...s, labels: ne(sortKeys(s.labels)), external: s.external || undefined });
}

function duration(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : formatDuration(ms);
}

function mapSorted<T>(record: Record<string, T>, f: (value: T) => Doc): Doc {
  const out: Doc = {};
  for (const key of Object.keys(record).sort()) out[key] = f(record[key] as T);
  return out;
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const key of Object.keys(record).sort()) out[key] = record[key] as T;
  return out;
}

/** An empty list or mapping as undefined: for fields whose empty value is the default, so loading gives it back. */
function ne<T>(value: T): T | undefined {
  if (Array.isArray(value)) return value.length === 0 ? undefined : value;
  if (value !== null && typeof value === 'object' && Object.keys(value).length === 0) return undefined;
  return value;
}

/** Drops undefined values, so the document shows only what is set. */
function clean(doc: Doc): Doc {
  const out: Doc = {};
  for (const [k, v] of Object.entries(doc)) if (v !== undefined) out[k] = v;
  return out;
}
