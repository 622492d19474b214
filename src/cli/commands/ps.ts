import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { runtimeFromEnv } from '../../session/project.js';
import { lookAtProcesses } from '../../session/processes.js';
import { processesToShow, processJson, processPorts, processStatus } from '../../session/process-rows.js';
import { globalOptions, loadProject } from '../context.js';
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
    .description("list the project's containers and host processes")
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
      const { stack } = await loadProject(cmd, { allowMissing: true });
      const runtime = await runtimeFromEnv();
      const seen = await lookAtProcesses(stack.name);
      const procs = processesToShow(
        (await seen?.host.list().finally(() => seen.close())) ?? [],
        !!opts.all,
        services,
      );
      const names = services.filter((s) => !procs.some((p) => p.service === s) && !stack.processes[s]);
      const containers = await listProjectContainers(runtime, stack, {
        all: opts.all ?? false,
        services: names,
      });
      const shown = names.length > 0 || services.length === 0 ? containers : [];
      const out = process.stdout;
      if (opts.services) {
        const all = [...new Set([...shown.map((c) => c.service), ...procs.map((p) => p.service)])];
        return writeOut(out, all.map((n) => `${n}\n`).join(''));
      }
      if (opts.quiet)
        return writeOut(
          out,
          [...shown.map((c) => c.summary.id), ...procs.map((p) => String(p.pid))]
            .map((l) => `${l}\n`)
            .join(''),
        );
      if (opts.format === 'json')
        return writeOut(
          out,
          [...shown.map((c) => psJson(stack.name, c)), ...procs.map((p) => processJson(stack.name, p))]
            .map((j) => `${JSON.stringify(j)}\n`)
            .join(''),
        );
      // A KIND column only when host processes are listed: a container-only table looks as Compose's.
      const mixed = procs.length > 0;
      const kind = (k: string) => (mixed ? [k] : []);
      const rows = [
        ...shown.map((c) => [
          c.summary.name,
          ...kind('container'),
          c.service,
          statusText(c.summary),
          formatPorts(c.summary.ports),
        ]),
        ...procs.map((p) => [p.name, ...kind('process'), p.service, processStatus(p), processPorts(p)]),
      ];
      await writeOut(out, renderTable(['NAME', ...kind('KIND'), 'SERVICE', 'STATUS', 'PORTS'], rows));
    });
}
