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
import type { Runtime } from '../runtime/types.js';
import type { Stack } from '../spec/types.js';
import { applyOrPrint } from './apply-plan.js';
import {
  killProcesses,
  processAccess,
  processServices,
  refuseProcesses,
  withRememberedSpecs,
} from './process-lifecycle.js';
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
  const known = new Set([
    ...Object.keys(stack.services),
    ...observed.containers.map((c) => c.service),
    ...Object.keys(stack.processes),
    ...observed.processes.map((p) => p.service),
  ]);
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
  const verb = g.dryRun
    ? 'look'
    : action.kind === 'start' || action.kind === 'restart'
      ? action.kind
      : 'look';
  const access = await processAccess(stack, verb);
  try {
    const observed = await observe(runtime, stack.name, access?.host);
    if (action.kind === 'start') withRememberedSpecs(observed, stack);
    checkKnownServices(stack, observed, services);
    if (action.kind === 'pause' || action.kind === 'unpause' || action.kind === 'rm')
      refuseProcesses(stack, observed, services, action.kind);
    const plan = planLifecycle(action, observed, stack, services);
    if (action.kind === 'kill')
      return await killBoth(g, runtime, plan, { stack, observed, services }, action.signal);
    if (action.kind === 'rm' && plan.operations.length === 0 && plan.notes.length === 0 && !g.dryRun)
      process.stderr.write('No stopped containers\n');
    await applyOrPrint(runtime, plan, { dryRun: g.dryRun, processes: access?.host });
  } finally {
    access?.close();
    unlock();
  }
}

/** `kill`: the containers' plan, and the signal to the named (or all) host processes' groups. */
async function killBoth(
  g: GlobalOptions,
  runtime: Runtime,
  plan: Plan,
  { stack, observed, services }: { stack: Stack; observed: ObservedState; services: string[] },
  signal: string,
): Promise<void> {
  const onlyProcesses =
    services.length > 0 && processServices(stack, observed, services).length === services.length;
  const procs = observed.processes.filter(
    (p) => p.phase === 'running' && (services.length === 0 || services.includes(p.service)),
  );
  if (g.dryRun) {
    if (!onlyProcesses) await applyOrPrint(runtime, plan, { dryRun: true });
    for (const p of procs)
      process.stdout.write(`kill -s ${signal} process ${p.name} (process group ${p.pid})\n`);
    return;
  }
  if (!onlyProcesses && plan.operations.length > 0) await applyOrPrint(runtime, plan, {});
  const lines = killProcesses(observed, services, signal);
  for (const line of lines) process.stderr.write(`${line}\n`);
  if (plan.operations.length === 0 && lines.length === 0)
    process.stderr.write(`${[...plan.notes, 'no host process to kill'].join('; ')}\n`);
}
