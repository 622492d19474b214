/**
 * Pure planners for `down`, `stop`, `start`, `restart` and `rm`. They work from what is observed alone
 * (dependencies come from each container's depends-on label), so they work without the stack file too.
 */
import type { ObservedContainer, ObservedState } from '../model/observed.js';
import { PlanBuilder, type Plan } from '../model/plan.js';

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

/** Service → services that depend on it, from the containers' labels. */
function dependentsOf(containers: ObservedContainer[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const c of containers)
    for (const dep of c.dependsOn) out.set(dep, new Set([...(out.get(dep) ?? []), c.service]));
  return out;
}

/** Adds stop operations for active containers, dependents first; returns stop op ids by container name. */
function addStops(
  b: PlanBuilder,
  containers: ObservedContainer[],
  reason: string,
  timeout?: number,
): Map<string, string> {
  const ids = new Map<string, string>();
  const byService = new Map<string, string[]>();
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
    byService.set(c.service, [...(byService.get(c.service) ?? []), id]);
  }
  const dependents = dependentsOf(containers);
  for (const [service, ops] of byService) {
    const after = [...(dependents.get(service) ?? [])].flatMap((d) => byService.get(d) ?? []);
    for (const op of ops) b.addAfter(op, after);
  }
  return ids;
}

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

/** `down`: stop and remove containers (dependents first), then the project's networks, and volumes with -v. */
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
  const stops = addStops(b, doomed, 'down', opts.timeout);
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
      `found orphan containers (${b.orphans.join(', ')}); run with --remove-orphans to remove them`,
    );
  return b.build();
}

/** `stop`: stop active containers, dependents first. */
export function planStop(observed: ObservedState, opts: SelectOptions & { timeout?: number } = {}): Plan {
  const b = new PlanBuilder();
  addStops(b, select(observed, opts), 'stop', opts.timeout);
  return b.build();
}

/** `start` (and `restart`): dependencies first. */
function planInOrder(
  observed: ObservedState,
  opts: SelectOptions,
  kind: 'container.start' | 'container.restart',
  timeout?: number,
): Plan {
  const b = new PlanBuilder();
  const containers = select(observed, opts).filter(
    (c) => kind === 'container.restart' || !ACTIVE.has(c.summary.state),
  );
  const byService = new Map<string, string[]>();
  const deps = new Map<string, string[]>();
  for (const c of containers) deps.set(c.service, c.dependsOn);
  // Add dependencies' operations first so edges point backwards.
  const visited = new Set<string>();
  const visit = (service: string): void => {
    if (visited.has(service)) return;
    visited.add(service);
    for (const d of deps.get(service) ?? []) visit(d);
    const after = (deps.get(service) ?? []).flatMap((d) => byService.get(d) ?? []);
    for (const c of containers.filter((x) => x.service === service)) {
      const reason = kind === 'container.start' ? 'start' : 'restart';
      const common = { target: c.name, service: c.service, replica: c.replica, ref: c.id, reason, after };
      const id =
        kind === 'container.start' ? b.add({ kind, ...common }) : b.add({ kind, ...common, timeout });
      byService.set(service, [...(byService.get(service) ?? []), id]);
    }
  };
  [...new Set(containers.map((c) => c.service))].sort().forEach(visit);
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
