import type { Command } from 'commander';
import pc from 'picocolors';
import { UsageError } from '../../core/errors.js';
import { parseDuration } from '../../spec/duration.js';
import { runtimeFromEnv } from '../../session/project.js';
import { globalOptions, loadProject } from '../context.js';
import { printLogs } from '../../session/log-printer.js';
import { listProjectContainers } from '../../session/project-containers.js';
import { printProcessLogs, processLogs } from '../../session/process-logs.js';

interface LogsOptions {
  follow?: boolean;
  tail: string;
  timestamps?: boolean;
  since?: string;
  color: boolean;
}

/** `--tail`: a count of lines or "all". */
export function parseTail(value: string): number | undefined {
  if (value === 'all') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new UsageError(`--tail must be a number of lines or "all", not "${value}"`);
  return n;
}

/** `--since`: Unix seconds, an RFC 3339 time, or a duration back from now (`10m`, `1h30m`). */
export function parseSince(value: string, now = Date.now()): number {
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value);
  const ago = parseDuration(value);
  if (ago !== undefined) return Math.floor((now - ago) / 1000);
  const t = Date.parse(value);
  if (!Number.isNaN(t)) return Math.floor(t / 1000);
  throw new UsageError(
    `--since must be a time (2024-05-01T10:00:00Z), Unix seconds, or a duration like 10m, not "${value}"`,
  );
}

/** `tsstack logs [-f] [--tail N] [-t] [--since T] [--no-color] [SERVICE...]` */
export function registerLogs(program: Command): void {
  program
    .command('logs')
    .description("show the logs of the project's containers and host processes")
    .argument('[services...]', 'only these services')
    .option('-f, --follow', 'keep following new output')
    .option('-n, --tail <lines>', 'number of lines from the end of each log, or "all"', 'all')
    .option('-t, --timestamps', 'show timestamps')
    .option('--since <time>', 'only lines since a time, Unix seconds, or a duration back from now (10m)')
    .option('--no-color', 'plain prefixes')
    .option('--target <target>', 'local (default) or swarm: service logs')
    .action(async (services: string[], opts: LogsOptions & { target?: string }, cmd: Command) => {
      const tail = parseTail(opts.tail);
      const since = opts.since !== undefined ? parseSince(opts.since) : undefined;
      if (opts.target !== undefined && opts.target !== 'local') {
        const target = await import('../../session/swarm-target.js');
        target.isSwarmTarget(opts.target);
        const follow = opts.follow ?? false;
        return target.swarmLogs(globalOptions(cmd), services, {
          follow,
          tail,
          since,
          timestamps: opts.timestamps ?? false,
        });
      }
      const { stack } = await loadProject(cmd, { allowMissing: true });
      const runtime = await runtimeFromEnv();
      // Host processes' logs are files; the rest of the names are services with containers.
      const procLogs = processLogs(stack.name, services);
      const isProcess = (s: string) => !!stack.processes[s] || procLogs.some((l) => l.service === s);
      const containerServices = services.filter((s) => !isProcess(s));
      const list = () => listProjectContainers(runtime, stack, { all: true, services: containerServices });
      const ac = new AbortController();
      const onSignal = () => ac.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      const print = {
        follow: opts.follow ?? false,
        tail,
        since,
        timestamps: opts.timestamps ?? false,
        color: opts.color && pc.isColorSupported,
        signal: ac.signal,
        out: process.stdout,
        services: containerServices,
      };
      try {
        await Promise.all([
          services.length > 0 && containerServices.length === 0
            ? undefined
            : printLogs(runtime, stack.name, list, print),
          printProcessLogs(stack.name, procLogs, {
            ...print,
            colourOffset: Object.keys(stack.services).length,
          }),
        ]);
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
