import type { Command } from 'commander';
import { writeOut } from '../../session/project-containers.js';
import { parseStatusFilters, psText } from '../../session/ps.js';
import { globalOptions, loadProjectAndConnect } from '../context.js';
import { collect } from '../options.js';

interface PsOptions {
  all?: boolean;
  quiet?: boolean;
  services?: boolean;
  format: string;
  status: string[];
  filter: string[];
  orphans: boolean;
  target?: string;
}

/** `--orphans=false` as Compose writes it (a bare `--orphans` is true). */
function parseBool(value: string | undefined): boolean {
  return value === undefined || !['false', '0', 'no'].includes(value.toLowerCase());
}

/** `tsstack ps [-a] [-q] [--services] [--format table|json|TEMPLATE] [--status S] [--filter status=S] [SERVICE...]` */
export function registerPs(program: Command): void {
  program
    .command('ps')
    .description("list the project's containers and host processes")
    .argument('[services...]', 'only these services')
    .option('-a, --all', 'also show stopped containers')
    .option('-q, --quiet', 'only print container IDs')
    .option('--services', 'only print service names')
    .option('--format <format>', 'table, json, or a template such as "{{.Name}} {{.Status}}"', 'table')
    .option(
      '--status <state>',
      'only containers in this state (repeatable): running, exited, paused, ...',
      collect,
      [],
    )
    .option('--filter <key=value>', 'only containers matching: status=STATE (repeatable)', collect, [])
    .option(
      '--orphans [bool]',
      'include containers of services no longer in the stack file (default true)',
      parseBool,
      true,
    )
    .option('--no-trunc', 'accepted: tsstack truncates nothing in ps')
    .option('--target <target>', 'local (default) or swarm: services and their tasks per node')
    .action(async (services: string[], opts: PsOptions, cmd: Command) => {
      const status = parseStatusFilters(opts.status, opts.filter);
      if (opts.target !== undefined && opts.target !== 'local') {
        const target = await import('../../session/swarm-target.js');
        target.isSwarmTarget(opts.target);
        return target.swarmPs(globalOptions(cmd), services, { format: opts.format, all: opts.all });
      }
      const {
        loaded: { stack },
        runtime,
      } = await loadProjectAndConnect(cmd, { allowMissing: true });
      const text = await psText(runtime, stack, {
        services,
        all: opts.all ?? false,
        quiet: opts.quiet,
        serviceNames: opts.services,
        format: opts.format,
        status,
        orphans: opts.orphans,
      });
      await writeOut(process.stdout, text);
    });
}
