/**
 * Stack → the Swarm objects that should exist: overlay networks, content-named secrets and configs, and one
 * service per spec service carrying a config hash label. Pure apart from reading secret/config files through
 * the `read` function it is given.
 */
import { createHash } from 'node:crypto';
import { LABEL } from '../model/labels.js';
import type {
  NetworkCreateSpec,
  SwarmFileRef,
  SwarmServiceSpec,
  SwarmUpdateConfig,
} from '../runtime/types.js';
import type { FileReference, SecretSpec, ServiceSpec, Stack, UpdateConfig } from '../spec/types.js';
import { checkHostPorts, checkSwarmNames } from './limits.js';
import { checkService, checkTopLevel, type SwarmProblem } from './unsupported.js';

/** Docker's own stack label, so `docker stack ps <project>` shows tsstack's stacks too. */
export const STACK_NAMESPACE = 'com.docker.stack.namespace';

export interface DesiredFileObject {
  /** Key as declared at top level. */
  key: string;
  kind: 'secret' | 'config';
  /** `<name>_<content hash>` (a change makes a new object; Swarm objects are immutable), or the external name. */
  name: string;
  external: boolean;
  labels: Record<string, string>;
  data: Buffer;
}

export interface DesiredSwarmService {
  /** Service key in the stack. */
  service: string;
  /** Secret and config references hold the object name; IDs are filled in at apply time. */
  spec: SwarmServiceSpec;
  hash: string;
}

export interface SwarmDesired {
  project: string;
  networks: { key: string; external: boolean; spec: NetworkCreateSpec }[];
  objects: DesiredFileObject[];
  services: DesiredSwarmService[];
  errors: SwarmProblem[];
  warnings: SwarmProblem[];
}

export interface DesiredOptions {
  /** Reads a secret/config file (absolute path). */
  read: (file: string) => Buffer;
  env: Record<string, string | undefined>;
}

/** JSON with sorted keys, so the hash does not depend on key order. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

function sha(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

function fileObject(
  stack: Stack,
  key: string,
  kind: 'secret' | 'config',
  spec: SecretSpec,
  opts: DesiredOptions,
  errors: SwarmProblem[],
): DesiredFileObject {
  const labels = { ...spec.labels, [LABEL.project]: stack.name, [STACK_NAMESPACE]: stack.name };
  if (spec.external) return { key, kind, name: spec.name, external: true, labels, data: Buffer.alloc(0) };
  let data: Buffer = Buffer.alloc(0);
  const where = [`${kind}s`, key];
  if (spec.content !== undefined) data = Buffer.from(spec.content);
  else if (spec.environment !== undefined) {
    const v = opts.env[spec.environment];
    if (v === undefined)
      errors.push({ path: [...where, 'environment'], message: `${spec.environment} is not set` });
    data = Buffer.from(v ?? '');
  } else if (spec.file !== undefined) {
    try {
      data = opts.read(spec.file);
    } catch (err) {
      errors.push({
        path: [...where, 'file'],
        message: `cannot read ${spec.file}: ${(err as Error).message}`,
      });
    }
  }
  return { key, kind, name: `${spec.name}_${sha(data).slice(0, 10)}`, external: false, labels, data };
}

function updateConfig(u: UpdateConfig | undefined): SwarmUpdateConfig | undefined {
  if (!u) return undefined;
  return {
    parallelism: u.parallelism,
    delay: u.delay,
    order: u.order,
    failureAction: u.failure_action,
    ...(u.monitor !== undefined ? { monitor: u.monitor } : {}),
    ...(u.max_failure_ratio !== undefined ? { maxFailureRatio: u.max_failure_ratio } : {}),
  };
}

function restartPolicy(s: ServiceSpec): SwarmServiceSpec['restartPolicy'] {
  const rp = s.deploy?.restart_policy;
  if (rp)
    return {
      condition: rp.condition ?? 'any',
      ...(rp.delay !== undefined ? { delay: rp.delay } : {}),
      ...(rp.max_attempts !== undefined ? { maxAttempts: rp.max_attempts } : {}),
      ...(rp.window !== undefined ? { window: rp.window } : {}),
    };
  if (s.restart === undefined) return undefined;
  if (s.restart === 'no') return { condition: 'none' };
  if (s.restart.startsWith('on-failure')) {
    const n = Number(s.restart.split(':')[1]);
    return { condition: 'on-failure', ...(Number.isInteger(n) ? { maxAttempts: n } : {}) };
  }
  return { condition: 'any' };
}

function fileRefs(
  refs: FileReference[],
  objects: DesiredFileObject[],
  kind: 'secret' | 'config',
): SwarmFileRef[] {
  return refs.map((r) => ({
    id: '',
    name: objects.find((o) => o.kind === kind && o.key === r.source)?.name ?? r.source,
    target: r.target,
    uid: r.uid ?? '0',
    gid: r.gid ?? '0',
    mode: r.mode ?? 0o444,
  }));
}

/** Compose writes extra_hosts as host:ip; a Swarm service takes "ip host". */
function hostsLine(entry: string): string {
  const sep = entry.includes('=') ? entry.indexOf('=') : entry.indexOf(':');
  return sep < 0 ? entry : `${entry.slice(sep + 1)} ${entry.slice(0, sep)}`;
}

