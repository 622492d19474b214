/**
 * `tsstack ui`: the live UI on a stack that is already running (or a deployed swarm stack with
 * `--target swarm`). Leaving it (q, Ctrl-C, d) only detaches: the stack keeps running.
 */
import { UsageError } from '../core/errors.js';
import { EventBus } from '../events/bus.js';
import { startEngineFeed } from '../events/engine-feed.js';
import { ViewStore } from '../events/store.js';
import { liveUiUnavailable } from '../ui/terminal.js';
import { loadUi } from './load-ui.js';
import { loadProject, runtimeFromEnv, type GlobalOptions } from './project.js';
import { serviceActions } from './service-actions.js';

export interface LiveUiOptions {
  /** Log lines of history per container. */
  tail: number;
  /** local (default) or swarm. */
  target?: string;
}

/** Opens the live UI until the user leaves it; refuses (exit 2) when there is no terminal to draw on. */
export async function liveUi(g: GlobalOptions, opts: LiveUiOptions): Promise<void> {
  const noUi = liveUiUnavailable(process.stdin, process.stdout, process.env);
  if (noUi !== undefined)
    throw new UsageError(
      `tsstack ui needs a terminal (${noUi}); use \`tsstack ps\` or \`tsstack logs -f\` instead`,
    );
  if (opts.target !== undefined && opts.target !== 'local') {
    const target = await import('./swarm-target.js');
    target.isSwarmTarget(opts.target);
    return target.swarmTop(g, { tail: opts.tail });
  }
  const { stack } = await loadProject(g, { allowMissing: true });
  const runtime = await runtimeFromEnv();
  const { startUi } = await loadUi();
  const bus = new EventBus();
  const store = new ViewStore();
  const detachStore = store.attach(bus);
  const services = Object.keys(stack.services);
  if (services.length > 0) {
    const replicas = Object.fromEntries(services.map((n) => [n, stack.services[n]!.replicas]));
    bus.emit({ kind: 'stack.loaded', project: stack.name, services, files: [], replicas });
  } else {
    bus.emit({ kind: 'stack.loaded', project: stack.name, services: [], files: [] });
  }
  const stop = new AbortController();
  const feed = startEngineFeed({
    runtime,
    project: stack.name,
    bus,
    signal: stop.signal,
    initialTail: opts.tail,
  });
  const actions = serviceActions({
    runtime,
    project: stack.name,
    bus,
    stack: services.length > 0 ? stack : undefined,
  });
  const ui = startUi({
    bus,
    store,
    mode: 'top',
    callbacks: {
      onRestart: (s) => void actions.restart(s),
      onStop: (s) => void actions.stop(s),
      onStart: (s) => void actions.start(s),
      onRebuild: (s) => void actions.rebuild(s),
      onDetach: () => ui.close(),
      onQuit: () => ui.close(),
      onKill: () => ui.close(),
    },
  });
  const onSignal = () => ui.close();
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  try {
    await ui.waitUntilExit();
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
    stop.abort();
    await feed.done;
    detachStore();
  }
  process.stdout.write(`Detached from ${stack.name}; the stack keeps running (tsstack down stops it).\n`);
}
