/**
 * Pure planners for `down`, `stop`, `start`, `restart` and `rm`. They work from what is observed alone
 * (dependencies come from each container's depends-on label), so they work without the stack file too.
 */
import type { ObservedContainer, ObservedState } from '../model/observed.js';
import { PlanBuilder, type Plan } from '../model/plan.js';
import type { ProcessSummary } from '../runtime/process/types.js';

const ACTIVE = new Set(['running', 'restarting', 'paused']);

export interface SelectOptions {
  /** Only containers of these services (default: all of the project's service containers). */
  services?: string[];
  /** Include one-off (`run`) containers. */
  oneoff?: boolean;
}

function select(observed: ObservedState, opts: SelectOptions): ObservedContainer[] {
  const only = opts.services && new Set(opts.services);
  return observed.containers.filter((c) => (opts.oneoff || !c.oneoff) && (!only || only.has(c.service)));
}

/** Service → services that depend on it, from the containers' labels and the processes' markers. */
function dependentsOf(
  containers: ObservedContainer[],
  processes: readonly ProcessSummary[] = [],
): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const add = (dep: string, service: string) => out.set(dep, new Set([...(out.get(dep) ?? []), service]));
  for (const c of containers) for (const dep of c.dependsOn) add(dep, c.service);
  for (const p of processes) for (const dep of p.supervision.dependsOn ?? []) add(dep, p.service);
  return out;
}

/**
 * Adds stop operations for active containers and running processes (`process.remove` instead when
 * `removeProcesses`), dependents first across both kinds; returns the container stop op ids by name.
 */
function addStops(
  b: PlanBuilder,
  containers: ObservedContainer[],
  reason: string,
  timeout?: number,
  processes: readonly ProcessSummary[] = [],
  removeProcesses = false,
): Map<string, string> {
  const ids = new Map<string, string>();
  const byService = new Map<string, string[]>();
  const push = (service: string, id: string) =>
    byService.set(service, [...(byService.get(service) ?? []), id]);
  for (const c of containers) {
    if (!ACTIVE.has(c.summary.state)) continue;
    const id = b.add({
      kind: 'container.stop',
      target: c.name,
      service: c.service,
      replica: c.replica,
      ref: c.id,
      timeout,
      reason,
    });
    ids.set(c.name, id);
    push(c.service, id);
  }
  for (const p of processes) {
    if (!removeProcesses && !RUNNING_PROCESS.has(p.phase)) continue;
    const common = { target: p.name, service: p.service, replica: p.replica, ref: p.name, timeout, reason };
    push(
      p.service,
      b.add(removeProcesses ? { kind: 'process.remove', ...common } : { kind: 'process.stop', ...common }),
    );
  }
  const dependents = dependentsOf(containers, processes);
  for (const [service, ops] of byService) {
    const after = [...(dependents.get(service) ?? [])].flatMap((d) => byService.get(d) ?? []);
    for (const op of ops) b.addAfter(op, after);
  }
  return ids;
}

/** Phases of a process with a run to stop (or a restart pending, which a stop cancels). */
const RUNNING_PROCESS = new Set<ProcessSummary['phase']>(['starting', 'running', 'restarting']);

export interface DownOptions {
  /** Remove the project's named volumes too (`-v`). */
  volumes?: boolean;
  /** Services in the spec; containers of other services are orphans, kept unless `removeOrphans`. */
  specServices?: string[];
  removeOrphans?: boolean;
  timeout?: number;
  /** Image references to remove afterwards (`--rmi local`). */
  images?: string[];
  /**
   * `down SERVICE...`: only these services and those that depend on them (Compose does the same); the
   * project's networks and volumes go only when no other container is left on them.
   */
  services?: string[];
}

/** The named services plus, transitively, every service whose containers depend on one of them. */
export function withDependents(containers: ObservedContainer[], services: string[]): Set<string> {
  const dependents = dependentsOf(containers);
  const out = new Set<string>();
  const visit = (s: string): void => {
    if (out.has(s)) return;
    out.add(s);
    for (const d of dependents.get(s) ?? []) visit(d);
  };
  services.forEach(visit);
  return out;
}

