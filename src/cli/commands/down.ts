import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { runDown } from '../../session/down.js';
import { parseTimeout } from '../options.js';
import { globalOptions, isDryRun } from '../context.js';

interface DownOptions {
  volumes?: boolean;
  removeOrphans?: boolean;
  rmi?: string;
  timeout?: string;
  target?: string;
}

/** `tsstack down [-v] [--remove-orphans] [--rmi local|all] [-t N] [SERVICE...]` */
export function registerDown(program: Command): void {
  program
    .command('down')
    .description('stop and remove containers, host processes and networks (named volumes only with -v)')
    .argument('[services...]', 'only these services and those that depend on them')
    .option('-v, --volumes', "also remove the project's named and anonymous volumes")
    .option('--remove-orphans', 'also remove containers of services not in the stack')
    .option('--rmi <type>', 'remove images: "local" (built without an image: name) or "all"')
    .option('-t, --timeout <seconds>', 'stop timeout')
    .option('--dry-run', 'print the plan and change nothing')
    .option('--target <target>', 'local (default) or swarm')
    .action(async (services: string[], opts: DownOptions, cmd: Command) => {
      if (opts.target !== undefined && opts.target !== 'local') {
        if (isDryRun(cmd)) throw new UsageError('--dry-run is not supported with --target swarm for down');
        const target = await import('../../session/swarm-target.js');
        target.isSwarmTarget(opts.target);
        return target.swarmDown(globalOptions(cmd), { volumes: opts.volumes });
      }
      if (opts.rmi !== undefined && opts.rmi !== 'local' && opts.rmi !== 'all')
        throw new UsageError(`--rmi must be "local" or "all", not "${opts.rmi}"`);
      await runDown(globalOptions(cmd), {
        services,
        volumes: opts.volumes,
        removeOrphans: opts.removeOrphans,
        rmi: opts.rmi,
        timeout: parseTimeout(opts.timeout),
      });
    });
}
