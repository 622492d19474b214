/**
 * Attached `up`: after the stack converged, watch it live (the Ink UI on a terminal, headless log lines
 * otherwise) until the user quits, a signal arrives, or the containers are done. Handles SIGINT/SIGTERM
 * (graceful stop, a second one kills), SIGHUP (reload the stack files and converge), engine reconnection
 * (converge again), `--abort-on-container-exit` and `--exit-code-from` as Compose does.
 */
import { EventBus } from '../events/bus.js';
import { identityOf, startEngineFeed } from '../events/engine-feed.js';
import { ViewStore } from '../events/store.js';
import type { StackEvent } from '../events/types.js';
import { applyPlan } from '../scheduler/apply.js';
import { converge } from '../reconciler/converge.js';
import { planStop } from '../reconciler/lifecycle.js';
import { observe } from '../reconciler/observe.js';
import type { Runtime } from '../runtime/types.js';
import type { Stack } from '../spec/types.js';
import { startSupervisor } from '../scheduler/supervisor.js';
import type { UiHandle } from '../ui/render.js';
import { loadUi } from './load-ui.js';
import { startHeadless, type LogFormat } from './headless.js';
import { serviceActions } from './service-actions.js';
import { closeViews } from './views.js';
import { replayProcessLogs } from './process-logs.js';
import type { AttachedProcesses } from './attached-processes.js';
import type { ProcessHost } from '../model/process-host.js';
import { LABEL } from '../model/labels.js';
import { projectLockHolder } from './lock.js';

export interface SuperviseOptions {
  runtime: Runtime;
  stack: Stack;
  /** The services `up` was asked for (default: all). */
  services?: string[];
  /** The live UI (a TTY and not --headless) or headless output. */
  ui: boolean;
  logFormat?: LogFormat;
  /** Headless log lines: whose to print, with or without prefix, timestamps, colour (default: by terminal). */
  logs?: { services?: (service: string) => boolean; prefix?: boolean; timestamps?: boolean; color?: boolean };
  /** Stop timeout in seconds (`-t`), else each service's stop_grace_period. */
  timeout?: number;
  /** Return this service's exit code; implies abortOnContainerExit. */
  exitCodeFrom?: string;
  abortOnContainerExit?: boolean;
  /**
   * Show log lines from this Unix time (seconds), e.g. when `up` began, so no early line is lost; a
   * container whose run ended since then before the session looked is shown too (its lines, its exit).
   */
  since?: number;
  /** Reloads the stack files (SIGHUP); absent: SIGHUP is ignored. */
  reload?: () => Promise<Stack>;
  /**
   * Runs first inside the session (e.g. converge), once the session follows the engine: like Compose, which
   * attaches to a container before it starts it, nothing a container started here writes can be missed.
   * `signal` aborts when the session ends before it finished.
   */
  prepare?: (bus: EventBus, signal: AbortSignal) => Promise<void>;
  /** Watch mode with manual triggers: what the UI's `t` key does for the selected service. */
  onTrigger?: (service: string) => void;
  /** The bus to use (default: a new one). */
  bus?: EventBus;
  stdout?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
  env?: Record<string, string | undefined>;
  /** Process signals to handle (tests pass an EventEmitter); default `process`. */
  signals?: Pick<NodeJS.Process, 'on' | 'off'>;
  /** The project's host processes, which this session supervises (stopped on quit, handed over on detach). */
  processes?: AttachedProcesses;
}

type Ending = { kind: 'stop'; code: number } | { kind: 'kill'; code: number } | { kind: 'detach' };

