/** `tsstack start|stop|restart [-t N] [SERVICE...]`: one definition for the three lifecycle commands. */
import type { Command } from 'commander';
import type { ObservedState } from '../../model/observed.js';
import type { Plan } from '../../model/plan.js';
import { runLifecycle, type LifecycleVerb } from '../../session/lifecycle.js';
import { runtimeFromEnv } from '../../session/project.js';
import { loadProject, lockForCommand } from '../context.js';
import { parseTimeout } from '../options.js';

export interface LifecycleCommand {
  name: string;
  description: string;
  /** Whether it takes `-t/--timeout` (stop and restart do). */
  timeout: boolean;
  plan(observed: ObservedState, opts: { services?: string[]; timeout?: number }): Plan;
}

/** `tsstack start|stop|restart [-t N] [SERVICE...]`: plan against what exists, under the project lock. */
export function registerLifecycleCommand(program: Command, c: LifecycleCommand): void {
  const command = program
    .command(c.name)
    .description(c.description)
    .argument('[services...]', 'only these services');
  if (c.timeout) command.option('-t, --timeout <seconds>', 'seconds to wait before killing');
  command.action(async (services: string[], opts: { timeout?: string }, cmd: Command) => {
    const timeout = parseTimeout(opts.timeout);
    const { stack } = await loadProject(cmd, { allowMissing: true });
    const runtime = await runtimeFromEnv();
    await lockForCommand(cmd, stack.name);
    await runLifecycle(runtime, stack, c.name as LifecycleVerb, (observed) =>
      c.plan(observed, { services: services.length > 0 ? services : undefined, timeout }),
    );
  });
}
