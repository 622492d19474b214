import type { DeploySpec, PathSegment, ResourceSpec, ServiceSpec, UpdateConfig } from '../types.js';
import { isRecord, type NormalizeContext } from './context.js';

/** `deploy`: resources in bytes and CPUs, durations in ms, update/rollback defaults as in Compose. */
export function normalizeDeploy(
  ctx: NormalizeContext,
  value: unknown,
  path: PathSegment[],
): DeploySpec | undefined {
  const d = ctx.record(value, path);
  if (!d) return undefined;
  const res = ctx.record(d.resources, [...path, 'resources']) ?? {};
  const spec: DeploySpec = {
    labels: ctx.stringMap(d.labels, [...path, 'labels']),
    resources: {
      limits: resources(ctx, res.limits, [...path, 'resources', 'limits']),
      reservations: resources(ctx, res.reservations, [...path, 'resources', 'reservations']),
    },
  };
  const devices = isRecord(res.reservations) ? res.reservations.devices : undefined;
  if (Array.isArray(devices)) spec.resources.reservations.devices = devices;
  const mode = ctx.str(d.mode, [...path, 'mode']);
  if (mode === 'replicated' || mode === 'global') spec.mode = mode;
  else if (mode !== undefined) ctx.problem([...path, 'mode'], `expected replicated or global, got "${mode}"`);
  const replicas = ctx.int(d.replicas, [...path, 'replicas']);
  if (replicas !== undefined) spec.replicas = replicas;
  const rp = ctx.record(d.restart_policy, [...path, 'restart_policy']);
  if (rp) {
    const at = [...path, 'restart_policy'];
    spec.restart_policy = {};
    const cond = ctx.str(rp.condition, [...at, 'condition']);
    if (cond === 'none' || cond === 'on-failure' || cond === 'any') spec.restart_policy.condition = cond;
    else if (cond !== undefined)
      ctx.problem([...at, 'condition'], `expected none, on-failure or any, got "${cond}"`);
    const delay = ctx.duration(rp.delay, [...at, 'delay']);
    if (delay !== undefined) spec.restart_policy.delay = delay;
    const max = ctx.int(rp.max_attempts, [...at, 'max_attempts']);
    if (max !== undefined) spec.restart_policy.max_attempts = max;
    const win = ctx.duration(rp.window, [...at, 'window']);
    if (win !== undefined) spec.restart_policy.window = win;
  }
  for (const k of ['update_config', 'rollback_config'] as const) {
    const u = ctx.record(d[k], [...path, k]);
    if (u) spec[k] = updateConfig(ctx, u, [...path, k]);
  }
  const pl = ctx.record(d.placement, [...path, 'placement']);
  if (pl) {
    const at = [...path, 'placement'];
    const prefs = Array.isArray(pl.preferences) ? pl.preferences : [];
    spec.placement = {
      constraints: ctx.strings(pl.constraints, [...at, 'constraints']),
      preferences: prefs.flatMap((p, i) => {
        const spread = isRecord(p) ? ctx.str(p.spread, [...at, 'preferences', i, 'spread']) : undefined;
        return spread === undefined ? [] : [{ spread }];
      }),
    };
    const mr = ctx.int(pl.max_replicas_per_node, [...at, 'max_replicas_per_node']);
    if (mr !== undefined) spec.placement.max_replicas_per_node = mr;
  }
  const em = ctx.str(d.endpoint_mode, [...path, 'endpoint_mode']);
  if (em === 'vip' || em === 'dnsrr') spec.endpoint_mode = em;
  else if (em !== undefined) ctx.problem([...path, 'endpoint_mode'], `expected vip or dnsrr, got "${em}"`);
  return spec;
}

function resources(ctx: NormalizeContext, value: unknown, at: PathSegment[]): ResourceSpec {
  const r = ctx.record(value, at);
  const out: ResourceSpec = {};
  if (!r) return out;
  const cpus = ctx.num(r.cpus, [...at, 'cpus']);
  if (cpus !== undefined) out.cpus = cpus;
  const memory = ctx.bytes(r.memory, [...at, 'memory']);
  if (memory !== undefined) out.memory = memory;
  const pids = ctx.int(r.pids, [...at, 'pids']);
  if (pids !== undefined) out.pids = pids;
  return out;
}

function updateConfig(ctx: NormalizeContext, u: Record<string, unknown>, at: PathSegment[]): UpdateConfig {
  const order = ctx.str(u.order, [...at, 'order']);
  const failure = ctx.str(u.failure_action, [...at, 'failure_action']);
  if (order !== undefined && order !== 'stop-first' && order !== 'start-first')
    ctx.problem([...at, 'order'], `expected stop-first or start-first, got "${order}"`);
  if (failure !== undefined && failure !== 'rollback' && failure !== 'pause' && failure !== 'continue')
    ctx.problem([...at, 'failure_action'], `expected rollback, pause or continue, got "${failure}"`);
  const out: UpdateConfig = {
    parallelism: ctx.int(u.parallelism, [...at, 'parallelism']) ?? 1,
    delay: ctx.duration(u.delay, [...at, 'delay']) ?? 0,
    order: order === 'start-first' ? 'start-first' : 'stop-first',
    failure_action: failure === 'rollback' || failure === 'continue' ? failure : 'pause',
  };
  const monitor = ctx.duration(u.monitor, [...at, 'monitor']);
  if (monitor !== undefined) out.monitor = monitor;
  const ratio = ctx.num(u.max_failure_ratio, [...at, 'max_failure_ratio']);
  if (ratio !== undefined) out.max_failure_ratio = ratio;
  return out;
}

// The service-level keys and the deploy.resources keys that set the same engine value.
const SAME_RESOURCE = [
  ['cpus', 'limits', 'cpus'],
  ['mem_limit', 'limits', 'memory'],
  ['mem_reservation', 'reservations', 'memory'],
  ['pids_limit', 'limits', 'pids'],
] as const;

/**
 * `cpus: 1.5` beside `deploy.resources.limits.cpus: 0.5` (and the same for memory and pids): Compose refuses
 * two different values for one setting, and so does tsstack, at the service-level key. Equal values are fine.
 */
export function checkResourceConflicts(ctx: NormalizeContext, svc: ServiceSpec, path: PathSegment[]): void {
  for (const [key, kind, field] of SAME_RESOURCE) {
    const own = svc[key];
    const deployed = svc.deploy?.resources[kind][field];
    if (own === undefined || deployed === undefined || own === deployed) continue;
    ctx.problem(
      [...path, key],
      `${key} (${own}) and deploy.resources.${kind}.${field} (${deployed}) differ; set only one`,
    );
  }
}
