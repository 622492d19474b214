import type { Command } from 'commander';
import { planStop } from '../../reconciler/lifecycle.js';
import { observe } from '../../reconciler/observe.js';
import { applyWithProgress, parseTimeout } from '../apply-plan.js';
import { loadProject, runtimeFromEnv } from '../context.js';
import { lockForCommand } from '../lock.js';

/** `tsstack stop [-t N] [SERVICE...]`: stop running containers, dependents first. */
export function registerStop(program: Command): void {
  program
    .command('stop')
    .description('stop running containers without removing them')
    .argument('[services...]', 'only these services')
    .option('-t, --timeout <seconds>', 'seconds to wait before killing')
    .action(async (services: string[], opts: { timeout?: string }, cmd: Command) => {
      const timeout = parseTimeout(opts.timeout);
      const { stack } = await loadProject(cmd, { allowMissing: true });
      const runtime = await runtimeFromEnv();
      await lockForCommand(cmd, stack.name);
      const observed = await observe(runtime, stack.name);
      const plan = planStop(observed, { services: services.length > 0 ? services : undefined, timeout });
      await applyWithProgress(runtime, plan);
    });
}
