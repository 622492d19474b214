/**
 * `up` on the local engine: converge the stack, then (unless detached) watch it live until it ends —
 * with watch mode, `--wait`, `--dry-run` and the attached supervisor. The CLI parses; this runs.
 */
import path from 'node:path';
import { EventBus } from '../events/bus.js';
import { renderPlan } from '../model/plan-text.js';
import { checkServiceNames, converge, type ConvergeOptions } from '../reconciler/converge.js';
import { desired as desiredState } from '../reconciler/desired.js';
import { withDependencies } from '../reconciler/plan.js';
import { requireServices } from '../spec/no-services.js';
import { parseScale, withScale } from '../scheduler/scale.js';
import { waitForServices } from '../scheduler/wait.js';
import { chooseLiveUi } from '../ui/terminal.js';
import type { WatchController } from '../watch/controller.js';
import type { LogFormat } from './headless.js';
import { tuneHeapForSupervisor } from './heap-flags.js';
import { lockProject } from './lock.js';
import { attachProcesses, type AttachedProcesses } from './attached-processes.js';
import { lookAtProcesses, processesFor, type ProcessAccess } from './processes.js';
import { printProgress } from './progress.js';
import { loadProject, loadProjectAndConnect, type GlobalOptions } from './project.js';
import { relaySignals } from './signal-relay.js';
import { untilSignal } from './until-signal.js';

export interface UpSessionOptions {
  /** Which project (the global options). */
  project: GlobalOptions;
  /** Only these services (and their dependencies); empty: all. */
  services: string[];
  detach?: boolean;
  build?: ConvergeOptions['build'];
  /** `--pull`: replaces every service's pull_policy. */
  pull?: ConvergeOptions['pull'];
  forceRecreate?: boolean;
  noRecreate?: boolean;
  removeOrphans?: boolean;
  noStart?: boolean;
  /** Stop timeout in seconds. */
  timeout?: number;
  dryRun?: boolean;
  wait?: boolean;
  /** Seconds. */
  waitTimeout?: number;
  concurrency?: number;
  /** `service=n` entries. */
  scale?: string[];
  watch?: boolean;
  headless?: boolean;
  logFormat: LogFormat;
  exitCodeFrom?: string;
  abortOnContainerExit?: boolean;
  /** `--no-deps`: only the named services, not what they depend on. */
  noDeps?: boolean;
  /** `--always-recreate-deps`: recreate the named services' dependencies even when unchanged. */
  alwaysRecreateDeps?: boolean;
  /** `--quiet-pull`: no line per pulled image. */
  quietPull?: boolean;
  /** Headless log lines: `--attach`, `--no-attach`, `--attach-dependencies`, `--no-log-prefix`, `--timestamps`, `--no-color`. */
  attach?: string[];
  noAttach?: string[];
  attachDependencies?: boolean;
  noLogPrefix?: boolean;
  timestamps?: boolean;
  noColor?: boolean;
}

/**
 * Whose log lines an attached `up` prints, as Compose chooses: `--attach` names them; otherwise the named
 * services (all when none is named), plus their dependencies with `--attach-dependencies`; minus `--no-attach`.
 */
export function attachedServices(
  o: Pick<UpSessionOptions, 'attach' | 'noAttach' | 'attachDependencies' | 'services'>,
  all: string[],
  withDeps: (services: string[]) => string[],
): Set<string> {
  let chosen: string[];
  if (o.attach && o.attach.length > 0) chosen = o.attach;
  else if (o.services.length === 0) chosen = all;
  else chosen = o.attachDependencies ? withDeps(o.services) : o.services;
  const skip = new Set(o.noAttach ?? []);
  return new Set(chosen.filter((s) => !skip.has(s)));
}

