import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { liveUi } from '../../session/live-ui.js';
import { globalOptions } from '../context.js';

/** `tsstack ui`: the live UI on a stack that is already running; `q` only detaches. */
export function registerUi(program: Command): void {
  program
    .command('ui')
    .description('show the live UI of a running stack (q detaches; the stack keeps running)')
    .option('--tail <lines>', 'log lines of history to show per container', '50')
    .option('--target <target>', 'local (default) or swarm: the services and tasks of a swarm stack')
    .action(async (opts: { tail: string; target?: string }, cmd: Command) => {
      const tail = Number(opts.tail);
      if (!Number.isInteger(tail) || tail < 0)
        throw new UsageError(`--tail must be a number of lines, not "${opts.tail}"`);
      await liveUi(globalOptions(cmd), { tail, target: opts.target });
    });
}