function serviceSpec(stack: Stack, s: ServiceSpec, objects: DesiredFileObject[]): SwarmServiceSpec {
  const d = s.deploy;
  const lim = d?.resources.limits ?? {};
  const res = d?.resources.reservations ?? {};
  const owner = { [LABEL.project]: stack.name, [LABEL.service]: s.name };
  const volumeLabels = { [LABEL.project]: stack.name, [STACK_NAMESPACE]: stack.name };
  const hc = s.healthcheck;
  return {
    name: `${stack.name}_${s.name}`,
    labels: { ...(d?.labels ?? {}), ...owner, [STACK_NAMESPACE]: stack.name },
    image: s.image ?? '',
    containerLabels: { ...s.labels, ...owner, [STACK_NAMESPACE]: stack.name },
    ...(s.entrypoint ? { command: s.entrypoint } : {}),
    ...(s.command ? { args: s.command } : {}),
    env: Object.entries(s.environment)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => `${k}=${v ?? ''}`),
    workingDir: s.working_dir,
    user: s.user,
    hostname: s.hostname,
    tty: s.tty,
    openStdin: s.stdin_open,
    readOnly: s.read_only,
    init: s.init,
    stopSignal: s.stop_signal,
    stopGracePeriod: s.stop_grace_period,
    capAdd: s.cap_add.length > 0 ? s.cap_add : undefined,
    capDrop: s.cap_drop.length > 0 ? s.cap_drop : undefined,
    dns: s.dns.length > 0 ? s.dns : undefined,
    dnsSearch: s.dns_search.length > 0 ? s.dns_search : undefined,
    dnsOptions: s.dns_opt.length > 0 ? s.dns_opt : undefined,
    extraHosts: s.extra_hosts.length > 0 ? s.extra_hosts.map(hostsLine) : undefined,
    sysctls: Object.keys(s.sysctls).length > 0 ? s.sysctls : undefined,
    mounts: [
      ...s.volumes
        .filter((v) => v.type === 'bind' || v.type === 'volume' || v.type === 'tmpfs')
        .map((v) => {
          const named = v.type === 'volume' && v.source !== undefined ? stack.volumes[v.source] : undefined;
          return {
            type: v.type as 'bind' | 'volume' | 'tmpfs',
            source: named ? named.name : v.source,
            target: v.target,
            readOnly: v.read_only,
            ...(v.volume?.nocopy ? { noCopy: true } : {}),
            ...(v.bind?.propagation ? { propagation: v.bind.propagation } : {}),
            ...(v.tmpfs?.size !== undefined ? { tmpfsSize: v.tmpfs.size } : {}),
            ...(v.tmpfs?.mode !== undefined ? { tmpfsMode: v.tmpfs.mode } : {}),
            ...(v.type === 'volume' && !named?.external
              ? { volumeLabels: { ...named?.labels, ...volumeLabels } }
              : {}),
          };
        }),
      ...s.tmpfs.map((t) => ({ type: 'tmpfs' as const, target: t.split(':')[0] ?? t, readOnly: false })),
    ],
    ...(hc
      ? {
          healthcheck: {
            test: hc.disable ? ['NONE'] : hc.test,
            interval: hc.interval,
            timeout: hc.timeout,
            retries: hc.retries,
            startPeriod: hc.start_period,
          },
        }
      : {}),
    secrets: fileRefs(s.secrets, objects, 'secret'),
    configs: fileRefs(s.configs, objects, 'config'),
    resources: {
      limits: {
        cpus: lim.cpus ?? s.cpus,
        memory: lim.memory ?? s.mem_limit,
        pids: lim.pids ?? s.pids_limit,
      },
      reservations: { cpus: res.cpus, memory: res.memory ?? s.mem_reservation },
    },
    restartPolicy: restartPolicy(s),
    placement: {
      constraints: d?.placement?.constraints ?? [],
      spread: (d?.placement?.preferences ?? []).map((p) => p.spread),
      maxReplicasPerNode: d?.placement?.max_replicas_per_node,
    },
    networks: Object.entries(s.networks)
      .filter(([key]) => stack.networks[key] !== undefined)
      .map(([key, att]) => ({
        network: stack.networks[key]?.name ?? key,
        aliases: [s.name, ...att.aliases],
      })),
    mode: d?.mode === 'global' ? { kind: 'global' } : { kind: 'replicated', replicas: s.replicas },
    updateConfig: updateConfig(d?.update_config),
    rollbackConfig: updateConfig(d?.rollback_config),
    endpointMode: d?.endpoint_mode ?? 'vip',
    ports: s.ports.map((p) => ({
      target: p.target,
      ...(p.published !== undefined ? { published: Number(p.published) } : {}),
      protocol: p.protocol,
      mode: p.mode ?? 'ingress',
    })),
    ...(s.logging?.driver ? { logDriver: { name: s.logging.driver, options: s.logging.options } } : {}),
  };
}

