/**
 * planActions(desired, observed, options): the pure heart of `up`. Compares what should exist with what
 * does and returns the operations that close the gap — nothing when they already agree.
 */
import { changedFields } from './config-hash.js';
import type { DesiredContainer, DesiredService, DesiredState } from '../model/desired.js';
import type { ObservedContainer, ObservedState } from '../model/observed.js';
import { PlanBuilder, type Plan } from '../model/plan.js';
import type { ServiceCondition } from '../model/plan.js';
import { ProcessPlanner } from './plan-processes.js';
import { planRolling, type Replacement } from './rolling.js';
import type { DependsOn } from '../spec/types.js';

export interface PlanOptions {
  /** Recreate containers even when their config is unchanged. */
  forceRecreate?: boolean;
  /** Never recreate existing containers, even when their config changed. */
  noRecreate?: boolean;
  /** Create but do not start. */
  noStart?: boolean;
  /** Stop and remove containers of services no longer in the spec. */
  removeOrphans?: boolean;
  /** Only these services (and, transitively, their dependencies). Default: all. */
  services?: string[];
  /** Stop timeout in seconds, overriding each service's stop_grace_period. */
  timeout?: number;
  /** Only the named services, not what they depend on (`--no-deps`). */
  noDeps?: boolean;
  /**
   * Recreate the dependencies of the named services even when unchanged (`--always-recreate-deps`);
   * `forceRecreate` applies to the named services only, as in Compose.
   */
  forceRecreateDeps?: boolean;
  /** Create every network and volume the stack declares, used by a service or not (`--all-resources`). */
  allResources?: boolean;
}

const ACTIVE = new Set(['running', 'restarting', 'paused']);

/** What a service or a host process waits for (one graph for both kinds). */
export function dependenciesOf(desired: DesiredState, name: string): Record<string, DependsOn> {
  return desired.services[name]?.dependsOn ?? desired.processes?.[name]?.dependsOn ?? {};
}

/** Whether `name` is a service or a host process of the desired state. */
function isWorkload(desired: DesiredState, name: string): boolean {
  return desired.services[name] !== undefined || desired.processes?.[name] !== undefined;
}

/**
 * Services and processes to act on: the requested ones plus everything they depend on (with `noDeps`,
 * only them).
 */
export function withDependencies(
  desired: DesiredState,
  services: string[] | undefined,
  noDeps = false,
): string[] {
  if (!services) return [...Object.keys(desired.services), ...Object.keys(desired.processes ?? {})];
  if (noDeps) return services.filter((n) => isWorkload(desired, n));
  const out = new Set<string>();
  const visit = (name: string): void => {
    if (out.has(name) || !isWorkload(desired, name)) return;
    out.add(name);
    for (const dep of Object.keys(dependenciesOf(desired, name))) visit(dep);
  };
  services.forEach(visit);
  return [...out];
}

/** Services and processes in dependency order (dependencies first; ties by name). */
export function serviceOrder(desired: DesiredState, names: string[]): string[] {
  const selected = new Set(names);
  const done = new Set<string>();
  const out: string[] = [];
  const visit = (name: string, path: Set<string>): void => {
    if (done.has(name) || path.has(name) || !selected.has(name)) return;
    path.add(name);
    for (const dep of Object.keys(dependenciesOf(desired, name)).sort()) visit(dep, path);
    path.delete(name);
    done.add(name);
    out.push(name);
  };
  [...names].sort().forEach((n) => visit(n, new Set()));
  return out;
}

/** Why an existing container no longer matches, or undefined when it does. */
function divergence(
  want: DesiredContainer,
  svc: DesiredService,
  have: ObservedContainer,
): string | undefined {
  if (have.hash !== want.hash) {
    const fields = changedFields(have.fields, want.fields);
    return fields.length > 0 ? `config changed: ${fields.join(', ')}` : 'config changed';
  }
  if (svc.imageId && have.imageId && have.imageId !== svc.imageId) return 'image changed';
  return undefined;
}

