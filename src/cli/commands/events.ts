import type { Command } from 'commander';
import { printEvents } from '../../session/events.js';
import { runtimeFromEnv } from '../../session/project.js';
import { loadProject } from '../context.js';
import { untilSignal } from '../../session/until-signal.js';

/** `tsstack events [--json] [SERVICE...]`: container events of the project, live, until Ctrl-C. */
export function registerEvents(program: Command): void {
  program
    .command('events')
    .description("print the project's container events as they happen")
    .argument('[services...]', 'only these services')
    .option('--json', 'one JSON object a line (time, type, action, id, service, attributes)')
    .action(async (services: string[], opts: { json?: boolean }, cmd: Command) => {
      const { stack } = await loadProject(cmd, { allowMissing: true });
      const runtime = await runtimeFromEnv();
      await untilSignal(async (signal) => {
        await printEvents(runtime, stack, { services, json: opts.json === true, signal: signal });
      });
    });
}
