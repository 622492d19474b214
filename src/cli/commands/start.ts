import type { Command } from 'commander';
import { planStart } from '../../reconciler/lifecycle.js';
import { observe } from '../../reconciler/observe.js';
import { applyWithProgress } from '../apply-plan.js';
import { loadProject, runtimeFromEnv } from '../context.js';
import { lockForCommand } from '../lock.js';

/** `tsstack start [SERVICE...]`: start existing containers, dependencies first. */
export function registerStart(program: Command): void {
  program
    .command('start')
    .description('start existing containers')
    .argument('[services...]', 'only these services')
    .action(async (services: string[], _opts: unknown, cmd: Command) => {
      const { stack } = await loadProject(cmd, { allowMissing: true });
      const runtime = await runtimeFromEnv();
      await lockForCommand(cmd, stack.name);
      const observed = await observe(runtime, stack.name);
      await applyWithProgress(
        runtime,
        planStart(observed, { services: services.length > 0 ? services : undefined }),
      );
    });
}
