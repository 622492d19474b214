/**
 * `--target swarm` for up, down, ps, logs and scale: the same stack deployed as Docker Swarm services.
 * Wiring only: desired/plan/apply live in src/swarm/.
 */
import { readFileSync } from 'node:fs';
import { EngineError, UsageError } from '../core/errors.js';
import { projectFilter } from '../model/labels.js';
import type { Runtime, SwarmRuntime } from '../runtime/types.js';
import { parseScale, withScale } from '../scheduler/scale.js';
import { SpecError, formatPath, type SpecProblem } from '../spec/errors.js';
import type { LoadedStack } from '../spec/index.js';
import { applySwarm, removeSwarmVolumes, waitSwarmConverged } from '../swarm/apply.js';
import { desiredSwarm, type SwarmDesired } from '../swarm/desired.js';
import { observeSwarm, observeTasks } from '../swarm/observe.js';
import { planSwarm, planSwarmDown, renderSwarmPlan, type SwarmOperation } from '../swarm/plan.js';
import { loadProject as loadLocalProject, runtimeFromEnv, type GlobalOptions } from './project.js';
import { requireServices } from '../spec/no-services.js';
import type { LogFormat } from './headless.js';
import { lockProject } from './lock.js';
import { renderTable, writeOut } from './project-containers.js';
import { chooseLiveUi } from '../ui/terminal.js';
import { untilSignal } from './until-signal.js';

/** loadProject for the swarm target: the same files and options, checked and warned about for Swarm. */
function loadProject(g: GlobalOptions, opts: { allowMissing?: boolean } = {}): Promise<LoadedStack> {
  return loadLocalProject(g, { ...opts, target: 'swarm' });
}

/** The value of `--target`: undefined or 'local' for the local engine, 'swarm' for Docker Swarm. */
export function isSwarmTarget(target: unknown): boolean {
  if (target === undefined || target === 'local') return false;
  if (target === 'swarm') return true;
  throw new UsageError(`--target must be "local" or "swarm", not "${String(target)}"`);
}

async function connect(): Promise<{ swarm: SwarmRuntime; runtime: Runtime }> {
  const runtime = await runtimeFromEnv();
  const { connectSwarmRuntime } = await import('../runtime/index.js');
  const swarm = await connectSwarmRuntime({ env: process.env });
  const state = await swarm.swarmState();
  if (state.localNodeState !== 'active')
    throw new EngineError(
      `the engine at ${swarm.endpoint} is not in a swarm (state: ${state.localNodeState}); run "docker swarm init" or join one`,
    );
  if (!state.isManager)
    throw new EngineError(
      `the engine at ${swarm.endpoint} is a swarm worker; point DOCKER_HOST at a manager`,
    );
  return { swarm, runtime };
}

/** Desired swarm state, or a SpecError (exit 2) naming each key Swarm cannot express. */
function desiredOrFail(loaded: LoadedStack): SwarmDesired {
  const desired = desiredSwarm(loaded.stack, { read: (f) => readFileSync(f), env: process.env });
  const locate = (path: SpecProblem['path']) => loaded.raw?.locateKey(path) ?? loaded.raw?.locate(path);
  for (const w of desired.warnings) {
    const loc = locate(w.path);
    const where = loc ? `${loc.file}:${loc.line}:${loc.col} ` : '';
    process.stderr.write(`warning: ${where}${formatPath(w.path)}: ${w.message}\n`);
  }
  if (desired.errors.length > 0)
    throw new SpecError(
      desired.errors.map((e) => ({ path: e.path, message: e.message, location: locate(e.path) })),
    );
  return desired;
}

function progress(op: SwarmOperation): void {
  process.stderr.write(renderSwarmPlan([op]));
}

export interface SwarmUpOptions {
  dryRun?: boolean;
  removeOrphans?: boolean;
  wait?: boolean;
  waitTimeout?: number;
  scale?: string[];
  /** Only these services (scale): others keep what the swarm has. */
  only?: string[];
  /** Attached unless this, `wait`, `dryRun` or `only`: the live view until detached. */
  detach?: boolean;
  /** No live UI even on a terminal: log and task lines. */
  headless?: boolean;
  logFormat?: LogFormat;
}

