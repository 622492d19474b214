/** Runs a swarm plan in order, one engine call per operation, and waits for services to converge. */
import { EngineError } from '../core/errors.js';
import { LABEL, projectFilter } from '../model/labels.js';
import type { Runtime, SwarmFileRef, SwarmRuntime, SwarmServiceSpec } from '../runtime/types.js';
import type { SwarmObserved } from './observe.js';
import type { SwarmOperation } from './plan.js';

export interface SwarmApplyOptions {
  onOperation?: (op: SwarmOperation) => void;
  signal?: AbortSignal;
  /** How long a removal may wait for the engine to let go of a network (its task containers stopping). */
  releaseTimeoutMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Retries `fn` while the engine says the object is still in use (task containers are being torn down). */
async function whileInUse(fn: () => Promise<void>, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      const inUse = err instanceof EngineError && /in use|active endpoints/i.test(err.message);
      if (!inUse || Date.now() > until || signal?.aborted) throw err;
      await sleep(500);
    }
  }
}

/** Polls `list` until it is empty; false when `timeoutMs` passed first. */
async function untilEmpty(list: () => Promise<unknown[]>, timeoutMs: number, signal?: AbortSignal) {
  const until = Date.now() + timeoutMs;
  while (!signal?.aborted) {
    if ((await list()).length === 0) return true;
    if (Date.now() > until) return false;
    await sleep(250);
  }
  return false;
}

/**
 * Removes a project network so that it is gone when this returns. `network rm` of an overlay network
 * succeeds at once, but this node keeps listing it until the removed services' task containers are gone
 * (4 s here with a 1 s grace period), and an `up` right after would take it for present and fail with
 * "network ... not found" (the race `docker stack rm` leaves to its users). So: wait for the project's
 * containers on this node, remove (already gone counts as removed), then wait until it is no longer listed.
 */
