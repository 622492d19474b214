import type { Command } from 'commander';
import { runLifecycle } from '../../session/lifecycle.js';
import { globalOptions } from '../context.js';

interface RmOptions {
  force?: boolean;
  stop?: boolean;
  volumes?: boolean;
}

/** `tsstack rm [-f] [-s] [-v] [SERVICE...]`: remove stopped containers (never asks; -f is accepted for Compose users). */
export function registerRm(program: Command): void {
  program
    .command('rm')
    .description('remove stopped containers (one-off `run` containers too)')
    .argument('[services...]', 'only these services')
    .option('-f, --force', 'do not ask for confirmation (tsstack never asks)')
    .option('-s, --stop', 'stop running containers first')
    .option('-v, --volumes', 'remove anonymous volumes of the containers')
    .option('--dry-run', 'print the plan and change nothing')
    .action(async (services: string[], opts: RmOptions, cmd: Command) => {
      await runLifecycle(globalOptions(cmd), services, {
        kind: 'rm',
        stop: opts.stop,
        volumes: opts.volumes,
      });
    });
}