/** The plan that brings the observed state to the desired one. Pure. */
export function planActions(desired: DesiredState, observed: ObservedState, options: PlanOptions = {}): Plan {
  const b = new PlanBuilder();
  const selected = serviceOrder(desired, withDependencies(desired, options.services, options.noDeps));
  const named = new Set(options.services ?? selected);
  const forced = (service: string): boolean =>
    (named.has(service) ? options.forceRecreate : options.forceRecreateDeps) === true;
  const stopTimeout = (svc: DesiredService | undefined): number | undefined =>
    options.timeout ?? svc?.stopTimeout;

  // Networks and volumes the selected services use.
  const netOps = new Map<string, string>();
  const haveNets = new Set(observed.networks.map((n) => n.name));
  const usedNets = new Set(selected.flatMap((s) => desired.services[s]?.networks ?? []));
  for (const n of desired.networks)
    if (!n.external && (options.allResources || usedNets.has(n.name)) && !haveNets.has(n.name))
      netOps.set(
        n.name,
        b.add({ kind: 'network.create', target: n.name, spec: n.spec, reason: 'no network' }),
      );
  const volOps = new Map<string, string>();
  const haveVols = new Set(observed.volumes.map((v) => v.name));
  const usedVols = new Set(selected.flatMap((s) => desired.services[s]?.volumes ?? []));
  for (const v of desired.volumes)
    if (!v.external && (options.allResources || usedVols.has(v.name)) && !haveVols.has(v.name))
      volOps.set(v.name, b.add({ kind: 'volume.create', target: v.name, spec: v.spec, reason: 'no volume' }));

  const readyOps = new Map<string, string[]>(); // service → ops its dependents wait for
  const stopOps = new Map<string, string[]>(); // service → its stop ops (for reverse ordering)
  const restarted = new Set<string>(); // services recreated or started again
  const recreated = new Set<string>(); // services whose containers are replaced
  const touched = new Set<string>(); // container names with operations
  const byService = groupBy(
    observed.containers.filter((c) => !c.oneoff),
    (c) => c.service,
  );

  const stopAndRemove = (c: ObservedContainer, svc: DesiredService | undefined, reason: string): string => {
    touched.add(c.name);
    const after: string[] = [];
    if (ACTIVE.has(c.summary.state)) {
      const stop = b.add({
        kind: 'container.stop',
        target: c.name,
        service: c.service,
        replica: c.replica,
        ref: c.id,
        timeout: stopTimeout(svc),
        reason,
      });
      stopOps.set(c.service, [...(stopOps.get(c.service) ?? []), stop]);
      after.push(stop);
    }
    return b.add({
      kind: 'container.remove',
      target: c.name,
      service: c.service,
      replica: c.replica,
      ref: c.id,
      volumes: false,
      reason,
      after,
    });
  };

  const processOps = new ProcessPlanner(b, desired, observed, options);
  for (const name of selected) {
    const proc = desired.processes?.[name];
    if (proc) {
      const depReady = Object.keys(proc.dependsOn).flatMap((d) => readyOps.get(d) ?? []);
      const planned = processOps.plan(proc, depReady, dependencyConditions(desired, proc.dependsOn));
      readyOps.set(name, planned.ready);
      if (planned.restarted) restarted.add(name);
      if (planned.stops.length > 0) stopOps.set(name, planned.stops);
      continue;
    }
    const svc = desired.services[name] as DesiredService;
    const depReady = Object.keys(svc.dependsOn).flatMap((d) => readyOps.get(d) ?? []);
    const waits = dependencyConditions(desired, svc.dependsOn);
    const ready: string[] = [];
    const have = byService.get(name) ?? [];
    const byReplica = groupBy(have, (c) => String(c.replica));

    const rolling: Replacement[] = [];
    const duplicateRemovals = new Map<number, string[]>();
    for (const want of svc.containers) {
      // The container holding the replica's own name is the current one (a leftover `-next` is extra).
      const [current, ...duplicates] = [...(byReplica.get(String(want.replica)) ?? [])].sort(
        (x, y) => Number(y.name === want.name) - Number(x.name === want.name),
      );
      duplicateRemovals.set(
        want.replica,
        duplicates.map((d) => stopAndRemove(d, svc, 'duplicate replica')),
      );
      let reason: string | undefined;
      // Created only once its dependencies are ready: a dependency that fails leaves it uncreated.
      const after = [
        ...depReady,
        ...want.spec.networks.flatMap((n) => netOps.get(n.network) ?? []),
        ...want.spec.mounts.flatMap((m) =>
          m.type === 'volume' && m.source ? (volOps.get(m.source) ?? []) : [],
        ),
      ];
      if (!current) reason = 'no container';
      else {
        // A container sharing another's namespace or volumes holds that container's ID: replace it too.
        const shared = svc.sharesWith.find((d) => recreated.has(d));
        const diff = forced(name)
          ? 'forced'
          : (divergence(want, svc, current) ??
            (shared && `${shared} recreated (shares its namespace or volumes)`));
        if (diff && !options.noRecreate && svc.updateConfig && svc.replicas > 1) {
          // A replicated service with update_config is replaced by a rolling update (below).
          rolling.push({ want, current, reason: diff });
          touched.add(current.name);
          restarted.add(name);
          recreated.add(name);
          continue;
        }
        if (diff && !options.noRecreate) {
          reason = diff;
          after.push(stopAndRemove(current, svc, diff));
          restarted.add(name);
          recreated.add(name);
        }
      }
      if (reason) {
        touched.add(want.name);
        const create = b.add({
          kind: 'container.create',
          target: want.name,
          service: name,
          replica: want.replica,
          spec: want.spec,
          reason,
          after,
        });
        if (options.noStart) ready.push(create);
        else
          ready.push(
            b.add({
              kind: 'container.start',
              target: want.name,
              service: name,
              replica: want.replica,
              ref: want.name,
              reason: 'created',
              after: [create, ...depReady],
              ...waits,
            }),
          );
        continue;
      }
      const c = current as ObservedContainer;
      if (c.name !== want.name) {
        // A rolling update killed after removing the old replica and before renaming `<name>-next`:
        // the new container is current but under its temporary name, which would also block the next
        // rolling update of this replica (its `-next` name is taken). Give it the replica's name.
        touched.add(c.name);
        b.add({
          kind: 'container.rename',
          target: c.name,
          service: name,
          replica: c.replica,
          ref: c.id,
          name: want.name,
          reason: 'an interrupted rolling update left it under its temporary name',
          after: duplicateRemovals.get(want.replica) ?? [],
        });
      }
      const state = c.summary.state;
      if (options.noStart || ACTIVE.has(state) || state === 'removing') continue;
      const completed = state === 'exited' && !svc.longRunning && c.summary.exitCode === 0;
      if (completed) continue;
      touched.add(c.name);
      restarted.add(name);
      ready.push(
        b.add({
          kind: 'container.start',
          target: c.name,
          service: name,
          replica: c.replica,
          ref: c.id,
          reason: state === 'created' ? 'created, not started' : `${state}, starting again`,
          after: depReady,
          ...waits,
        }),
      );
    }
    if (rolling.length > 0)
      ready.push(
        ...planRolling(b, svc, rolling, {
          after: (want) => [
            ...depReady,
            ...(duplicateRemovals.get(want.replica) ?? []),
            ...want.spec.networks.flatMap((n) => netOps.get(n.network) ?? []),
            ...want.spec.mounts.flatMap((m) =>
              m.type === 'volume' && m.source ? (volOps.get(m.source) ?? []) : [],
            ),
          ],
          startExtras: waits,
          stopTimeout: stopTimeout(svc),
        }),
      );
    // Scale down: replicas beyond the desired count (highest numbers), or without a replica number.
    for (const c of [...have].sort((x, y) => y.replica - x.replica))
      if (c.replica < 1 || c.replica > svc.replicas) stopAndRemove(c, svc, 'scaled down');
    readyOps.set(name, ready);
  }

  // Dependents that asked for it restart when a dependency was recreated or started again.
  for (const name of selected) {
    const svc = desired.services[name];
    if (!svc) continue;
    for (const [dep, d] of Object.entries(svc.dependsOn)) {
      if (!d.restart || !restarted.has(dep)) continue;
      for (const c of byService.get(name) ?? []) {
        if (touched.has(c.name) || c.summary.state !== 'running') continue;
        touched.add(c.name);
        b.add({
          kind: 'container.restart',
          target: c.name,
          service: name,
          replica: c.replica,
          ref: c.id,
          timeout: stopTimeout(svc),
          reason: `dependency ${dep} restarted`,
          after: readyOps.get(dep) ?? [],
        });
      }
    }
  }

  // Orphans: containers of services the spec no longer has.
  for (const [service, containers] of byService) {
    if (desired.services[service]) continue;
    for (const c of containers) {
      b.orphans.push(c.name);
      if (options.removeOrphans) stopAndRemove(c, undefined, 'orphan');
    }
  }
  const orphanProcesses = processOps.orphans();
  if (b.orphans.length > 0 && !options.removeOrphans)
    b.notes.push(
      `found orphan ${orphanProcesses > 0 ? (orphanProcesses === b.orphans.length ? 'processes' : 'containers and processes') : 'containers'} (${[...b.orphans].sort().join(', ')}) for services not in the stack; run with --remove-orphans to remove them`,
    );

  // Reverse order for stopping: a service's containers (or a process) stop after its dependents'.
  for (const [service, ops] of stopOps) {
    const dependents = [...Object.values(desired.services), ...Object.values(desired.processes ?? {})]
      .filter((s) => service in s.dependsOn)
      .flatMap((s) => stopOps.get(s.name) ?? []);
    for (const op of ops) b.addAfter(op, dependents);
  }
  return b.build();
}

/**
 * The `depends_on` entries the scheduler checks before a start (none for plain required starts). A
 * dependency scaled to zero has nothing to wait for (as in Compose); a host process's wait is answered by
 * its supervisor.
 */
function dependencyConditions(
  desired: DesiredState,
  dependsOn: Record<string, DependsOn>,
): { waitsFor?: ServiceCondition[] } {
  const waitsFor = Object.entries(dependsOn)
    .filter(([name]) => (desired.services[name]?.replicas ?? desired.processes?.[name]?.replicas ?? 0) > 0)
    .filter(([, d]) => d.condition !== 'service_started' || !d.required)
    .map(([service, d]): ServiceCondition => ({
      service,
      condition: d.condition,
      required: d.required,
      ...(desired.processes?.[service] ? { workload: 'process' as const } : {}),
    }));
  return waitsFor.length > 0 ? { waitsFor } : {};
}

function groupBy<T>(xs: T[], key: (x: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const x of xs) out.set(key(x), [...(out.get(key(x)) ?? []), x]);
  return out;
}
