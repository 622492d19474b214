/**
 * converge: one pass of the control loop for `up` — check what must pre-exist, get images, compute the
 * desired state, observe, plan, check host ports, then apply. Everything that can fail on user input
 * fails before the first object is created.
 */
import type { EventBus } from '../events/bus.js';
import { checkExternalNetworks } from '../network/networks.js';
import { checkPortsFree, portClaims } from '../network/ports.js';
import { checkExternalVolumes, ensureBindPaths } from '../network/volumes.js';
import type { Runtime } from '../runtime/types.js';
import type { PullPolicy, ServiceSpec, Stack } from '../spec/types.js';
import { UsageError } from '../core/errors.js';
import { compareApiVersions } from '../runtime/docker-mapping.js';
import { checkFit, claimsResources } from '../scheduler/fit.js';
import { applyPlan, throwIfFailed, type ApplyResult } from '../scheduler/apply.js';
import { desired, withImageIds } from './desired.js';
import type { DesiredState } from '../model/desired.js';
import { ensureImages } from './images.js';
import { observe } from './observe.js';
import type { ObservedState } from '../model/observed.js';
import type { Plan } from '../model/plan.js';
import type { ProcessHost } from '../model/process-host.js';
import { planActions, withDependencies, type PlanOptions } from './plan.js';
import { renderPlan } from '../model/plan-text.js';

export interface ConvergeOptions extends PlanOptions {
  build?: 'always' | 'never';
  /** `up --pull`: replaces every service's pull_policy. */
  pull?: PullPolicy;
  /** Plan only: nothing is built, pulled, created or removed. */
  dryRun?: boolean;
  bus?: EventBus;
  concurrency?: number;
  signal?: AbortSignal;
  /**
   * The supervisor of the project's host processes (needed when the stack has any, or had: their processes
   * are observed through it). Without one, processes are neither observed nor planned.
   */
  processes?: ProcessHost;
}

export interface ConvergeResult {
  plan: Plan;
  desired: DesiredState;
  observed: ObservedState;
  result?: ApplyResult;
}

/** Fails (exit 2) when a named service is not in the stack (a host process's name counts as one). */
export function checkServiceNames(stack: Stack, names: string[] | undefined): void {
  const known = [...Object.keys(stack.services), ...Object.keys(stack.processes ?? {})];
  const unknown = (names ?? []).filter((n) => !known.includes(n));
  if (unknown.length > 0)
    throw new UsageError(`no such service: ${unknown.join(', ')} (services: ${known.sort().join(', ')})`);
}

/**
 * The services a command acts on: those named (checked, exit 2 for an unknown one) and, with `withDeps`,
 * what they depend on; all of the stack's when none is named. In the stack's order.
 */
export function selectServices(stack: Stack, names: string[], withDeps?: boolean): ServiceSpec[] {
  checkServiceNames(stack, names);
  const chosen =
    names.length === 0
      ? Object.keys(stack.services)
      : withDeps
        ? withDependencies(desired(stack), names)
        : names;
  return chosen.map((n) => stack.services[n] as ServiceSpec);
}

/**
 * Before anything is built, pulled or created: the reservations must fit the machine (exit 1 naming the
 * numbers), and a health check's start_interval the engine cannot take is reported as dropped.
 */
async function checkScheduling(
  runtime: Runtime,
  stack: Stack,
  selected: ServiceSpec[],
  bus: EventBus | undefined,
): Promise<void> {
  const names = selected.map((s) => s.name);
  const withStartInterval = selected.filter((s) => s.healthcheck?.start_interval !== undefined);
  if (!claimsResources(stack, names) && withStartInterval.length === 0) return;
  const info = await runtime.info();
  checkFit(stack, info, names);
  if (withStartInterval.length > 0 && compareApiVersions(info.apiVersion, '1.44') < 0)
    bus?.emit({
      kind: 'warning',
      message: `healthcheck.start_interval needs Docker Engine API 1.44; this engine speaks ${info.apiVersion}, so it is dropped for ${withStartInterval.map((s) => s.name).join(', ')} (start_period still applies)`,
    });
}

/** Plans and (unless dry-run) applies the stack; throws EngineError naming what failed. */
export async function converge(
  runtime: Runtime,
  stack: Stack,
  opts: ConvergeOptions = {},
): Promise<ConvergeResult> {
  checkServiceNames(stack, opts.services);
  const base = desired(stack);
  const selected = withDependencies(base, opts.services, opts.noDeps);
  const selectedSpecs = selected.flatMap((n) => (stack.services[n] ? [stack.services[n]] : []));
  const usedNets = new Set(selected.flatMap((n) => base.services[n]?.networks ?? []));
  const usedVols = new Set(selected.flatMap((n) => base.services[n]?.volumes ?? []));
  await Promise.all([
    checkExternalNetworks(
      runtime,
      base.networks.filter((n) => usedNets.has(n.name)),
    ),
    checkExternalVolumes(
      runtime,
      base.volumes.filter((v) => usedVols.has(v.name)),
    ),
  ]);
  await checkScheduling(runtime, stack, selectedSpecs, opts.bus);
  // Observing does not depend on images: do both at once (it is most of a no-op pass).
  const [imageIds, have] = await Promise.all([
    ensureImages(runtime, stack, selected, {
      build: opts.build,
      pull: opts.pull,
      offline: opts.dryRun,
      concurrency: opts.concurrency,
      bus: opts.bus,
      signal: opts.signal,
    }),
    observe(runtime, stack.name, opts.processes),
  ]);
  const want = withImageIds(base, imageIds);
  const plan = planActions(want, have, opts);
  opts.bus?.emit({ kind: 'plan.computed', operations: plan.operations.length, text: renderPlan(plan) });
  for (const note of plan.notes) opts.bus?.emit({ kind: 'warning', message: note });
  if (opts.dryRun || plan.operations.length === 0) return { plan, desired: want, observed: have };
  if (!opts.processes && plan.operations.some((o) => o.kind.startsWith('process.')))
    throw new UsageError('this stack has host processes, and no supervisor for them was started');
  await checkPortsFree(portClaims(plan, have));
  const creating = new Set(
    plan.operations.flatMap((o) => (o.kind === 'container.create' && o.service ? [o.service] : [])),
  );
  await ensureBindPaths(selectedSpecs.filter((s) => creating.has(s.name)));
  const result = await applyPlan(runtime, plan, {
    bus: opts.bus,
    concurrency: opts.concurrency,
    signal: opts.signal,
    project: stack.name,
    processes: opts.processes,
  });
  throwIfFailed(result);
  return { plan, desired: want, observed: have, result };
}
