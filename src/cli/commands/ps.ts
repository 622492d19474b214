import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { globalOptions, loadProjectAndConnect } from '../context.js';
import {
  formatPorts,
  listProjectContainers,
  renderTable,
  statusText,
  writeOut,
  type ProjectContainer,
} from '../../session/project-containers.js';

interface PsOptions {
  all?: boolean;
  quiet?: boolean;
  services?: boolean;
  format: string;
}

/** One container as `ps --format json` prints it (Compose's field names, one object a line). */
export function psJson(project: string, c: ProjectContainer): Record<string, unknown> {
  const s = c.summary;
  return {
    ID: s.id,
    Name: s.name,
    Image: s.image,
    Project: project,
    Service: c.service,
    Replica: c.replica,
    State: s.state,
    Health: s.health ?? '',
    ExitCode: s.exitCode ?? 0,
    Status: statusText(s),
    CreatedAt: s.createdAt ?? '',
    Publishers: s.ports.map((p) => ({
      URL: p.hostIp ?? '',
      TargetPort: p.target,
      PublishedPort: p.hostPort ?? 0,
      Protocol: p.protocol,
    })),
    Networks: s.networks,
  };
}

/** `tsstack ps [-a] [-q] [--services] [--format table|json] [SERVICE...]` */
export function registerPs(program: Command): void {
  program
    .command('ps')
    .description("list the project's containers")
    .argument('[services...]', 'only these services')
    .option('-a, --all', 'also show stopped containers')
    .option('-q, --quiet', 'only print container IDs')
    .option('--services', 'only print service names')
    .option('--format <format>', 'table or json', 'table')
    .option('--target <target>', 'local (default) or swarm: services and their tasks per node')
    .action(async (services: string[], opts: PsOptions & { target?: string }, cmd: Command) => {
      if (opts.format !== 'table' && opts.format !== 'json')
        throw new UsageError(`--format must be "table" or "json", not "${opts.format}"`);
      if (opts.target !== undefined && opts.target !== 'local') {
        const target = await import('../../session/swarm-target.js');
        target.isSwarmTarget(opts.target);
        return target.swarmPs(globalOptions(cmd), services, { format: opts.format, all: opts.all });
      }
      const {
        loaded: { stack },
        runtime,
      } = await loadProjectAndConnect(cmd, { allowMissing: true });
      const containers = await listProjectContainers(runtime, stack, { all: opts.all ?? false, services });
      const out = process.stdout;
      if (opts.services) {
        const names = [...new Set(containers.map((c) => c.service))];
        return writeOut(out, names.map((n) => `${n}\n`).join(''));
      }
      if (opts.quiet) return writeOut(out, containers.map((c) => `${c.summary.id}\n`).join(''));
      if (opts.format === 'json')
        return writeOut(out, containers.map((c) => `${JSON.stringify(psJson(stack.name, c))}\n`).join(''));
      const rows = containers.map((c) => [
        c.summary.name,
        c.service,
        statusText(c.summary),
        formatPorts(c.summary.ports),
      ]);
      await writeOut(out, renderTable(['NAME', 'SERVICE', 'STATUS', 'PORTS'], rows));
    });
}
