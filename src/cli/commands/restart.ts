import type { Command } from 'commander';
import { planRestart } from '../../reconciler/lifecycle.js';
import { observe } from '../../reconciler/observe.js';
import { applyWithProgress, parseTimeout } from '../apply-plan.js';
import { loadProject, runtimeFromEnv } from '../context.js';
import { lockForCommand } from '../lock.js';

/** `tsstack restart [-t N] [SERVICE...]`: restart containers, dependencies first. */
export function registerRestart(program: Command): void {
  program
    .command('restart')
    .description('restart containers')
    .argument('[services...]', 'only these services')
    .option('-t, --timeout <seconds>', 'seconds to wait before killing')
    .action(async (services: string[], opts: { timeout?: string }, cmd: Command) => {
      const timeout = parseTimeout(opts.timeout);
      const { stack } = await loadProject(cmd, { allowMissing: true });
      const runtime = await runtimeFromEnv();
      await lockForCommand(cmd, stack.name);
      const observed = await observe(runtime, stack.name);
      const plan = planRestart(observed, { services: services.length > 0 ? services : undefined, timeout });
      await applyWithProgress(runtime, plan);
    });
}
