import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { serviceImage } from '../../reconciler/desired.js';
import { planDown } from '../../reconciler/lifecycle.js';
import { observe } from '../../reconciler/observe.js';
import { applyWithProgress } from '../../session/apply-plan.js';
import { parseTimeout } from '../options.js';
import { globalOptions, loadProjectAndConnect, lockForCommand } from '../context.js';

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
    .description('stop and remove containers and networks (named volumes only with -v)')
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
      const {
        loaded: { stack },
        runtime,
      } = await loadProjectAndConnect(cmd, { allowMissing: true });
      await lockForCommand(cmd, stack.name);
      const observed = await observe(runtime, stack.name);
      const services = Object.values(stack.services);
      const wanted = services
        .filter((s) => opts.rmi === 'all' || (opts.rmi === 'local' && !s.image))
        .map((s) => serviceImage(stack, s));
      const images: string[] = [];
      for (const ref of new Set(wanted)) if (await runtime.inspectImage(ref)) images.push(ref);
      const plan = planDown(observed, {
        volumes: opts.volumes,
        specServices: services.length > 0 ? services.map((s) => s.name) : undefined,
        removeOrphans: opts.removeOrphans,
        timeout,
        images,
      });
      await applyWithProgress(runtime, plan);
    });
}
