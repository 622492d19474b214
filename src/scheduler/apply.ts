/**
 * applyPlan: executes a plan against a Runtime in dependency order with bounded parallelism, emitting
 * operation.started/done/failed and container.state events. A failed operation stops everything that
 * waits for it; independent operations still run. The result names what failed, for which service, in
 * the engine's own words.
 */
import { EngineError } from '../core/errors.js';
import type { EventBus } from '../events/bus.js';
import type { ServicePhase } from '../events/types.js';
import type { Runtime } from '../runtime/types.js';
import { ConditionWatcher, healthBoundMs } from './conditions.js';
import { executeDag, type DagNode, type NodeOutcome } from './execute.js';
import { LABEL } from '../model/labels.js';
import type { Operation, Plan, ServiceCondition } from '../model/plan.js';
import type { ProcessCondition, ProcessHost } from '../model/process-host.js';
import { removeContainerAwaiting, removeNetworkAwaiting, stopContainerTolerant } from './removal.js';
import { describeOperation } from '../model/plan-text.js';

export interface ApplyOptions {
  bus?: EventBus;
  /** Most engine calls in flight at once (default: `defaultConcurrency()`). */
  concurrency?: number;
  /** Most stops and restarts in flight at once, beside `concurrency` (default: `STOP_CONCURRENCY`). */
  waitConcurrency?: number;
  signal?: AbortSignal;
  /** Project whose containers `depends_on` conditions are checked in (default: from the plan's labels). */
  project?: string;
  /** The supervisor of the project's host processes: runs `process.*` operations and answers their waits. */
  processes?: ProcessHost;
}

export interface OperationFailure {
  operation: Operation;
  /** The engine's words. */
  error: string;
}

export interface ApplyResult {
  done: Operation[];
  failed: OperationFailure[];
  /** Operations not run because something they wait for failed (or the run was aborted). */
  skipped: Operation[];
}

/**
 * `TSSTACK_PARALLEL` when set (-1: no limit, as Compose's `--parallel -1`), else 50, the docker CLI's own bound for parallel container operations
 * (Compose v2 sets none). Engine calls mostly wait on the daemon, and the daemon's own work (containerd,
 * runc) competes for the CPU with whatever else the machine runs, so more calls at once get it a larger
 * share: on a 2-core machine under load, cold `up -d` of 50 services took 9.2/12.4/9.9 s with 16 calls at
 * once and 7.6/10.7/8.1 s with 50 (Compose v2: 7.2/9.4/8.1 s, runs interleaved); the earlier default,
 * 2× CPUs (4), was slower still. On an idle engine the bound made no difference.
 */
export const DEFAULT_CONCURRENCY = 50;

export function defaultConcurrency(env: Record<string, string | undefined> = process.env): number {
  const fromEnv = Number.parseInt(env.TSSTACK_PARALLEL ?? '', 10);
  if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  // -1: no limit, as Compose's `--parallel -1`.
  if (fromEnv === -1) return Number.MAX_SAFE_INTEGER;
  return DEFAULT_CONCURRENCY;
}

/**
 * Stops (and restarts, which stop first) mostly wait: the engine sends the stop signal, then sits out the
 * grace period (10 s by default) before it kills. Under the engine-work cap, N stops of containers that
 * ignore SIGTERM took N/cap grace periods one after another. They get their own bound instead: 50, what
 * the docker CLI itself allows for `docker stop a b c ...`; Compose v2 stops a whole dependency level at
 * once. Dependency order (dependents stop first) is kept by the plan's edges, not by the bound.
 */
export const STOP_CONCURRENCY = 50;
const WAITING: ReadonlySet<Operation['kind']> = new Set(['container.stop', 'container.restart']);

/**
 * Host processes' operations are no engine call: a stop, restart or removal sits out its grace period
 * (50 processes that ignore SIGTERM took 13 grace periods under the work cap, bench/processes), and a
 * start is a spawn. They all take the waiting lane, so the engine-work cap bounds only engine work.
 */
function waitingLane(kind: Operation['kind']): boolean {
  return WAITING.has(kind) || kind.startsWith('process.');
}

const PHASE_AFTER: Partial<Record<Operation['kind'], ServicePhase>> = {
  'container.create': 'created',
  'container.start': 'running',
  'container.stop': 'stopped',
  'container.restart': 'running',
  'container.remove': 'removed',
};
const PHASE_DURING: Partial<Record<Operation['kind'], ServicePhase>> = {
  'container.start': 'starting',
  'container.stop': 'stopping',
  'container.restart': 'restarting',
};

/**
 * The one engine call an operation stands for. Removals and stops finish what an earlier (killed) run
 * left in progress instead of failing on it (see removal.ts).
 */