async function removeNetworkFully(
  runtime: Runtime,
  observed: SwarmObserved,
  name: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<void> {
  const project = observed.networks.find((n) => n.name === name)?.labels[LABEL.project];
  if (project !== undefined)
    await untilEmpty(() => runtime.listContainers(projectFilter(project), { all: true }), timeoutMs, signal);
  await whileInUse(
    () =>
      runtime.removeNetwork(name).catch((err: unknown) => {
        // Already gone (the swarm answers a stale name with "not found", not always as a 404).
        if (!(err instanceof EngineError && (err.statusCode === 404 || /\bnot found\b/i.test(err.message))))
          throw err;
      }),
    timeoutMs,
    signal,
  );
  if (project === undefined) return;
  const listed = async () =>
    (await runtime.listNetworks(projectFilter(project))).filter((n) => n.name === name);
  if (!(await untilEmpty(listed, timeoutMs, signal)) && !signal?.aborted)
    throw new EngineError(
      `network ${name} is still listed ${Math.round(timeoutMs / 1000)} s after its removal`,
    );
}

/** Fills in the object IDs the API needs beside the names desired.ts chose. */
function withIds(spec: SwarmServiceSpec, ids: Map<string, string>): SwarmServiceSpec {
  const fill = (r: SwarmFileRef): SwarmFileRef => {
    const id = ids.get(r.name);
    if (id === undefined)
      throw new EngineError(`service ${spec.name}: no secret or config named ${r.name} in the swarm`);
    return { ...r, id };
  };
  return { ...spec, secrets: spec.secrets.map(fill), configs: spec.configs.map(fill) };
}

/** Applies `ops` (from planSwarm or planSwarmDown) against the swarm. */
export async function applySwarm(
  swarm: SwarmRuntime,
  runtime: Runtime,
  observed: SwarmObserved,
  ops: SwarmOperation[],
  opts: SwarmApplyOptions = {},
): Promise<void> {
  const ids = new Map([...observed.secrets, ...observed.configs].map((o) => [o.name, o.id]));
  const needsExternal = ops.some(
    (op) =>
      (op.kind === 'create-service' || op.kind === 'update-service') &&
      [...op.spec.secrets, ...op.spec.configs].some((r) => !ids.has(r.name)),
  );
  if (needsExternal) {
    // External secrets/configs carry no project label: look them up by name among all.
    for (const o of [...(await swarm.listSecrets({})), ...(await swarm.listConfigs({}))])
      if (!ids.has(o.name)) ids.set(o.name, o.id);
  }
  const release = opts.releaseTimeoutMs ?? 60_000;
  for (const op of ops) {
    if (opts.signal?.aborted) return;
    opts.onOperation?.(op);
    switch (op.kind) {
      case 'create-network':
        await runtime.createNetwork(op.spec);
        break;
      case 'create-object': {
        const o = op.object;
        const create = o.kind === 'secret' ? swarm.createSecret.bind(swarm) : swarm.createConfig.bind(swarm);
        ids.set(o.name, await create({ name: o.name, labels: o.labels, data: o.data }));
        break;
      }
      case 'create-service':
        await swarm.createService(withIds(op.spec, ids));
        break;
      case 'update-service':
        await swarm.updateService(op.id, op.version, withIds(op.spec, ids));
        break;
      case 'remove-service':
        await swarm.removeService(op.id);
        break;
      case 'remove-object':
        await whileInUse(
          () => (op.objectKind === 'secret' ? swarm.removeSecret(op.id) : swarm.removeConfig(op.id)),
          release,
          opts.signal,
        );
        break;
      case 'remove-network':
        await removeNetworkFully(runtime, observed, op.name, release, opts.signal);
        break;
    }
  }
}

/** Removes the project's named volumes once no task container holds them (down -v). */
export async function removeSwarmVolumes(
  runtime: Runtime,
  project: string,
  timeoutMs = 60_000,
): Promise<void> {
  for (const v of await runtime.listVolumes(projectFilter(project)))
    await whileInUse(() => runtime.removeVolume(v.name), timeoutMs);
}

export interface ConvergeStatus {
  service: string;
  desired: number;
  running: number;
  /** Old tasks told to stop whose containers still run (they may still answer requests while they drain). */
  draining: number;
  updateState?: string;
}

/**
 * Waits until every project service runs its desired task count, no update is in flight and no replaced
 * task still runs (so that after `up --wait` only the new version answers); throws on timeout.
 *
 * The swarm orchestrator acts on a service update asynchronously: for a moment after the API call the old
 * tasks still look converged and no update is recorded yet. Like `docker service update`'s progress
 * monitor, the state must therefore hold for a stability window (`stableMs`) before it counts.
 */
export async function waitSwarmConverged(
  swarm: SwarmRuntime,
  project: string,
  timeoutMs: number,
  signal?: AbortSignal,
  stableMs = 2000,
): Promise<ConvergeStatus[]> {
  const until = Date.now() + timeoutMs;
  let settledSince: number | undefined;
  for (;;) {
    const status = await swarmStatus(swarm, project);
    const settled = (s: ConvergeStatus) =>
      s.running === s.desired && s.draining === 0 && (s.updateState ?? 'completed') === 'completed';
    const now = Date.now();
    if (status.every(settled)) settledSince ??= now;
    else settledSince = undefined;
    if ((settledSince !== undefined && now - settledSince >= stableMs) || signal?.aborted) return status;
    if (Date.now() > until) {
      const late = status.filter((s) => !settled(s));
      throw new EngineError(
        `swarm services did not converge within ${Math.round(timeoutMs / 1000)} s: ${late
          .map(
            (s) =>
              `${s.service} ${s.running}/${s.desired} running${s.draining ? `, ${s.draining} old still stopping` : ''}${s.updateState ? ` (update ${s.updateState})` : ''}`,
          )
          .join(', ')}`,
      );
    }
    await sleep(500);
  }
}

/** Desired and running task counts per service (global: one per node that runs a task). */
export async function swarmStatus(swarm: SwarmRuntime, project: string): Promise<ConvergeStatus[]> {
  const services = await swarm.listServices(projectFilter(project));
  return Promise.all(
    services.map(async (s) => {
      const tasks = await swarm.listTasks({ serviceId: s.id });
      const live = tasks.filter((t) => t.desiredState === 'running');
      const running = live.filter((t) => t.state === 'running').length;
      const draining = tasks.filter(
        (t) => t.desiredState !== 'running' && (t.state === 'running' || t.state === 'starting'),
      ).length;
      return {
        service: s.name,
        desired: s.mode.kind === 'replicated' ? s.mode.replicas : live.length,
        running,
        draining,
        ...(s.updateState ? { updateState: s.updateState } : {}),
      };
    }),
  );
}