/** Supervises the running stack until it ends; resolves with the process exit code. */
export async function superviseAttached(o: SuperviseOptions): Promise<number> {
  const bus = o.bus ?? new EventBus();
  const signals = o.signals ?? process;
  const stdout = o.stdout ?? process.stdout;
  let stack = o.stack;
  const project = stack.name;
  const only = o.services && o.services.length > 0 ? new Set(o.services) : undefined;
  const watched = (service: string) => !only || only.has(service);
  const abortOnExit = o.abortOnContainerExit === true || o.exitCodeFrom !== undefined;

  let ending: Ending | undefined;
  let resolveEnd: (e: Ending) => void = () => undefined;
  let resolveKill: () => void = () => undefined;
  const ended = new Promise<Ending>((resolve) => (resolveEnd = resolve));
  const killed = new Promise<void>((resolve) => (resolveKill = resolve));
  const end = (e: Ending) => {
    if (e.kind === 'kill') resolveKill();
    if (ending) return;
    ending = e;
    resolveEnd(e);
  };

  // Headless output reads the bus itself; its store only tracks states (for "all exited"), so log lines and
  // stats never reach it: folding ~10k lines a second into a store nobody renders was most of the garbage
  // a headless supervisor made (see bench/soak and docs/ui.md).
  const store = new ViewStore(o.ui ? {} : { config: { serviceLogLines: 1, allLogLines: 1 } });
  const detachStore = o.ui
    ? store.attach(bus)
    : bus.subscribe((e) => {
        if (e.kind !== 'log' && e.kind !== 'container.stats') store.dispatch(e);
      });
  const processNames = Object.keys(stack.processes ?? {}).filter(watched);
  const services = [...Object.keys(stack.services).filter(watched), ...processNames];
  const replicasOf = (n: string) => stack.services[n]?.replicas ?? stack.processes?.[n]?.replicas ?? 0;
  bus.emit({
    kind: 'stack.loaded',
    project,
    services,
    files: [],
    replicas: Object.fromEntries(services.map((n) => [n, replicasOf(n)])),
    ...(processNames.length > 0 ? { processes: processNames } : {}),
  });
  const processes = o.processes?.supervisor;

  const feedStop = new AbortController();
  const feed = startEngineFeed({
    runtime: o.runtime,
    project,
    bus,
    signal: feedStop.signal,
    initialSince: o.since,
    // CPU and memory columns exist only in the live UI: headless, a stats stream per container is waste.
    stats: o.ui,
  });
  // What Compose lacks: unhealthy containers restarted with backoff while we are attached.
  const stopSupervisor = startSupervisor({ runtime: o.runtime, bus, stack: () => stack });
  const actions = serviceActions({ runtime: o.runtime, project, bus, stack, timeout: o.timeout, processes });

  let ui: UiHandle | undefined;
  let headless: ReturnType<typeof startHeadless> | undefined;
  if (o.ui) {
    // Loaded only when used: Ink, React and the layout engine cost a headless supervisor ~14 MB of RSS.
    const { startUi } = await loadUi();
    ui = startUi({
      bus,
      store,
      stdout,
      stdin: o.stdin,
      env: o.env,
      callbacks: {
        onRestart: (s) => void actions.restart(s),
        onStop: (s) => void actions.stop(s),
        onStart: (s) => void actions.start(s),
        onRebuild: (s) => void actions.rebuild(s),
        onDetach: () => end({ kind: 'detach' }),
        onQuit: () => end({ kind: 'stop', code: 0 }),
        onKill: () => end({ kind: 'kill', code: 0 }),
        ...(o.onTrigger ? { onTrigger: o.onTrigger } : {}),
      },
    });
  } else {
    headless = startHeadless({
      bus,
      out: stdout,
      format: o.logFormat ?? 'plain',
      env: o.env,
      logServices: o.logs?.services,
      prefix: o.logs?.prefix,
      timestamps: o.logs?.timestamps,
      color: o.logs?.color,
    });
  }
  // The engine feed tells the views about containers; the processes' supervisor tells them about its own.
  processes?.useBus(bus);
  processes?.announce();
  if (processes && o.since !== undefined) {
    processes.flushLogs();
    replayProcessLogs(bus, project, processNames, o.since);
  }

  // Compose semantics: exit codes of exited containers, the first exit aborting when asked to.
  // Before `prepare` finished, an exit counts only for a container seen running in this session (an
  // exited container of an earlier run is about to be started again, not a reason to abort).
  const exitCodes = new Map<string, number>();
  const seenRunning = new Set<string>();
  let live = !o.prepare;
  let firstExit: number | undefined;
  const offExits = bus.subscribe((e: StackEvent) => {
    if (e.kind !== 'container.state' || !watched(e.service)) return;
    if (e.phase === 'running') seenRunning.add(e.container);
    if (e.phase !== 'exited' || (!live && !seenRunning.has(e.container))) return;
    const code = e.exitCode ?? 0;
    exitCodes.set(e.service, code);
    if (ending) return;
    firstExit ??= code;
    if (abortOnExit) end({ kind: 'stop', code: exitCodeFor() });
  });
  // --exit-code-from: that service's code; --abort-on-container-exit: the first exit's; otherwise 0
  // (a signal or every container having finished is a normal end for a supervisor).
  const exitCodeFor = (): number =>
    o.exitCodeFrom !== undefined ? (exitCodes.get(o.exitCodeFrom) ?? 0) : abortOnExit ? (firstExit ?? 0) : 0;

  // Headless, like Compose: when every watched container has exited (and stays so), the session ends;
  // not when they exited because the engine is going away.
  let offDone = () => undefined as void;
  // Converges this session runs itself (a reload, after a reconnection): the stack is changing meanwhile.
  let converging = 0;
  const converged = <T>(p: Promise<T>): Promise<T> => {
    converging++;
    return p.finally(() => converging--);
  };

  let interrupts = 0;
  const onStopSignal = () => {
    interrupts++;
    // As Compose says it; the live UI shows the stop itself.
    if (!o.ui)
      process.stderr.write(
        interrupts === 1 ? 'Gracefully stopping... (press Ctrl+C again to force)\n' : 'Killing...\n',
      );
    end(interrupts === 1 ? { kind: 'stop', code: exitCodeFor() } : { kind: 'kill', code: exitCodeFor() });
  };
  const onHup = () => {
    if (!o.reload) return;
    void (async () => {
      try {
        stack = await o.reload!();
        bus.emit({ kind: 'warning', message: 'stack files reloaded (SIGHUP); converging' });
        await converged(
          converge(o.runtime, stack, { services: o.services, bus, timeout: o.timeout, processes }),
        );
      } catch (err) {
        bus.emit({
          kind: 'error',
          message: `reload failed: ${err instanceof Error ? err.message : String(err)}`,
        });
      }
    })();
  };
  // After the engine comes back, converge again: containers it lost are recreated, stopped ones started.
  const offReconnect = bus.subscribe((e) => {
    if (e.kind !== 'engine.reconnected' || ending) return;
    converged(converge(o.runtime, stack, { services: o.services, bus, timeout: o.timeout, processes })).catch(
      (err: unknown) =>
        bus.emit({
          kind: 'error',
          message: `converge after reconnect failed: ${err instanceof Error ? err.message : String(err)}`,
        }),
    );
  });
  signals.on('SIGINT', onStopSignal);
  signals.on('SIGTERM', onStopSignal);
  signals.on('SIGHUP', onHup);

  let code = 0;
  try {
    if (o.prepare) {
      await Promise.race([feed.ready, ended]);
      const stopPreparing = new AbortController();
      const prepared = ending ? Promise.resolve() : o.prepare(bus, stopPreparing.signal);
      const failed = prepared.then(
        () => undefined,
        (err: unknown) => ({ err }),
      );
      const first = await Promise.race([failed, ended]);
      // Ended first (a signal): what `prepare` would still start must not race the stop below.
      stopPreparing.abort();
      const outcome = first !== undefined && 'kind' in first ? await failed : first;
      // It failed (e.g. converge could not start a container): the command fails with its error, as `up`
      // does when it converges before the session.
      if (outcome !== undefined && !ending) throw outcome.err;
    }
    live = true;
    if (!ui) {
      // The view saw every run end; the engine has the last word on whether one is about to begin.
      const atRest = async (): Promise<boolean> => {
        // A command changing the project (another `up` replacing a container, watch mode rebuilding, a
        // reload here) may start something at any moment: between a replaced container's exit and its
        // removal, the view has only exited containers.
        if (converging > 0 || projectLockHolder(project) !== undefined) return false;
        // A daemon that shuts down refuses new API calls: an outage, not the end of the stack.
        await o.runtime.ping(AbortSignal.timeout(5000));
        const listed = await o.runtime.listContainers({ [LABEL.project]: project }, { all: true });
        // "restarting": the engine will start it again after its restart policy's backoff, which passes
        // two seconds after a few quick crashes.
        return listed.every((c) => {
          const who = identityOf(c.labels, c.name);
          return !who || !watched(who.service) || !STILL_RUNNING.has(c.state);
        });
      };
      offDone = watchAllExited(store, services, atRest, () => end({ kind: 'stop', code: exitCodeFor() }));
    }
    const first = await ended;
    if (first.kind === 'detach') {
      // Containers run on without us; host processes get the detached supervisor.
      await o.processes?.handOver();
      return 0;
    }
    code = first.code;
    // A kill (second Ctrl-C) while the graceful stop runs: stop again with no grace.
    const stop = (timeout?: number) => stopStack(o.runtime, project, o.services, bus, timeout, processes);
    const ok =
      first.kind === 'kill'
        ? await stop(0)
        : await Promise.race([stop(o.timeout), killed.then(() => stop(0))]);
    if (!ok && code === 0) code = 1;
    if (o.exitCodeFrom !== undefined) code = exitCodeFor();
    return code;
  } finally {
    signals.off('SIGINT', onStopSignal);
    signals.off('SIGTERM', onStopSignal);
    signals.off('SIGHUP', onHup);
    offExits();
    offDone();
    offReconnect();
    stopSupervisor();
    await o.processes?.close();
    feedStop.abort();
    await closeViews({ feedDone: feed.done, store, ui, headless, detachStore });
  }
}

