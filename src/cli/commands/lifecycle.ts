/** `tsstack start|stop|restart [-t N] [SERVICE...]`: one definition for the three lifecycle commands. */
import type { Command } from 'commander';
import { runLifecycle } from '../../session/lifecycle.js';
import { globalOptions } from '../context.js';
import { parseTimeout } from '../options.js';

export interface LifecycleCommand {
  name: 'start' | 'stop' | 'restart';
  description: string;
}

/** `tsstack start|stop|restart [-t N] [SERVICE...]`: plan against what exists, under the project lock. */
export function registerLifecycleCommand(program: Command, c: LifecycleCommand): void {
  const command = program
    .command(c.name)
    .description(c.description)
    .argument('[services...]', 'only these services');
  if (c.name !== 'start') command.option('-t, --timeout <seconds>', 'seconds to wait before killing');
  if (c.name === 'restart')
    command.option(
      '--no-deps',
      'do not restart the services that depend on these (depends_on restart: true)',
    );
  command.option('--dry-run', 'print the plan and change nothing');
  command.action(async (services: string[], opts: { timeout?: string; deps?: boolean }, cmd: Command) => {
    const timeout = parseTimeout(opts.timeout);
    const action =
      c.name === 'start'
        ? { kind: c.name }
        : c.name === 'stop'
          ? { kind: c.name, timeout }
          : { kind: c.name, timeout, noDeps: opts.deps === false };
    await runLifecycle(globalOptions(cmd), services, action);
  });
}
