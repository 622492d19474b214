import type { Command } from 'commander';
import { planRemove } from '../../reconciler/lifecycle.js';
import { observe } from '../../reconciler/observe.js';
import { applyWithProgress } from '../../session/apply-plan.js';
import { runtimeFromEnv } from '../../session/project.js';
import { loadProject, lockForCommand } from '../context.js';

interface RmOptions {
  force?: boolean;
  stop?: boolean;
  volumes?: boolean;
}

/** `tsstack rm [-f] [-s] [-v] [SERVICE...]`: remove stopped containers (never asks; -f is accepted for Compose users). */
export function registerRm(program: Command): void {
  program
    .command('rm')
    .description('remove stopped containers')
    .argument('[services...]', 'only these services')
    .option('-f, --force', 'do not ask for confirmation (tsstack never asks)')
    .option('-s, --stop', 'stop running containers first')
    .option('-v, --volumes', 'remove anonymous volumes of the containers')
    .action(async (services: string[], opts: RmOptions, cmd: Command) => {
      const { stack } = await loadProject(cmd, { allowMissing: true });
      const runtime = await runtimeFromEnv();
      await lockForCommand(cmd, stack.name);
      const observed = await observe(runtime, stack.name);
      const plan = planRemove(observed, {
        services: services.length > 0 ? services : undefined,
        stop: opts.stop,
        volumes: opts.volumes,
        oneoff: true,
      });
      if (plan.operations.length === 0 && plan.notes.length === 0)
        process.stderr.write('No stopped containers\n');
      await applyWithProgress(runtime, plan);
    });
}