/**
 * Stops the project's (selected) containers and host processes in reverse dependency order; false when
 * something failed.
 */
async function stopStack(
  runtime: Runtime,
  project: string,
  services: string[] | undefined,
  bus: EventBus,
  timeout?: number,
  processes?: ProcessHost,
): Promise<boolean> {
  try {
    const plan = planStop(await observe(runtime, project, processes), { services, timeout });
    const result = await applyPlan(runtime, plan, { bus, processes });
    for (const f of result.failed)
      bus.emit({ kind: 'error', service: f.operation.service, message: f.error });
    return result.failed.length === 0;
  } catch (err) {
    bus.emit({ kind: 'error', message: `stop failed: ${err instanceof Error ? err.message : String(err)}` });
    return false;
  }
}

/** Engine states of a container that runs, or will again without anyone starting it. */
const STILL_RUNNING: ReadonlySet<string> = new Set(['running', 'restarting', 'paused']);

/**
 * Calls `done` once every replica of `services` has exited, two seconds later still has, and `atRest`
 * agrees (nothing restarts or changes the project, and the engine answers); while the view shows every
 * replica exited but `atRest` does not agree, it looks again every two seconds. A daemon that shuts down
 * stops every container first: that is an engine outage, which the feed reconnects from, not the end.
 */
function watchAllExited(
  store: ViewStore,
  services: string[],
  atRest: () => Promise<boolean>,
  done: () => void,
): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const allExited = () => {
    const s = store.getState();
    const replicas = services.flatMap((n) => s.services[n]?.replicas ?? []);
    return (
      s.engine.connected &&
      replicas.length > 0 &&
      replicas.every((r) => r.phase === 'exited' || r.phase === 'stopped')
    );
  };
  const arm = () => {
    if (timer !== undefined || stopped || !allExited()) return;
    timer = setTimeout(() => {
      void (async () => {
        const rest = allExited() && (await atRest().catch(() => false));
        timer = undefined;
        if (stopped) return;
        if (rest && allExited()) done();
        else arm();
      })();
    }, 2000);
  };
  const off = store.subscribe(arm);
  return () => {
    stopped = true;
    off();
    if (timer !== undefined) clearTimeout(timer);
  };
}