/**
 * `down`: stop and remove containers and host processes (dependents first, across both kinds), then the
 * project's networks, and volumes with -v.
 */
export function planDown(observed: ObservedState, opts: DownOptions = {}): Plan {
  const b = new PlanBuilder();
  const inSpec = opts.specServices && new Set(opts.specServices);
  const named = opts.services?.length ? withDependents(observed.containers, opts.services) : undefined;
  const doomed: ObservedContainer[] = [];
  const kept: ObservedContainer[] = [];
  for (const c of observed.containers) {
    const orphan = inSpec !== undefined && !inSpec.has(c.service);
    if (orphan && !opts.removeOrphans) {
      kept.push(c);
      b.orphans.push(c.name);
    } else if (named && !orphan && !named.has(c.service)) kept.push(c);
    else doomed.push(c);
  }
  const doomedProcesses = (observed.processes ?? []).filter((p) => {
    const orphan = inSpec !== undefined && !inSpec.has(p.service) && RUNNING_PROCESS.has(p.phase);
    if (orphan && !opts.removeOrphans) b.orphans.push(p.name);
    return !orphan || opts.removeOrphans;
  });
  const stops = addStops(b, doomed, 'down', opts.timeout, doomedProcesses, true);
  const removals = doomed.map((c) =>
    b.add({
      kind: 'container.remove',
      target: c.name,
      service: c.service,
      replica: c.replica,
      ref: c.id,
      volumes: !!opts.volumes,
      reason: 'down',
      after: stops.has(c.name) ? [stops.get(c.name) as string] : [],
    }),
  );
  const stillUsed = new Set(kept.flatMap((c) => c.summary.networks));
  const keptBy = kept.some((c) => named?.has(c.service) === false)
    ? 'other services'
    : 'orphan containers (use --remove-orphans)';
  for (const n of observed.networks) {
    if (stillUsed.has(n.name)) {
      b.notes.push(`network ${n.name} kept: still used by ${keptBy}`);
      continue;
    }
    b.add({ kind: 'network.remove', target: n.name, reason: 'down', after: removals });
  }
  // Container summaries do not list volumes: with containers left, the project's volumes stay.
  if (opts.volumes && named && kept.length > 0 && observed.volumes.length > 0)
    b.notes.push(`volumes kept: ${kept.length} container(s) of the project remain`);
  else if (opts.volumes)
    for (const v of observed.volumes)
      b.add({ kind: 'volume.remove', target: v.name, reason: 'down -v', after: removals });
  for (const image of opts.images ?? [])
    b.add({ kind: 'image.remove', target: image, reason: 'down --rmi local', after: removals });
  if (b.orphans.length > 0)
    b.notes.push(
      `found orphan containers or processes (${b.orphans.join(', ')}); run with --remove-orphans to remove them`,
    );
  return b.build();
}

/** `stop`: stop active containers and running processes, dependents first. */
export function planStop(observed: ObservedState, opts: SelectOptions & { timeout?: number } = {}): Plan {
  const b = new PlanBuilder();
  addStops(b, select(observed, opts), 'stop', opts.timeout, selectProcesses(observed, opts));
  return b.build();
}

function selectProcesses(observed: ObservedState, opts: SelectOptions): ProcessSummary[] {
  const only = opts.services && new Set(opts.services);
  return (observed.processes ?? []).filter((p) => !only || only.has(p.service));
}

