/**
 * `tsstack watch [SERVICE...]`: like Compose, first bring the services up (build and start, as
 * `up -d`; not with `--no-up`), then watch the stack files and `develop.watch` paths and apply each change.
 */
import path from 'node:path';
import { EngineError } from '../core/errors.js';
import { EventBus } from '../events/bus.js';
import { renderPlan } from '../model/plan-text.js';
import { converge } from '../reconciler/converge.js';
import { observe } from '../reconciler/observe.js';
import { requireServices } from '../spec/no-services.js';
import { lockProject } from './lock.js';
import { printProgress } from './progress.js';
import { loadProject, runtimeFromEnv, type GlobalOptions } from './project.js';
import { runWatchMode } from './watch-mode.js';
import { untilSignal } from './until-signal.js';

export interface WatchOptions {
  services: string[];
  /** Do not print a line per change. */
  quiet?: boolean;
  /** Do not bring the services up first: the stack must already run. */
  noUp?: boolean;
}

export async function runWatch(g: GlobalOptions, o: WatchOptions): Promise<void> {
  const project = await loadProject(g);
  requireServices(project, 'watch');
  const { stack, raw } = project;
  const runtime = await runtimeFromEnv();
  const services = o.services.length > 0 ? o.services : undefined;
  const lock = () => lockProject(stack.name, g.lockWait !== false);
  if (g.dryRun) {
    // Nothing is watched in a dry run: what `watch` would do first is the whole story.
    const { plan } = o.noUp
      ? { plan: { operations: [], orphans: [], notes: [] } }
      : await converge(runtime, stack, { services, dryRun: true });
    process.stdout.write(renderPlan(plan));
    return;
  }
  if (!o.noUp) {
    const unlock = await lock();
    const bus = new EventBus();
    const stop = printProgress(bus);
    try {
      await converge(runtime, stack, { services, bus });
    } finally {
      stop();
      unlock();
    }
  } else if ((await observe(runtime, stack.name)).containers.filter((c) => !c.oneoff).length === 0)
    throw new EngineError(
      `project ${stack.name} has no containers on ${runtime.endpoint}; start it with \`tsstack up -d\`, or run watch without --no-up`,
    );
  await untilSignal((signal) =>
    runWatchMode({
      load: () => loadProject(g),
      envFiles: g.envFile.map((f) => path.resolve(f)),
      runtime,
      stack,
      raw,
      bus: new EventBus(),
      signal,
      services,
      print: !o.quiet,
      lock,
    }),
  );
}