/** `up --target swarm`: plan from the spec and the swarm's labelled objects, apply, optionally wait. */
export async function swarmUp(g: GlobalOptions, opts: SwarmUpOptions): Promise<void> {
  const since = Math.floor(Date.now() / 1000);
  const loaded = await loadProject(g);
  requireServices(loaded, opts.only ? 'scale' : 'up');
  const stack = withScale(loaded.stack, parseScale(loaded.stack, opts.scale ?? [], 'swarm'));
  const desired = desiredOrFail({ ...loaded, stack });
  if (opts.only) desired.services = desired.services.filter((s) => opts.only?.includes(s.service));
  const { swarm, runtime } = await connect();
  const unlock = opts.dryRun ? () => undefined : await lockProject(stack.name, g.lockWait !== false);
  try {
    const observed = await observeSwarm(swarm, runtime, stack.name);
    let ops = planSwarm(desired, observed, { removeOrphans: opts.removeOrphans });
    if (opts.only) ops = ops.filter((op) => op.kind !== 'remove-object');
    if (opts.dryRun) return void (await writeOut(process.stdout, renderSwarmPlan(ops)));
    await applySwarm(swarm, runtime, observed, ops, { onOperation: progress });
  } finally {
    unlock();
  }
  if (opts.wait) await waitSwarmConverged(swarm, stack.name, (opts.waitTimeout ?? 120) * 1000);
  if (opts.wait || opts.detach || opts.only) return;
  const { watchSwarm } = await import('./swarm-live.js');
  const live = chooseLiveUi(opts.headless);
  const ui = live.ui;
  if (live.notice) process.stderr.write(live.notice);
  // Headless, the session is a long-running watcher like the local supervisor: the same V8 heap settings.
  if (!ui) (await import('./heap-flags.js')).tuneHeapForSupervisor(process.env);
  await watchSwarm({
    swarm,
    project: stack.name,
    services: desired.services.map((s) => s.service),
    ui,
    logFormat: opts.logFormat,
    since,
    // What the live UI's start (s on a stopped service) scales back to.
    replicas: Object.fromEntries(
      desired.services.flatMap((s) =>
        s.spec.mode.kind === 'replicated' ? [[s.service, s.spec.mode.replicas]] : [],
      ),
    ),
  });
}

/** `ui --target swarm`: the live UI of a deployed swarm stack; leaving it only detaches. */
export async function swarmTop(g: GlobalOptions, opts: { tail: number }): Promise<void> {
  const { stack } = await loadProject(g, { allowMissing: true });
  const { swarm } = await connect();
  const { watchSwarm, swarmServiceNames } = await import('./swarm-live.js');
  const names = Object.keys(stack.services);
  await watchSwarm({
    swarm,
    project: stack.name,
    services: names.length > 0 ? names : await swarmServiceNames(swarm, stack.name),
    ui: true,
    tail: opts.tail,
    replicas: Object.fromEntries(names.map((n) => [n, stack.services[n]!.replicas])),
  });
}

/** `scale --target swarm SERVICE=N...`: updates the replica count of the named services only. */
export async function swarmScale(g: GlobalOptions, scales: string[]): Promise<void> {
  const names = scales.map((s) => s.split('=')[0] ?? s);
  await swarmUp(g, { scale: scales, only: names });
}

/** `down --target swarm [-v]`: removes the project's services, secrets, configs and networks (volumes with -v). */
export async function swarmDown(g: GlobalOptions, opts: { volumes?: boolean }): Promise<void> {
  const { stack } = await loadProject(g, { allowMissing: true });
  const { swarm, runtime } = await connect();
  const unlock = await lockProject(stack.name, g.lockWait !== false);
  try {
    const observed = await observeSwarm(swarm, runtime, stack.name);
    await applySwarm(swarm, runtime, observed, planSwarmDown(observed), { onOperation: progress });
    if (opts.volumes) await removeSwarmVolumes(runtime, stack.name);
  } finally {
    unlock();
  }
}