/** `start` (and `restart`): dependencies first, containers and host processes in one order. */
function planInOrder(
  observed: ObservedState,
  opts: SelectOptions,
  kind: 'container.start' | 'container.restart',
  timeout?: number,
): Plan {
  const b = new PlanBuilder();
  const restart = kind === 'container.restart';
  const containers = select(observed, opts).filter((c) => restart || !ACTIVE.has(c.summary.state));
  // Start: processes a supervisor stopped (it remembers how they were started); restart: running ones.
  const processes = selectProcesses(observed, opts).filter((p) =>
    restart ? RUNNING_PROCESS.has(p.phase) : !RUNNING_PROCESS.has(p.phase) && p.spec !== undefined,
  );
  const byService = new Map<string, string[]>();
  const deps = new Map<string, string[]>();
  for (const c of containers) deps.set(c.service, c.dependsOn);
  for (const p of processes) deps.set(p.service, p.supervision.dependsOn ?? []);
  const reason = restart ? 'restart' : 'start';
  // Add dependencies' operations first so edges point backwards.
  const visited = new Set<string>();
  const visit = (service: string): void => {
    if (visited.has(service)) return;
    visited.add(service);
    for (const d of deps.get(service) ?? []) visit(d);
    const after = (deps.get(service) ?? []).flatMap((d) => byService.get(d) ?? []);
    const ids: string[] = [];
    for (const c of containers.filter((x) => x.service === service)) {
      const common = { target: c.name, service: c.service, replica: c.replica, ref: c.id, reason, after };
      ids.push(restart ? b.add({ kind, ...common, timeout }) : b.add({ kind, ...common }));
    }
    for (const p of processes.filter((x) => x.service === service)) {
      const common = { target: p.name, service: p.service, replica: p.replica, reason, after };
      ids.push(
        restart
          ? b.add({ kind: 'process.restart', ...common, ref: p.name, timeout })
          : b.add({ kind: 'process.start', ...common, spec: p.spec! }),
      );
    }
    byService.set(service, ids);
  };
  [...new Set([...containers.map((c) => c.service), ...processes.map((p) => p.service)])]
    .sort()
    .forEach(visit);
  return b.build();
}

/** `start SERVICE...` starts what the services depend on too, as Compose does. */
export function planStart(observed: ObservedState, opts: SelectOptions = {}): Plan {
  const services = opts.services && [...withDependencies(observed.containers, opts.services)];
  return planInOrder(observed, { ...opts, services }, 'container.start');
}

export interface RestartOptions extends SelectOptions {
  timeout?: number;
  /**
   * Service → the services whose `depends_on` entry for it says `restart: true` (from the stack file):
   * restarting a service restarts those too, unless `noDeps`.
   */
  restartDependents?: Record<string, string[]>;
  noDeps?: boolean;
}

export function planRestart(observed: ObservedState, opts: RestartOptions = {}): Plan {
  let services = opts.services;
  if (services && !opts.noDeps && opts.restartDependents) {
    const out = new Set<string>();
    const visit = (s: string): void => {
      if (out.has(s)) return;
      out.add(s);
      for (const d of opts.restartDependents?.[s] ?? []) visit(d);
    };
    services.forEach(visit);
    services = [...out];
  }
  return planInOrder(observed, { ...opts, services }, 'container.restart', opts.timeout);
}

/** The named services plus, transitively, what their containers were created depending on. */
function withDependencies(containers: ObservedContainer[], services: string[]): Set<string> {
  const deps = new Map<string, string[]>();
  for (const c of containers) deps.set(c.service, c.dependsOn);
  const out = new Set<string>();
  const visit = (s: string): void => {
    if (out.has(s)) return;
    out.add(s);
    for (const d of deps.get(s) ?? []) visit(d);
  };
  services.forEach(visit);
  return out;
}

/** `rm`: remove stopped containers; with `stop`, stop running ones first (else they are skipped). */
export function planRemove(
  observed: ObservedState,
  opts: SelectOptions & { stop?: boolean; volumes?: boolean; timeout?: number } = {},
): Plan {
  const b = new PlanBuilder();
  const containers = select(observed, opts);
  const stops = opts.stop ? addStops(b, containers, 'rm -s', opts.timeout) : new Map<string, string>();
  for (const c of containers) {
    if (ACTIVE.has(c.summary.state) && !stops.has(c.name)) {
      b.notes.push(`${c.name} is running; stop it first or use rm -s`);
      continue;
    }
    b.add({
      kind: 'container.remove',
      target: c.name,
      service: c.service,
      replica: c.replica,
      ref: c.id,
      volumes: !!opts.volumes,
      reason: 'rm',
      after: stops.has(c.name) ? [stops.get(c.name) as string] : [],
    });
  }
  return b.build();
}
