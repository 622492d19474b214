import type { Command } from 'commander';
import { runLifecycle } from '../../session/lifecycle.js';
import { globalOptions } from '../context.js';
import { parseSignal } from '../options.js';

/** `tsstack kill [-s SIGNAL] [--remove-orphans] [SERVICE...]`: send a signal (default SIGKILL) to running containers. */
export function registerKill(program: Command): void {
  program
    .command('kill')
    .description('send a signal to running containers (default SIGKILL: force stop)')
    .argument('[services...]', 'only these services')
    .option('-s, --signal <signal>', 'signal to send: a name (SIGTERM, HUP) or a number', 'SIGKILL')
    .option('--remove-orphans', 'also signal containers of services no longer in the stack file')
    .option('--dry-run', 'print the plan and change nothing')
    .action(async (services: string[], opts: { signal: string; removeOrphans?: boolean }, cmd: Command) => {
      const signal = parseSignal(opts.signal);
      await runLifecycle(globalOptions(cmd), services, {
        kind: 'kill',
        signal,
        removeOrphans: opts.removeOrphans,
      });
    });
}
