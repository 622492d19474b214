import type { Command } from 'commander';
import { TsstackError, UsageError } from '../../core/errors.js';
import type { PublishedPort } from '../../runtime/types.js';
import { runtimeFromEnv } from '../../session/project.js';
import { loadProject } from '../context.js';
import { refuseHostProcess } from '../../session/processes.js';
import { listProjectContainers } from '../../session/project-containers.js';

/** The binding `port` prints: IPv4 before IPv6, as Compose does. */
export function pickBinding(
  ports: PublishedPort[],
  target: number,
  protocol: string,
): PublishedPort | undefined {
  const bound = ports.filter(
    (p) => p.target === target && p.protocol === protocol && p.hostPort !== undefined,
  );
  return bound.find((p) => !p.hostIp?.includes(':')) ?? bound[0];
}

/** `tsstack port [--protocol tcp|udp] [--index N] SERVICE PRIVATE_PORT`: prints the public address. */
export function registerPort(program: Command): void {
  program
    .command('port')
    .description('print the public address of a port binding')
    .argument('<service>', 'service name')
    .argument('<private_port>', 'container port')
    .option('--protocol <protocol>', 'tcp, udp or sctp', 'tcp')
    .option('--index <n>', 'replica of the service', '1')
    .action(
      async (
        service: string,
        privatePort: string,
        opts: { protocol: string; index: string },
        cmd: Command,
      ) => {
        const target = Number(privatePort);
        if (!Number.isInteger(target) || target < 1 || target > 65535)
          throw new UsageError(`"${privatePort}" is not a port number`);
        if (!['tcp', 'udp', 'sctp'].includes(opts.protocol))
          throw new UsageError(`--protocol must be tcp, udp or sctp, not "${opts.protocol}"`);
        const index = Number(opts.index);
        if (!Number.isInteger(index) || index < 1)
          throw new UsageError(`--index must be 1 or more, not "${opts.index}"`);
        const { stack } = await loadProject(cmd, { allowMissing: true });
        const runtime = await runtimeFromEnv();
        refuseHostProcess(stack, service, 'port');
        const containers = await listProjectContainers(runtime, stack, { all: true, services: [service] });
        const c = containers.find((x) => x.replica === index && x.summary.state === 'running');
        if (!c)
          throw new TsstackError(`service "${service}" has no running container with index ${index}`, 1);
        const b = pickBinding(c.summary.ports, target, opts.protocol);
        if (!b)
          throw new TsstackError(`no port ${target}/${opts.protocol} published for ${c.summary.name}`, 1);
        const ip = b.hostIp || '0.0.0.0';
        process.stdout.write(`${ip.includes(':') ? `[${ip}]` : ip}:${b.hostPort}\n`);
      },
    );
}
