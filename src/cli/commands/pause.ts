import type { Command } from 'commander';
import { runLifecycle } from '../../session/lifecycle.js';
import { globalOptions } from '../context.js';

function register(program: Command, kind: 'pause' | 'unpause', description: string): void {
  program
    .command(kind)
    .description(description)
    .argument('[services...]', 'only these services')
    .option('--dry-run', 'print the plan and change nothing')
    .action(async (services: string[], _opts: unknown, cmd: Command) => {
      await runLifecycle(globalOptions(cmd), services, { kind });
    });
}

/** `tsstack pause [SERVICE...]`: freeze every process of the running containers (cgroup freezer). */
export function registerPause(program: Command): void {
  register(program, 'pause', 'pause the running containers of services');
}

/** `tsstack unpause [SERVICE...]`: resume paused containers. */
export function registerUnpause(program: Command): void {
  register(program, 'unpause', 'resume the paused containers of services');
}
