import type { Command } from 'commander';
import { runtimeFromEnv } from '../../session/project.js';
import { printTop } from '../../session/top.js';
import { loadProject } from '../context.js';

/** `tsstack top [SERVICE...]`: the processes running in each container, as `docker compose top` shows them. */
export function registerTop(program: Command): void {
  program
    .command('top')
    .description('show the processes running in the containers')
    .argument('[services...]', 'only these services')
    .action(async (services: string[], _opts: unknown, cmd: Command) => {
      const { stack } = await loadProject(cmd, { allowMissing: true });
      const runtime = await runtimeFromEnv();
      await printTop(runtime, stack, services);
    });
}
