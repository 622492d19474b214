import type { Command } from 'commander';
import { runWatch } from '../../session/watch.js';
import { globalOptions } from '../context.js';

/** `tsstack watch [--no-up] [--quiet] [SERVICE...]`: bring the services up, then apply each edit of the stack files and develop.watch paths. */
export function registerWatch(program: Command): void {
  program
    .command('watch')
    .description('bring the stack up, then watch its files and develop.watch paths and apply each change')
    .argument('[services...]', 'only these services (and their dependencies)')
    .option('--no-up', 'do not build and start the services first (they must be running)')
    .option('--quiet', 'do not print a line per change')
    .option('--dry-run', 'print the plan of the first `up` and watch nothing')
    .action(async (services: string[], opts: { quiet?: boolean; up?: boolean }, cmd: Command) => {
      await runWatch(globalOptions(cmd), { services, quiet: opts.quiet, noUp: opts.up === false });
    });
}