/** The hash of everything tsstack sends for a service (object IDs excluded: names carry the content hash). */
export function swarmConfigHash(spec: SwarmServiceSpec): string {
  return sha(stableJson(spec)).slice(0, 16);
}

/** Desired swarm objects for the stack, with every key Swarm cannot express as an error. */
export function desiredSwarm(stack: Stack, opts: DesiredOptions): SwarmDesired {
  const errors: SwarmProblem[] = [];
  const warnings: SwarmProblem[] = [];
  checkTopLevel(stack, errors);
  checkSwarmNames(stack, errors);
  checkHostPorts(stack, warnings);
  const objects = [
    ...Object.entries(stack.secrets).map(([k, v]) => fileObject(stack, k, 'secret', v, opts, errors)),
    ...Object.entries(stack.configs).map(([k, v]) => fileObject(stack, k, 'config', v, opts, errors)),
  ];
  const used = new Set(Object.values(stack.services).flatMap((s) => Object.keys(s.networks)));
  const networks = Object.entries(stack.networks)
    .filter(([key]) => used.has(key))
    .map(([key, n]) => ({
      key,
      external: n.external,
      spec: {
        name: n.name,
        driver: 'overlay',
        labels: {
          ...n.labels,
          [LABEL.project]: stack.name,
          [LABEL.network]: key,
          [STACK_NAMESPACE]: stack.name,
        },
        options: n.driver_opts,
        internal: n.internal,
        // Attachable so `tsstack run` and plain containers can join the stack's networks.
        attachable: true,
        ...(n.enable_ipv6 !== undefined ? { enableIPv6: n.enable_ipv6 } : {}),
        ...(n.ipam
          ? {
              ipam: {
                driver: n.ipam.driver,
                config: n.ipam.config.map((c) => ({
                  subnet: c.subnet,
                  ipRange: c.ip_range,
                  gateway: c.gateway,
                })),
              },
            }
          : {}),
      } as NetworkCreateSpec,
    }));
  const services = Object.values(stack.services).map((s) => {
    checkService(s, errors, warnings);
    const spec = serviceSpec(stack, s, objects);
    const hash = swarmConfigHash(spec);
    spec.labels[LABEL.configHash] = hash;
    return { service: s.name, spec, hash };
  });
  return { project: stack.name, networks, objects, services, errors, warnings };
}
