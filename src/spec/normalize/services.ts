import type { PathSegment, ServiceSpec } from '../types.js';
import { normalizeUlimits } from './ulimits.js';
import { isRecord, type NormalizeContext } from './context.js';
import { normalizeBuild, normalizeExtraHosts } from './build.js';
import { normalizeCommand } from './command.js';
import { normalizeDependsOn } from './depends-on.js';
import { checkResourceConflicts, normalizeDeploy } from './deploy.js';
import { normalizeDevelop } from './develop.js';
import { normalizeEnvironment } from './environment.js';
import { normalizeHealthcheck } from './healthcheck.js';
import { addImplicitDependencies } from './implicit-deps.js';
import { normalizeServiceNetworks } from './networks.js';
import { normalizePorts } from './ports.js';
import { normalizeFileRefs } from './secrets.js';
import { normalizeServiceVolumes } from './volumes.js';

// Plain fields copied with their type checked; grouped by type so a new Compose key is one word here.
const STRING_FIELDS = [
  'image',
  'pull_policy',
  'network_mode',
  'restart',
  'container_name',
  'hostname',
  'domainname',
  'user',
  'working_dir',
  'stop_signal',
  'cpuset',
  'pid',
  'ipc',
  'userns_mode',
  'platform',
] as const;
const BOOL_FIELDS = ['stdin_open', 'tty', 'init', 'privileged', 'read_only'] as const;
const INT_FIELDS = ['cpu_shares', 'pids_limit', 'oom_score_adj'] as const;
const BYTE_FIELDS = ['shm_size', 'mem_limit', 'mem_reservation', 'memswap_limit'] as const;
const LIST_FIELDS = [
  'expose',
  'volumes_from',
  'tmpfs',
  'links',
  'external_links',
  'cap_add',
  'cap_drop',
  'security_opt',
  'dns',
  'dns_search',
  'dns_opt',
  'devices',
  'group_add',
  'profiles',
] as const;
const MAP_FIELDS = ['labels', 'sysctls'] as const;

/** Keys this module turns into ServiceSpec fields; anything else (x-*, unimplemented keys) goes to `extensions`. */
const KNOWN = new Set<string>([
  ...STRING_FIELDS,
  ...BOOL_FIELDS,
  ...INT_FIELDS,
  ...BYTE_FIELDS,
  ...LIST_FIELDS,
  ...MAP_FIELDS,
  'annotations',
  'build',
  'command',
  'entrypoint',
  'environment',
  'env_file',
  'ports',
  'volumes',
  'networks',
  'depends_on',
  'healthcheck',
  'deploy',
  'scale',
  'stop_grace_period',
  'cpus',
  'extra_hosts',
  'ulimits',
  'logging',
  'secrets',
  'configs',
  'develop',
  'extends',
]);

