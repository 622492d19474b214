/**
 * `tsstack run`: a one-off container of a service, as `docker compose run` makes one. Dependencies are
 * started first (under the project lock), the image is built or pulled if needed, the container is created,
 * attached to (stdin with `-i`, a TTY when asked or when on a terminal) and only then started, so no output
 * is missed; tsstack exits with the command's exit code.
 */
import { EventBus } from '../events/bus.js';
import { applyPlan, throwIfFailed } from '../scheduler/apply.js';
import { checkServiceNames, converge } from '../reconciler/converge.js';
import { processesFor, refuseHostProcess } from './processes.js';
import { desired } from '../reconciler/desired.js';
import { ensureImages } from '../reconciler/images.js';
import { observe } from '../reconciler/observe.js';
import { oneOffContainer, planOneOff, type OneOffOptions } from '../reconciler/oneoff.js';
import type { Runtime } from '../runtime/types.js';
import type { ServiceSpec, Stack } from '../spec/types.js';
import type { DetachKeys } from './detach-keys.js';
import { lockProject } from './lock.js';
import { printProgress } from './progress.js';
import { runtimeFromEnv } from './project.js';
import { connectTerminal, signalExitCode } from './terminal-session.js';

export type PullPolicy = 'always' | 'missing' | 'never' | 'build';

export interface RunRequest {
  service: string;
  /** The command and its arguments; empty runs the service's command. */
  command: string[];
  /** How the container differs from the service's (entrypoint, env, ports, volumes, labels, ...). */
  container: Omit<OneOffOptions, 'command' | 'imageId' | 'tty' | 'stdinOpen' | 'stdinOnce' | 'autoRemove'>;
  tty: boolean;
  /** Keep stdin open and attach it (`-i`, on by default as in Compose). */
  interactive: boolean;
  /** Start in the background and print the container's ID. */
  detach: boolean;
  /** Remove the container once it exits (not when detached from). */
  rm: boolean;
  /** Start the service's dependencies first. */
  deps: boolean;
  build: boolean;
  /** Overrides the service's pull_policy for this run. */
  pull?: PullPolicy;
  /** No lines about image pulls. */
  quietPull: boolean;
  removeOrphans: boolean;
  detachKeys: DetachKeys;
  /** Wait for the project lock (false with --no-lock-wait). */
  lockWait: boolean;
}

/** Runs the one-off container and resolves with the exit code for tsstack. */
export async function runOneOff(stack: Stack, req: RunRequest): Promise<number> {
  refuseHostProcess(stack, req.service, 'run');
  checkServiceNames(stack, [req.service]);
  const runtime = await runtimeFromEnv();
  const bus = new EventBus();
  const stopProgress = printProgress(bus);
  let name: string;
  try {
    const target = withPullPolicy(stack, req.service, req.pull);
    await startDependencies(runtime, target, req, bus);
    const imageIds = await ensureImages(runtime, target, [req.service], {
      bus: req.quietPull ? withoutPulls(bus) : bus,
      build: req.build ? 'always' : undefined,
    });
    const c = oneOffContainer(target, target.services[req.service] as ServiceSpec, {
      ...req.container,
      command: req.command.length > 0 ? req.command : undefined,
      imageId: imageIds[req.service],
      tty: req.tty,
      stdinOpen: req.interactive,
      // Closed when our input ends (`echo data | run -T svc cat`); a detached run keeps it open, as Compose.
      stdinOnce: !req.detach,
      autoRemove: req.detach && req.rm,
    });
    name = c.name;
    const plan = planOneOff(desired(target, { imageIds }), await observe(runtime, stack.name), c, {
      start: req.detach,
    });
    throwIfFailed(await applyPlan(runtime, plan, { bus }));
  } finally {
    stopProgress();
  }
  if (req.detach) {
    const created = await runtime.inspectContainer(name);
    process.stdout.write(`${created?.id ?? name}\n`);
    return 0;
  }
  return attachAndWait(runtime, name, req);
}

/** The stack with the service's pull_policy replaced by `--pull`. */
function withPullPolicy(stack: Stack, service: string, pull: PullPolicy | undefined): Stack {
  const s = stack.services[service];
  if (!pull || !s) return stack;
  return { ...stack, services: { ...stack.services, [service]: { ...s, pull_policy: pull } } };
}

/** Dependencies up (unless --no-deps) and orphans removed (--remove-orphans), like `up` would, under the lock. */
async function startDependencies(
  runtime: Runtime,
  stack: Stack,
  req: RunRequest,
  bus: EventBus,
): Promise<void> {
  const deps = req.deps ? Object.keys(desired(stack).services[req.service]?.dependsOn ?? {}) : [];
  if (deps.length === 0 && !req.removeOrphans) return;
  const unlock = await lockProject(stack.name, req.lockWait);
  // Host processes among the dependencies are started by the project's supervisor.
  const access = await processesFor(stack, { supervise: true });
  try {
    await converge(runtime, stack, {
      services: deps,
      removeOrphans: req.removeOrphans,
      build: req.build ? 'always' : undefined,
      bus,
      processes: access?.host,
    });
  } finally {
    access?.close();
    unlock();
  }
}

/** A bus that passes everything on to `bus` except image pull progress (`--quiet-pull`). */
function withoutPulls(bus: EventBus): EventBus {
  const filtered = new EventBus();
  filtered.subscribe((e) => {
    if ((e.kind === 'image.done' || e.kind === 'image.progress') && e.action === 'pull') return;
    bus.emit(e);
  });
  return filtered;
}

/**
 * Attaches, starts, and connects the terminal. The exit code is the container's; detaching leaves it
 * running (and not removed), with exit 0 as Compose; a signal that ends the session stops it.
 */
async function attachAndWait(runtime: Runtime, name: string, req: RunRequest): Promise<number> {
  const removeIfAsked = async (): Promise<void> => {
    if (req.rm) await runtime.removeContainer(name, { force: true, volumes: true });
  };
  const session = await runtime.attachContainer(name, {
    stdin: req.interactive,
    detachKeys: req.detachKeys.text,
  });
  try {
    await runtime.startContainer(name);
  } catch (err) {
    session.close();
    await removeIfAsked().catch(() => undefined);
    throw err;
  }
  const end = await connectTerminal(session, {
    detachKeys: req.detachKeys.bytes,
    endStdin: true,
    // Without a TTY, Ctrl-C and other signals go to the container's process (a TTY sends Ctrl-C itself).
    proxySignal: req.tty ? undefined : (signal) => void runtime.killContainer(name, signal).catch(() => {}),
  });
  switch (end.kind) {
    case 'detached':
      return 0;
    case 'signal':
      await runtime.stopContainer(name).catch(() => undefined);
      await removeIfAsked();
      return signalExitCode(end.signal);
    case 'ended': {
      const code = await runtime.waitContainer(name);
      await removeIfAsked();
      return code;
    }
  }
}
