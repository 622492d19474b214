import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { EventBus } from '../../events/bus.js';
import { converge } from '../../reconciler/converge.js';
import { parseScale, withScale } from '../../scheduler/scale.js';
import { parseTimeout } from '../options.js';
import { runtimeFromEnv } from '../../session/project.js';
import { requireServices } from '../../spec/no-services.js';
import { globalOptions, loadProject, lockForCommand } from '../context.js';
import { printProgress } from '../../session/progress.js';

/**
 * `tsstack scale SERVICE=N...`: converge the named services to N replicas. Replica numbers stay stable:
 * scaling up fills the lowest free numbers, scaling down removes the highest. Like Compose, the count
 * holds until the next `up` without `--scale` applies the file's count again.
 */
export function registerScale(program: Command): void {
  program
    .command('scale')
    .description('set the number of replicas of services (SERVICE=N ...)')
    .argument('<scales...>', 'SERVICE=REPLICAS pairs, e.g. web=3 worker=0')
    .option('-t, --timeout <seconds>', 'stop timeout for removed replicas')
    .option('--target <target>', 'local (default) or swarm')
    .action(async (scales: string[], raw: Record<string, unknown>, cmd: Command) => {
      if (scales.length === 0) throw new UsageError('scale needs at least one SERVICE=REPLICAS');
      if (raw.target !== undefined && raw.target !== 'local') {
        const target = await import('../../session/swarm-target.js');
        target.isSwarmTarget(raw.target);
        return target.swarmScale(globalOptions(cmd), scales);
      }
      const project = await loadProject(cmd);
      requireServices(project, 'scale');
      const { stack: loaded } = project;
      const scale = parseScale(loaded, scales);
      const stack = withScale(loaded, scale);
      const runtime = await runtimeFromEnv();
      await lockForCommand(cmd, stack.name);
      const bus = new EventBus();
      const stop = printProgress(bus);
      try {
        // The named services and what they depend on, as `up SERVICE...` would.
        await converge(runtime, stack, {
          services: Object.keys(scale),
          bus,
          timeout: parseTimeout(raw.timeout as string | undefined),
        });
      } finally {
        stop();
      }
    });
}
