import path from 'node:path';
import type { Command } from 'commander';
import { EngineError } from '../../core/errors.js';
import { EventBus } from '../../events/bus.js';
import { observe } from '../../reconciler/observe.js';
import { runtimeFromEnv } from '../../session/project.js';
import { requireServices } from '../../spec/no-services.js';
import { globalOptions, loadProject, lockForCommand } from '../context.js';
import { runWatchMode } from '../../session/watch-mode.js';

/** `tsstack watch [SERVICE...]`: watch a running stack; spec edits reload and converge, develop.watch rules sync, rebuild or restart. */
export function registerWatch(program: Command): void {
  program
    .command('watch')
    .description('watch the stack files and develop.watch paths of a running stack and apply each change')
    .argument('[services...]', 'on a spec edit, converge only these (and their dependencies)')
    .option('--quiet', 'do not print a line per change')
    .action(async (services: string[], opts: { quiet?: boolean }, cmd: Command) => {
      const project = await loadProject(cmd);
      requireServices(project, 'watch');
      const { stack, raw } = project;
      const runtime = await runtimeFromEnv();
      const observed = await observe(runtime, stack.name);
      if (observed.containers.filter((c) => !c.oneoff).length === 0)
        throw new EngineError(
          `project ${stack.name} has no containers on ${runtime.endpoint}; start it with \`tsstack up -d\` or use \`tsstack up --watch\``,
        );
      const abort = new AbortController();
      const stop = () => abort.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        await runWatchMode({
          load: () => loadProject(cmd),
          envFiles: globalOptions(cmd).envFile.map((f) => path.resolve(f)),
          runtime,
          stack,
          raw,
          bus: new EventBus(),
          signal: abort.signal,
          services: services.length > 0 ? services : undefined,
          print: !opts.quiet,
          lock: () => lockForCommand(cmd, stack.name),
        });
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    });
}
