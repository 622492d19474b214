import type { Command } from 'commander';
import { loadUi } from '../../session/load-ui.js';
import { UsageError } from '../../core/errors.js';
import { EventBus } from '../../events/bus.js';
import { startEngineFeed } from '../../events/engine-feed.js';
import { ViewStore } from '../../events/store.js';
import { liveUiUnavailable } from '../../ui/terminal.js';
import { runtimeFromEnv } from '../../session/project.js';
import { globalOptions, loadProject } from '../context.js';
import { serviceActions } from '../../session/service-actions.js';

/** `tsstack top`: the live UI on a stack that is already running; `q` only detaches. */
export function registerTop(program: Command): void {
  program
    .command('top')
    .description('show the live UI of a running stack (q detaches; the stack keeps running)')
    .option('--tail <lines>', 'log lines of history to show per container', '50')
    .option('--target <target>', 'local (default) or swarm: the services and tasks of a swarm stack')
    .action(async (opts: { tail: string; target?: string }, cmd: Command) => {
      const tail = Number(opts.tail);
      if (!Number.isInteger(tail) || tail < 0)
        throw new UsageError(`--tail must be a number of lines, not "${opts.tail}"`);
      const noUi = liveUiUnavailable(process.stdin, process.stdout, process.env);
      if (noUi !== undefined)
        throw new UsageError(
          `tsstack top needs a terminal (${noUi}); use \`tsstack ps\` or \`tsstack logs -f\` instead`,
        );
      if (opts.target !== undefined && opts.target !== 'local') {
        const target = await import('../../session/swarm-target.js');
        target.isSwarmTarget(opts.target);
        return target.swarmTop(globalOptions(cmd), { tail });
      }
      const { stack } = await loadProject(cmd, { allowMissing: true });
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
        initialTail: tail,
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
    });
}
