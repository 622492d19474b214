import path from 'node:path';
import type { Command } from 'commander';
import { EventBus } from '../../events/bus.js';
import { UsageError } from '../../errors.js';
import { converge } from '../../reconciler/converge.js';
import { withDependencies } from '../../reconciler/plan.js';
import { parseScale, withScale } from '../../scheduler/scale.js';
import { waitForServices } from '../../scheduler/wait.js';
import { renderPlan } from '../../reconciler/render.js';
import { requireServices } from '../../spec/no-services.js';
import type { WatchController } from '../../watch/controller.js';
import { parseTimeout } from '../apply-plan.js';
import { globalOptions, loadProject, runtimeFromEnv } from '../context.js';
import type { LogFormat } from '../headless.js';
import { tuneHeapForSupervisor } from '../heap-flags.js';
import { lockForCommand } from '../lock.js';
import { printProgress } from '../progress.js';
import { chooseLiveUi } from '../../ui/terminal.js';

interface UpOptions {
  detach?: boolean;
  build?: boolean;
  noBuild?: boolean;
  forceRecreate?: boolean;
  noRecreate?: boolean;
  removeOrphans?: boolean;
  start?: boolean;
  timeout?: string;
  dryRun?: boolean;
  wait?: boolean;
  waitTimeout?: string;
  parallel?: string;
  scale?: string[];
  watch?: boolean;
  headless?: boolean;
  logFormat?: string;
  exitCodeFrom?: string;
  abortOnContainerExit?: boolean;
}