async function runOperation(
  runtime: Runtime,
  op: Operation,
  signal: AbortSignal | undefined,
  processes: ProcessHost | undefined,
): Promise<string | undefined> {
  const host = (): ProcessHost => {
    if (!processes) throw new Error('no supervisor for host processes was given');
    return processes;
  };
  switch (op.kind) {
    case 'process.start':
      return host()
        .start(op.spec)
        .then(() => undefined);
    case 'process.stop':
      return host()
        .stop(op.ref, { timeoutMs: op.timeout === undefined ? undefined : op.timeout * 1000 })
        .then(() => undefined);
    case 'process.restart':
      return host()
        .restart(op.ref, { timeoutMs: op.timeout === undefined ? undefined : op.timeout * 1000 })
        .then(() => undefined);
    case 'process.remove':
      return host()
        .remove(op.ref, { timeoutMs: op.timeout === undefined ? undefined : op.timeout * 1000 })
        .then(() => undefined);
    case 'network.create':
      return runtime.createNetwork(op.spec);
    case 'network.remove':
      return removeNetworkAwaiting(runtime, op.target, { signal }).then(() => undefined);
    case 'volume.create':
      return runtime.createVolume(op.spec).then(() => undefined);
    case 'volume.remove':
      return runtime.removeVolume(op.target).then(() => undefined);
    case 'container.create':
      return runtime.createContainer(op.spec);
    case 'container.start':
      return runtime.startContainer(op.ref).then(() => undefined);
    case 'container.stop':
      return stopContainerTolerant(runtime, op.ref, op.timeout).then(() => undefined);
    case 'container.restart':
      return runtime.restartContainer(op.ref, op.timeout).then(() => undefined);
    case 'container.kill':
      return runtime.killContainer(op.ref, op.signal).then(() => undefined);
    case 'container.pause':
      return runtime.pauseContainer(op.ref).then(() => undefined);
    case 'container.unpause':
      return runtime.unpauseContainer(op.ref).then(() => undefined);
    case 'container.remove':
      return removeContainerAwaiting(runtime, op.ref, { force: true, volumes: op.volumes }, { signal }).then(
        () => undefined,
      );
    case 'image.remove':
      return runtime.removeImage(op.target).then(() => undefined);
    case 'container.connect':
      return runtime.connectNetwork(op.ref, op.attachment).then(() => undefined);
    case 'container.disconnect':
      return runtime.disconnectNetwork(op.ref, op.network).then(() => undefined);
    case 'container.rename':
      return runtime.renameContainer(op.ref, op.name).then(() => undefined);
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A watcher for the plan's health/completion conditions, when it has any. */
function conditionWatcher(runtime: Runtime, plan: Plan, project?: string): ConditionWatcher | undefined {
  const waiting = plan.operations.filter(
    (op) =>
      op.waitsHealthy ||
      op.waitsFor?.some((w) => w.condition !== 'service_started' && w.workload !== 'process'),
  );
  if (waiting.length === 0) return undefined;
  const name =
    project ??
    plan.operations.flatMap((op) =>
      op.kind === 'container.create' ? [op.spec.labels[LABEL.project]] : [],
    )[0];
  const bounds = new Map<string, number>();
  for (const op of plan.operations)
    if (op.kind === 'container.create' && op.service && op.spec.healthcheck)
      bounds.set(op.service, Math.max(bounds.get(op.service) ?? 0, healthBoundMs(op.spec.healthcheck)));
  if (!name) return undefined;
  const watcher = new ConditionWatcher(runtime, name, { healthBound: (s) => bounds.get(s) });
  watcher.start();
  return watcher;
}

/** A rolling update's failed gate with failure_action rollback: the new replica goes, the old one stays. */
async function rollBack(
  runtime: Runtime,
  plan: Plan,
  outcomes: Map<string, NodeOutcome<string | undefined>>,
  bus: EventBus | undefined,
): Promise<void> {
  for (const op of plan.operations) {
    if (!op.rollbackRemove || outcomes.get(op.id)?.status !== 'failed') continue;
    try {
      await runtime.removeContainer(op.rollbackRemove, { force: true });
      bus?.emit({
        kind: 'warning',
        service: op.service,
        message: `rolling update of ${op.service ?? '?'} rolled back: removed the new replica ${op.rollbackRemove}; the old one keeps serving`,
      });
    } catch (err) {
      bus?.emit({
        kind: 'error',
        service: op.service,
        message: `rollback could not remove ${op.rollbackRemove}: ${message(err)}`,
      });
    }
  }
}

/** What a wait on a host process's service waits for, by its `depends_on` condition. */
const PROCESS_CONDITION: Record<ServiceCondition['condition'], ProcessCondition> = {
  service_started: 'running',
  service_healthy: 'healthy',
  service_completed_successfully: 'completed',
};

/**
 * Before an operation: the update delay, a replacement's health, then `depends_on` conditions — on the
 * engine for services, on the supervisor for host processes (both ways: a container waiting for a
 * process, a process waiting for a container).
 */
async function awaitGate(
  watcher: ConditionWatcher | undefined,
  processes: ProcessHost | undefined,
  op: Operation,
  signal: AbortSignal,
  bus: EventBus | undefined,
): Promise<void> {
  if (op.delayMs) await sleep(op.delayMs, signal);
  if (op.waitsHealthy) await watcher?.waitContainer(op.waitsHealthy, signal);
  await Promise.all(
    (op.waitsFor ?? []).map(async (w) => {
      try {
        if (w.workload === 'process') {
          if (!processes) throw new Error(`no supervisor for host process ${w.service}`);
          await processes.wait(w.service, PROCESS_CONDITION[w.condition], signal);
        } else if (watcher) await watcher.wait(w.service, w.condition, signal);
      } catch (err) {
        if (w.required || signal.aborted) throw err;
        bus?.emit({
          kind: 'warning',
          service: op.service,
          message: `optional dependency not met: ${message(err)}; starting ${op.service ?? op.target} anyway`,
        });
      }
    }),
  );
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason ?? new Error('aborted'));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Runs the plan; never throws for operation failures (see `throwIfFailed`). */
export async function applyPlan(
  runtime: Runtime,
  plan: Plan,
  options: ApplyOptions = {},
): Promise<ApplyResult> {
  const { bus } = options;
  const byId = new Map(plan.operations.map((op) => [op.id, op]));
  const containerEvent = (op: Operation, phase: ServicePhase | undefined, exitCode?: number): void => {
    if (!bus || !phase || !op.service) return;
    bus.emit({
      kind: 'container.state',
      service: op.service,
      replica: op.replica ?? 0,
      container: op.target,
      phase,
      exitCode,
    });
  };
  const watcher = conditionWatcher(runtime, plan, options.project);
  // Optional (`required: false`) dependencies per service: every edge from its operations to theirs is soft.
  const softDeps = new Map<string, Set<string>>();
  for (const op of plan.operations)
    for (const w of op.waitsFor ?? [])
      if (!w.required && op.service)
        softDeps.set(op.service, new Set([...(softDeps.get(op.service) ?? []), w.service]));
  const nodes: DagNode<string | undefined>[] = plan.operations.map((op) => {
    const soft = softDeps.get(op.service ?? '') ?? new Set<string>();
    const softOps = new Set(op.softAfter ?? []);
    const gated = ((watcher || options.processes) && op.waitsFor?.length) || op.waitsHealthy || op.delayMs;
    return {
      id: op.id,
      deps: op.after
        .filter((a) => byId.has(a))
        .map((id) => ({
          id,
          condition: 'done' as const,
          optional: softOps.has(id) || soft.has(byId.get(id)?.service ?? ''),
        })),
      run: (signal) => runOperation(runtime, op, signal, options.processes),
      waits: waitingLane(op.kind),
      ...(gated
        ? { gate: (signal: AbortSignal) => awaitGate(watcher, options.processes, op, signal, bus) }
        : {}),
    };
  });
  const result: ApplyResult = { done: [], failed: [], skipped: [] };
  const outcomes = await executeDag(nodes, {
    concurrency: options.concurrency ?? defaultConcurrency(),
    waitConcurrency: options.waitConcurrency ?? STOP_CONCURRENCY,
    signal: options.signal,
    onStart: (node) => {
      const op = byId.get(node.id) as Operation;
      bus?.emit({
        kind: 'operation.started',
        id: op.id,
        description: describeOperation(op),
        service: op.service,
      });
      containerEvent(op, PHASE_DURING[op.kind]);
    },
    onDone: (node, _value, ms) => {
      const op = byId.get(node.id) as Operation;
      bus?.emit({
        kind: 'operation.done',
        id: op.id,
        description: describeOperation(op),
        service: op.service,
        ms,
      });
      containerEvent(op, PHASE_AFTER[op.kind]);
    },
    onSoftEdgeBroken: (node, edge) => {
      const op = byId.get(node.id) as Operation;
      const dep = byId.get(edge.id);
      bus?.emit({
        kind: 'warning',
        service: op.service,
        message: `optional dependency ${dep?.service ?? edge.id} did not start (${dep ? describeOperation(dep) : edge.id} failed); starting ${op.service ?? op.target} anyway`,
      });
    },
    onFailed: (node, error) => {
      const op = byId.get(node.id) as Operation;
      bus?.emit({
        kind: 'operation.failed',
        id: op.id,
        description: describeOperation(op),
        service: op.service,
        error: message(error),
      });
    },
  });
  watcher?.close();
  await rollBack(runtime, plan, outcomes, bus);
  for (const op of plan.operations) {
    const outcome = outcomes.get(op.id);
    if (outcome?.status === 'done') result.done.push(op);
    else if (outcome?.status === 'failed')
      result.failed.push({ operation: op, error: message(outcome.error) });
    else result.skipped.push(op);
  }
  return result;
}

/** Turns failures into one EngineError (exit 1): what failed, for which service, in the engine's words. */
export function throwIfFailed(result: ApplyResult): void {
  if (result.failed.length === 0) return;
  const lines = result.failed.map(({ operation: op, error }) => {
    const who = op.service ? `service ${op.service}: ` : '';
    return `${who}${describeOperation(op)} failed: ${error}`;
  });
  if (result.skipped.length > 0)
    lines.push(
      `${result.skipped.length} dependent operation${result.skipped.length === 1 ? ' was' : 's were'} not run`,
    );
  throw new EngineError(lines.join('\n'));
}