/** Runs `up`; resolves with the process exit code. */
export async function runUp(o: UpSessionOptions): Promise<number> {
  // Before the heap has grown: a headless attached session becomes a long-running supervisor.
  const live = chooseLiveUi(o.headless);
  if (!live.ui && !o.detach && !o.dryRun && !o.wait && !o.noStart) tuneHeapForSupervisor(process.env);
  // Lines containers write from now on are this session's (to the millisecond: an earlier run's last lines
  // in the same second are not).
  const since = Date.now() / 1000;
  const {
    loaded: { stack, document },
    runtime,
  } = await loadProjectAndConnect(o.project, {
    check: (l) => {
      requireServices(l, 'up');
      return { stack: withScale(l.stack, parseScale(l.stack, o.scale ?? [])), document: l.raw };
    },
  });
  checkServiceNames(stack, [...(o.attach ?? []), ...(o.noAttach ?? [])]);
  const selected = o.services.length > 0 ? o.services : undefined;
  const common = {
    services: selected,
    build: o.build,
    pull: o.pull,
    forceRecreate: o.forceRecreate,
    noRecreate: o.noRecreate,
    removeOrphans: o.removeOrphans,
    noStart: o.noStart,
    timeout: o.timeout,
    concurrency: o.concurrency,
    noDeps: o.noDeps,
    forceRecreateDeps: o.alwaysRecreateDeps,
    allResources: o.project.allResources,
  };
  if (o.dryRun) {
    const seen = await lookAtProcesses(stack.name);
    try {
      const { plan } = await converge(runtime, stack, { ...common, dryRun: true, processes: seen?.host });
      process.stdout.write(renderPlan(plan));
    } finally {
      seen?.close();
    }
    return 0;
  }
  // Held while planning and applying; an attached session lets other commands (stop, rm) in.
  const lockWait = o.project.lockWait !== false;
  const sessionBus = new EventBus();
  const hasProcesses = Object.keys(stack.processes).length > 0;
  // Host processes: an attached session supervises them itself; otherwise the detached supervisor does.
  const ownsProcesses = !o.detach && !o.wait && !common.noStart;
  let owned: AttachedProcesses | undefined;
  let access: ProcessAccess | undefined;
  const apply = async (signal?: AbortSignal) => {
    const unlock = await lockProject(stack.name, lockWait);
    const bus = new EventBus();
    const stopProgress = printProgress(bus, process.stderr, { quietPull: o.quietPull });
    try {
      if (ownsProcesses && hasProcesses) owned ??= await attachProcesses(stack.name, sessionBus);
      else access ??= await processesFor(stack, { supervise: !common.noStart });
      const processes = owned?.supervisor ?? access?.host;
      const result = await converge(runtime, stack, { ...common, bus, signal, processes });
      // Processes left running by a supervisor that was killed are supervised again, even with nothing to do.
      if (!common.noStart && hasProcesses) await access?.ensure?.();
      // An attached session of a stack without processes needs no supervisor past this point.
      if (ownsProcesses && !owned) {
        access?.close();
        access = undefined;
      }
      return result;
    } catch (err) {
      access?.close();
      // What started keeps running, supervised: the detached supervisor takes it over.
      await owned?.handOver().catch(() => undefined);
      throw err;
    } finally {
      stopProgress();
      unlock();
    }
  };
  // Headless and attached, the session follows the engine first and converges inside it, as Compose
  // attaches to a container before it starts it: every run shows its lines and its exit. The live UI opens
  // after the progress lines; it shows what a run left in the engine (its lines, its exit code). A stack
  // with host processes converges first too: the session takes over the processes its `up` started.
  const ui = live.ui;
  const convergeInside = ownsProcesses && !ui && !hasProcesses;
  // An attached session listens for signals only once the stack is up: until then they are held for it.
  const relay = ownsProcesses ? relaySignals() : undefined;
  const session = async (): Promise<number> => {
    const desired = convergeInside ? desiredState(stack) : (await apply()).desired;
    if (o.wait && !common.noStart) {
      try {
        await waitForServices(runtime, desired, {
          services: withDependencies(desired, selected, o.noDeps),
          timeoutMs: o.waitTimeout === undefined ? undefined : o.waitTimeout * 1000,
          processes: access?.host,
        });
      } finally {
        access?.close();
      }
      return 0;
    }
    // Only `up -d --watch` and an attached session go on talking to a detached supervisor.
    if (common.noStart || (o.detach && !o.watch) || (ownsProcesses && !owned)) {
      access?.close();
      if (common.noStart || o.detach) return 0;
    }
    const processes = owned?.supervisor ?? (o.detach ? access?.host : undefined);
    const watchMode = (
      bus: EventBus,
      signal: AbortSignal,
      print: boolean,
      onReady?: (c: WatchController) => void,
    ) =>
      // Loaded only when asked for: watch mode brings chokidar, and `up -d` should start fast.
      import('./watch-mode.js').then(({ runWatchMode }) =>
        runWatchMode({
          load: () => loadProject(o.project),
          envFiles: o.project.envFile.map((f) => path.resolve(f)),
          runtime,
          stack,
          raw: document,
          bus,
          signal,
          services: selected,
          print,
          // In the live UI, Ink owns stdin: manual triggers come from its `t` key instead of typed lines.
          keys: print && process.stdin.isTTY === true,
          lock: () => lockProject(stack.name, lockWait),
          onReady,
          processes,
        }),
      );
    if (o.detach) {
      try {
        await untilSignal((signal) => watchMode(new EventBus(), signal, true));
      } finally {
        access?.close();
      }
      return 0;
    }
    if (live.notice) process.stderr.write(live.notice);
    const stopWatching = new AbortController();
    let controller: WatchController | undefined;
    let watching: Promise<void> | undefined;
    const startWatching = () => {
      if (o.watch) watching = watchMode(sessionBus, stopWatching.signal, !ui, (c) => (controller = c));
    };
    if (!convergeInside) startWatching();
    const attached = attachedServices(
      o,
      [...Object.keys(stack.services), ...Object.keys(stack.processes)],
      (names) => withDependencies(desired, names),
    );
    try {
      const { superviseAttached } = await import('./supervise.js');
      return await superviseAttached({
        runtime,
        stack,
        services: selected,
        ui,
        logFormat: o.logFormat,
        logs: {
          services: (s) => attached.has(s),
          prefix: !o.noLogPrefix,
          timestamps: o.timestamps,
          ...(o.noColor ? { color: false } : {}),
        },
        timeout: o.timeout,
        exitCodeFrom: o.exitCodeFrom,
        abortOnContainerExit: o.abortOnContainerExit,
        since,
        ...(convergeInside
          ? {
              prepare: async (_bus: EventBus, signal: AbortSignal) => {
                await apply(signal);
                // Watching begins once the stack is up, as when `up` converged before the session.
                if (!signal.aborted) startWatching();
              },
            }
          : {}),
        reload: async () => (await loadProject(o.project)).stack,
        bus: sessionBus,
        processes: owned,
        ...(relay ? { signals: relay.signals } : {}),
        onTrigger: o.watch ? (service) => controller?.trigger(service) : undefined,
      });
    } finally {
      stopWatching.abort();
      await watching?.catch(() => undefined);
    }
  };
  try {
    return await session();
  } finally {
    relay?.close();
  }
}