/** `tsstack up [-d] [--build|--no-build] [--force-recreate|--no-recreate] [--remove-orphans] [--no-start] [-t N] [--dry-run] [SERVICE...]` */
export function registerUp(program: Command): void {
  program
    .command('up')
    .description('create and start the stack (attached: follow logs until Ctrl-C, then stop)')
    .argument('[services...]', 'only these services (and their dependencies)')
    .option('-d, --detach', 'run in the background')
    .option('--build', 'build images before starting')
    .option('--no-build', 'do not build missing images')
    .option('--force-recreate', 'recreate containers even if unchanged')
    .option('--no-recreate', 'do not recreate existing containers')
    .option('--remove-orphans', 'remove containers of services not in the stack')
    .option('--no-start', 'create but do not start')
    .option('-t, --timeout <seconds>', 'stop timeout for containers being replaced or stopped')
    .option('--dry-run', 'print the plan and change nothing')
    .option('--wait', 'return once every service is running and healthy (or completed); implies -d')
    .option('--wait-timeout <seconds>', 'with --wait: give up after this many seconds')
    .option('--parallel <n>', 'most engine calls at once (default: TSSTACK_PARALLEL, else 2× CPUs, 4..16)')
    .option('--scale <service=n>', 'run n replicas of service (repeatable)', collect, [])
    .option('-w, --watch', 'watch the stack files and develop.watch paths and apply each change')
    .option('--headless', 'no live UI: prefixed log lines (the default when stdout is not a terminal)')
    .option('--log-format <format>', 'headless log lines: plain or json', 'plain')
    .option(
      '--exit-code-from <service>',
      "return this service's exit code (implies --abort-on-container-exit)",
    )
    .option('--abort-on-container-exit', 'stop the stack when any container exits')
    .option('--target <target>', 'local (default) or swarm: deploy as Docker Swarm services')
    .action(async (services: string[], raw: Record<string, unknown>, cmd: Command) => {
      // Commander maps --no-build to build=false; --build sets it true; neither leaves it undefined.
      const opts = raw as UpOptions;
      if (raw.target !== undefined && raw.target !== 'local') {
        const target = await import('../swarm-target.js');
        target.isSwarmTarget(raw.target);
        return target.swarmUp(cmd, {
          detach: opts.detach,
          headless: opts.headless,
          logFormat: parseLogFormat(opts.logFormat),
          dryRun: opts.dryRun,
          removeOrphans: opts.removeOrphans,
          wait: opts.wait,
          waitTimeout: parseTimeout(opts.waitTimeout),
          scale: opts.scale,
        });
      }
      // Before the heap has grown: a headless attached session becomes a long-running supervisor.
      const live = chooseLiveUi(opts.headless);
      if (!live.ui && !opts.detach && !opts.dryRun && !opts.wait && opts.start !== false)
        tuneHeapForSupervisor(process.env);
      const build = raw.build === true ? 'always' : raw.build === false ? 'never' : undefined;
      const timeout = parseTimeout(opts.timeout);
      const logFormat = parseLogFormat(opts.logFormat);
      const since = Math.floor(Date.now() / 1000);
      const project = await loadProject(cmd);
      requireServices(project, 'up');
      const { stack: loaded, raw: document } = project;
      const stack = withScale(loaded, parseScale(loaded, opts.scale ?? []));
      const waitTimeout = parseTimeout(opts.waitTimeout);
      const concurrency = parsePositive('--parallel', opts.parallel);
      const runtime = await runtimeFromEnv();
      const selected = services.length > 0 ? services : undefined;
      const common = {
        services: selected,
        build: build as 'always' | 'never' | undefined,
        forceRecreate: opts.forceRecreate,
        noRecreate: raw.recreate === false,
        removeOrphans: opts.removeOrphans,
        noStart: opts.start === false,
        timeout,
        concurrency,
      };
      if (opts.dryRun) {
        const { plan } = await converge(runtime, stack, { ...common, dryRun: true });
        process.stdout.write(renderPlan(plan));
        return;
      }
      // Held while planning and applying; an attached session lets other commands (stop, rm) in.
      const unlock = await lockForCommand(cmd, stack.name);
      const bus = new EventBus();
      const stopProgress = printProgress(bus);
      let result: Awaited<ReturnType<typeof converge>>;
      try {
        result = await converge(runtime, stack, { ...common, bus });
      } finally {
        stopProgress();
        unlock();
      }
      if (opts.wait && !common.noStart) {
        await waitForServices(runtime, result.desired, {
          services: withDependencies(result.desired, selected),
          timeoutMs: waitTimeout === undefined ? undefined : waitTimeout * 1000,
        });
        return;
      }
      if (common.noStart) return;
      const watchMode = (
        bus: EventBus,
        signal: AbortSignal,
        print: boolean,
        onReady?: (c: WatchController) => void,
      ) =>
        // Loaded only when asked for: watch mode brings chokidar, and `up -d` should start fast.
        import('../watch-mode.js').then(({ runWatchMode }) =>
          runWatchMode({
            load: () => loadProject(cmd),
            envFiles: globalOptions(cmd).envFile.map((f) => path.resolve(f)),
            runtime,
            stack,
            raw: document,
            bus,
            signal,
            services: selected,
            print,
            // In the live UI, Ink owns stdin: manual triggers come from its `t` key instead of typed lines.
            keys: print && process.stdin.isTTY === true,
            lock: () => lockForCommand(cmd, stack.name),
            onReady,
          }),
        );
      if (opts.detach) {
        if (opts.watch) await untilSignal((signal) => watchMode(new EventBus(), signal, true));
        return;
      }
      const ui = live.ui;
      if (live.notice) process.stderr.write(live.notice);
      const sessionBus = new EventBus();
      const stopWatching = new AbortController();
      let controller: WatchController | undefined;
      const watching = opts.watch
        ? watchMode(sessionBus, stopWatching.signal, !ui, (c) => (controller = c))
        : undefined;
      try {
        const { superviseAttached } = await import('../supervise.js');
        process.exitCode = await superviseAttached({
          runtime,
          stack,
          services: selected,
          ui,
          logFormat,
          timeout,
          exitCodeFrom: opts.exitCodeFrom,
          abortOnContainerExit: opts.abortOnContainerExit,
          since,
          reload: async () => (await loadProject(cmd)).stack,
          bus: sessionBus,
          onTrigger: opts.watch ? (service) => controller?.trigger(service) : undefined,
        });
      } finally {
        stopWatching.abort();
        await watching?.catch(() => undefined);
      }
    });
}

/** Runs `fn` until SIGINT or SIGTERM aborts its signal. */
async function untilSignal(fn: (signal: AbortSignal) => Promise<void>): Promise<void> {
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await fn(abort.signal);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

function parseLogFormat(value: string | undefined): LogFormat {
  if (value === undefined || value === 'plain' || value === 'json') return value ?? 'plain';
  throw new UsageError(`--log-format must be plain or json, not "${value}"`);
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** A whole number above zero for a flag, or undefined when not given (exit 2 otherwise). */
function parsePositive(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`${flag} must be a whole number above 0, not "${value}"`);
  return n;
}