/** One service in long form. */
export function normalizeService(ctx: NormalizeContext, name: string, value: unknown): ServiceSpec {
  const path: PathSegment[] = ['services', name];
  const s = ctx.record(value, path) ?? {};
  const at = (k: string): PathSegment[] => [...path, k];
  const svc: ServiceSpec = {
    name,
    environment: normalizeEnvironment(ctx, s, path),
    labels: {},
    sysctls: {},
    ports: normalizePorts(ctx, s.ports, at('ports')),
    expose: [],
    volumes: normalizeServiceVolumes(ctx, s.volumes, at('volumes')),
    volumes_from: [],
    tmpfs: [],
    networks: normalizeServiceNetworks(ctx, s, path),
    depends_on: normalizeDependsOn(ctx, s.depends_on, at('depends_on')),
    links: [],
    external_links: [],
    replicas: 1,
    profiles: [],
    cap_add: [],
    cap_drop: [],
    security_opt: [],
    dns: [],
    dns_search: [],
    dns_opt: [],
    extra_hosts: s.extra_hosts == null ? [] : normalizeExtraHosts(ctx, s.extra_hosts, at('extra_hosts')),
    ulimits: normalizeUlimits(ctx, s.ulimits, at('ulimits')),
    devices: [],
    group_add: [],
    secrets: normalizeFileRefs(ctx, 'secrets', s.secrets, at('secrets')),
    configs: normalizeFileRefs(ctx, 'configs', s.configs, at('configs')),
    process_depends_on: processDependencies(ctx, s['x-tsstack'], at('x-tsstack')),
    extensions: {},
  };
  const fields = svc as unknown as Record<string, unknown>;
  // Most fields are absent: skip them before building their paths (this loop runs for every service).
  const given = (k: string): boolean => s[k] !== undefined && s[k] !== null;
  for (const k of STRING_FIELDS) if (given(k)) setIf(fields, k, ctx.str(s[k], at(k)));
  for (const k of BOOL_FIELDS) if (given(k)) setIf(fields, k, ctx.bool(s[k], at(k)));
  for (const k of INT_FIELDS) if (given(k)) setIf(fields, k, ctx.int(s[k], at(k)));
  for (const k of BYTE_FIELDS) if (given(k)) setIf(fields, k, byteSize(ctx, k, s[k], at(k)));
  for (const k of LIST_FIELDS) svc[k] = given(k) ? ctx.strings(s[k], at(k)) : [];
  for (const k of MAP_FIELDS) svc[k] = given(k) ? ctx.stringMap(s[k], at(k)) : {};
  if (s.annotations != null) svc.annotations = ctx.stringMap(s.annotations, at('annotations'));
  setIf(fields, 'cpus', ctx.num(s.cpus, at('cpus')));
  setIf(fields, 'stop_grace_period', ctx.duration(s.stop_grace_period, at('stop_grace_period')));
  setIf(fields, 'build', normalizeBuild(ctx, s.build, at('build')));
  const command = normalizeCommand(ctx, s.command, at('command'));
  if (command !== undefined) svc.command = command;
  const entrypoint = normalizeCommand(ctx, s.entrypoint, at('entrypoint'));
  if (entrypoint !== undefined) svc.entrypoint = entrypoint;
  setIf(fields, 'healthcheck', normalizeHealthcheck(ctx, s.healthcheck, at('healthcheck')));
  setIf(fields, 'deploy', normalizeDeploy(ctx, s.deploy, at('deploy')));
  checkResourceConflicts(ctx, svc, path);
  setIf(fields, 'develop', normalizeDevelop(ctx, s.develop, at('develop')));
  setIf(fields, 'logging', normalizeLogging(ctx, s.logging, at('logging')));
  svc.replicas = replicaCount(ctx, s, svc, path);
  for (const [k, v] of Object.entries(s)) if (!KNOWN.has(k)) svc.extensions[k] = v;
  addImplicitDependencies(svc);
  return svc;
}

/** `x-tsstack.depends_on`: the host processes a service waits for (kept out of Compose's own depends_on). */
function processDependencies(
  ctx: NormalizeContext,
  value: unknown,
  path: PathSegment[],
): ServiceSpec['process_depends_on'] {
  if (!isRecord(value)) return {};
  return normalizeDependsOn(ctx, value.depends_on, [...path, 'depends_on']);
}

/** A byte size; `memswap_limit: -1` is the engine's "unlimited swap", which Compose accepts too. */
function byteSize(
  ctx: NormalizeContext,
  key: string,
  value: unknown,
  path: PathSegment[],
): number | undefined {
  return key === 'memswap_limit' && value === -1 ? -1 : ctx.bytes(value, path);
}

function setIf(target: Record<string, unknown>, key: string, value: unknown): void {
  if (value !== undefined) target[key] = value;
}

// Compose refuses `scale` and `deploy.replicas` that disagree; either one alone sets the count.
function replicaCount(
  ctx: NormalizeContext,
  s: Record<string, unknown>,
  svc: ServiceSpec,
  path: PathSegment[],
): number {
  const scale = ctx.int(s.scale, [...path, 'scale']);
  const replicas = svc.deploy?.replicas;
  if (scale !== undefined && replicas !== undefined && scale !== replicas) {
    ctx.problem(
      [...path, 'scale'],
      `scale (${scale}) and deploy.replicas (${replicas}) differ; set only one`,
    );
  }
  const n = scale ?? replicas ?? 1;
  if (n < 0) {
    ctx.problem([...path, scale !== undefined ? 'scale' : 'deploy'], `replicas cannot be negative (${n})`);
    return 1;
  }
  return n;
}

function normalizeLogging(
  ctx: NormalizeContext,
  value: unknown,
  path: PathSegment[],
): ServiceSpec['logging'] {
  const l = ctx.record(value, path);
  if (!l) return undefined;
  const out: NonNullable<ServiceSpec['logging']> = {
    options: ctx.stringMap(l.options, [...path, 'options']),
  };
  const driver = ctx.str(l.driver, [...path, 'driver']);
  if (driver !== undefined) out.driver = driver;
  return out;
}
