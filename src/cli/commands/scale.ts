import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { runScale } from '../../session/scale.js';
import { parseTimeout } from '../options.js';
import { globalOptions, isDryRun } from '../context.js';

/** `tsstack scale [--no-deps] [-t N] SERVICE=N...`: set the number of replicas of services. */
export function registerScale(program: Command): void {
  program
    .command('scale')
    .description('set the number of replicas of services (SERVICE=N ...)')
    .argument('<scales...>', 'SERVICE=REPLICAS pairs, e.g. web=3 worker=0')
    .option('-t, --timeout <seconds>', 'stop timeout for removed replicas')
    .option('--no-deps', 'do not start the services the named ones depend on')
    .option('--dry-run', 'print the plan and change nothing')
    .option('--target <target>', 'local (default) or swarm')
    .action(
      async (scales: string[], raw: { timeout?: string; deps?: boolean; target?: string }, cmd: Command) => {
        if (scales.length === 0) throw new UsageError('scale needs at least one SERVICE=REPLICAS');
        if (raw.target !== undefined && raw.target !== 'local') {
          if (isDryRun(cmd)) throw new UsageError('--dry-run is not supported with --target swarm for scale');
          const target = await import('../../session/swarm-target.js');
          target.isSwarmTarget(raw.target);
          return target.swarmScale(globalOptions(cmd), scales);
        }
        await runScale(globalOptions(cmd), scales, {
          timeout: parseTimeout(raw.timeout),
          noDeps: raw.deps === false,
        });
      },
    );
}
