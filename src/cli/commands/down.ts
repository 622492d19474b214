import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { serviceImage } from '../../reconciler/desired.js';
import { planDown } from '../../reconciler/lifecycle.js';
import { runDown } from '../../session/lifecycle.js';
import { parseTimeout } from '../options.js';
import { runtimeFromEnv } from '../../session/project.js';
import { globalOptions, loadProject, lockForCommand } from '../context.js';

interface DownOptions {
  volumes?: boolean;
  removeOrphans?: boolean;
  rmi?: string;
  timeout?: string;
}

/** `tsstack down [-v] [--remove-orphans] [--rmi local|all] [-t N]` */
export function registerDown(program: Command): void {
  program
    .command('down')
    .description('stop and remove containers, host processes and networks (named volumes only with -v)')
    .option('-v, --volumes', "also remove the project's named and anonymous volumes")
    .option('--remove-orphans', 'also remove containers of services not in the stack')
    .option('--rmi <type>', 'remove images: "local" (built without an image: name) or "all"')
    .option('-t, --timeout <seconds>', 'stop timeout')
    .option('--target <target>', 'local (default) or swarm')
    .action(async (opts: DownOptions & { target?: string }, cmd: Command) => {
      if (opts.target !== undefined && opts.target !== 'local') {
        const target = await import('../../session/swarm-target.js');
        target.isSwarmTarget(opts.target);
        return target.swarmDown(globalOptions(cmd), { volumes: opts.volumes });
      }
      if (opts.rmi !== undefined && opts.rmi !== 'local' && opts.rmi !== 'all')
        throw new UsageError(`--rmi must be "local" or "all", not "${opts.rmi}"`);
      const timeout = parseTimeout(opts.timeout);
      const { stack } = await loadProject(cmd, { allowMissing: true });
      const runtime = await runtimeFromEnv();
      await lockForCommand(cmd, stack.name);
      const services = Object.values(stack.services);
      const wanted = services
        .filter((s) => opts.rmi === 'all' || (opts.rmi === 'local' && !s.image))
        .map((s) => serviceImage(stack, s));
      const images: string[] = [];
      for (const ref of new Set(wanted)) if (await runtime.inspectImage(ref)) images.push(ref);
      const names = [...services.map((s) => s.name), ...Object.keys(stack.processes)];
      await runDown(runtime, stack, (observed) =>
        planDown(observed, {
          volumes: opts.volumes,
          specServices: names.length > 0 ? names : undefined,
          removeOrphans: opts.removeOrphans,
          timeout,
          images,
        }),
      );
    });
}
