import type { Command } from 'commander';
import { runtimeFromEnv } from '../../session/project.js';
import { runStats } from '../../session/stats.js';
import { loadProject } from '../context.js';
import { untilSignal } from '../../session/until-signal.js';

interface StatsOptions {
  all?: boolean;
  noStream?: boolean;
  stream?: boolean;
  trunc?: boolean;
  format: string;
}

/** `tsstack stats [-a] [--no-stream] [--no-trunc] [--format table|json|TEMPLATE] [SERVICE]` */
export function registerStats(program: Command): void {
  program
    .command('stats')
    .description('show live resource usage of the containers (CPU, memory, network, block I/O, processes)')
    .argument('[service]', 'only this service')
    .option('-a, --all', 'also stopped containers')
    .option('--no-stream', 'print one sample and exit')
    .option('--no-trunc', 'full container IDs')
    .option(
      '--format <format>',
      'table, json, or a template such as "table {{.Name}}\\t{{.CPUPerc}}"',
      'table',
    )
    .action(async (service: string | undefined, opts: StatsOptions, cmd: Command) => {
      const { stack } = await loadProject(cmd, { allowMissing: true });
      const runtime = await runtimeFromEnv();
      await untilSignal(async (signal) => {
        await runStats(runtime, stack, {
          services: service ? [service] : [],
          all: opts.all === true,
          noStream: opts.stream === false,
          noTrunc: opts.trunc === false,
          format: opts.format,
          signal: signal,
        });
      });
    });
}