/** `ps --target swarm`: each service (running/desired) and its current tasks per node. */
export async function swarmPs(
  g: GlobalOptions,
  services: string[],
  opts: { format: string; all?: boolean },
): Promise<void> {
  const { stack } = await loadProject(g, { allowMissing: true });
  const { swarm } = await connect();
  const nodes = new Map((await swarm.listNodes()).map((n) => [n.id, n.hostname]));
  const prefix = `${stack.name}_`;
  const wanted = (name: string) => services.length === 0 || services.includes(name.slice(prefix.length));
  const list = (await observeTasks(swarm, stack.name)).filter((s) => wanted(s.service.name));
  const rows = list.map(({ service, tasks }) => {
    const live = tasks.filter((t) => t.desiredState === 'running');
    const shown = opts.all ? tasks : live;
    const desired = service.mode.kind === 'replicated' ? service.mode.replicas : live.length;
    return {
      service,
      running: live.filter((t) => t.state === 'running').length,
      desired,
      tasks: shown.map((t) => ({ ...t, node: nodes.get(t.nodeId) ?? t.nodeId })),
    };
  });
  if (opts.format === 'json')
    return writeOut(
      process.stdout,
      rows
        .map((r) =>
          JSON.stringify({
            Name: r.service.name,
            Service: r.service.name.slice(prefix.length),
            Mode: r.service.mode.kind,
            Desired: r.desired,
            Running: r.running,
            Image: r.service.image,
            UpdateState: r.service.updateState ?? '',
            Ports: r.service.ports,
            Tasks: r.tasks.map((t) => ({
              ID: t.id,
              Slot: t.slot,
              Node: t.node,
              DesiredState: t.desiredState,
              State: t.state,
              Error: t.error ?? '',
            })),
          }),
        )
        .map((l) => `${l}\n`)
        .join(''),
    );
  const ports = (r: (typeof rows)[number]) =>
    r.service.ports
      .map((p) => `*:${p.published ?? ''}->${p.target}/${p.protocol}${p.mode === 'host' ? ' (host)' : ''}`)
      .join(', ');
  const services_ = renderTable(
    ['SERVICE', 'MODE', 'REPLICAS', 'IMAGE', 'PORTS'],
    rows.map((r) => [
      r.service.name,
      r.service.mode.kind,
      `${r.running}/${r.desired}`,
      r.service.image,
      ports(r),
    ]),
  );
  const tasks = renderTable(
    ['TASK', 'NODE', 'DESIRED', 'STATE', 'ERROR'],
    rows.flatMap((r) =>
      r.tasks.map((t) => [
        `${r.service.name}.${t.slot ?? t.nodeId.slice(0, 12)}`,
        t.node,
        t.desiredState,
        t.state,
        t.error ?? '',
      ]),
    ),
  );
  await writeOut(process.stdout, `${services_}\n${tasks}`);
}

/** `logs --target swarm`: each service's log, prefixed with the service name. */
export async function swarmLogs(
  g: GlobalOptions,
  services: string[],
  opts: { follow: boolean; tail?: number; since?: number; timestamps: boolean },
): Promise<void> {
  const { stack } = await loadProject(g, { allowMissing: true });
  const { swarm } = await connect();
  const prefix = `${stack.name}_`;
  const list = (await swarm.listServices(projectFilter(stack.name))).filter(
    (s) => services.length === 0 || services.includes(s.name.slice(prefix.length)),
  );
  await untilSignal(async (signal) => {
    await Promise.all(
      list.map(async (s) => {
        const name = s.name.slice(prefix.length);
        for await (const line of swarm.serviceLogs(s.id, opts, signal))
          await writeOut(
            line.stream === 'stderr' ? process.stderr : process.stdout,
            `${name} | ${line.message}\n`,
          );
      }),
    );
  });
}
