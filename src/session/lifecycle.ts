/**
 * The commands that act on existing containers — start, stop, restart, kill, pause, unpause, rm — as
 * one flow: load the project (the stack file is optional), check the service names, observe, plan,
 * then apply under the project lock or, with `--dry-run`, print the plan.
 */
import { UsageError } from '../core/errors.js';
import type { ObservedState } from '../model/observed.js';
import type { Plan } from '../model/plan.js';
import { planKill, planPause, planUnpause } from '../reconciler/container-signals.js';
import { planRemove, planRestart, planStart, planStop } from '../reconciler/lifecycle.js';
import { observe } from '../reconciler/observe.js';
import type { Stack } from '../spec/types.js';
import { applyOrPrint } from './apply-plan.js';
import { lockProject } from './lock.js';
import { loadProjectAndConnect, type GlobalOptions } from './project.js';

export type LifecycleAction =
  | { kind: 'start' }
  | { kind: 'stop'; timeout?: number }
  | { kind: 'restart'; timeout?: number; noDeps?: boolean }
  | { kind: 'kill'; signal: string; removeOrphans?: boolean }
  | { kind: 'pause' }
  | { kind: 'unpause' }
  | { kind: 'rm'; stop?: boolean; volumes?: boolean };

/** Service → the services that asked (`depends_on: {x: {restart: true}}`) to restart along with it. */
export function restartDependents(stack: Stack): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const s of Object.values(stack.services))
    for (const [dep, d] of Object.entries(s.depends_on)) if (d.restart) (out[dep] ??= []).push(s.name);
  return out;
}

/** The plan for `action` on what is observed (pure). */
export function planLifecycle(
  action: LifecycleAction,
  observed: ObservedState,
  stack: Stack,
  services: string[],
): Plan {
  const only = services.length > 0 ? services : undefined;
  const specServices = Object.keys(stack.services);
  switch (action.kind) {
    case 'start':
      return planStart(observed, { services: only });
    case 'stop':
      return planStop(observed, { services: only, timeout: action.timeout });
    case 'restart':
      return planRestart(observed, {
        services: only,
        timeout: action.timeout,
        noDeps: action.noDeps,
        restartDependents: restartDependents(stack),
      });
    case 'kill':
      return planKill(observed, {
        services: only,
        signal: action.signal,
        specServices: specServices.length > 0 ? specServices : undefined,
        includeOrphans: action.removeOrphans,
      });
    case 'pause':
      return planPause(observed, { services: only });
    case 'unpause':
      return planUnpause(observed, { services: only });
    case 'rm':
      return planRemove(observed, {
        services: only,
        stop: action.stop,
        volumes: action.volumes,
        oneoff: true,
      });
  }
}

/** Fails (exit 2) on a service that neither the stack file nor the engine knows. */
export function checkKnownServices(stack: Stack, observed: ObservedState, services: string[]): void {
  const known = new Set([...Object.keys(stack.services), ...observed.containers.map((c) => c.service)]);
  const unknown = services.filter((s) => !known.has(s));
  if (unknown.length > 0)
    throw new UsageError(
      `no such service: ${unknown.join(', ')} (services: ${[...known].sort().join(', ') || 'none'})`,
    );
}

/** Runs one lifecycle command on the project the global options name. */
export async function runLifecycle(
  g: GlobalOptions,
  services: string[],
  action: LifecycleAction,
): Promise<void> {
  const {
    loaded: { stack },
    runtime,
  } = await loadProjectAndConnect(g, { allowMissing: true });
  const unlock = g.dryRun ? () => undefined : await lockProject(stack.name, g.lockWait !== false);
  try {
    const observed = await observe(runtime, stack.name);
    checkKnownServices(stack, observed, services);
    const plan = planLifecycle(action, observed, stack, services);
    if (action.kind === 'rm' && plan.operations.length === 0 && plan.notes.length === 0 && !g.dryRun)
      process.stderr.write('No stopped containers\n');
    await applyOrPrint(runtime, plan, { dryRun: g.dryRun });
  } finally {
    unlock();
  }
}
