import type { Command } from 'commander';
import pc from 'picocolors';
import { UsageError } from '../../core/errors.js';
import { parseDuration } from '../../spec/duration.js';
import { runtimeFromEnv } from '../../session/project.js';
import { globalOptions, loadProject } from '../context.js';
import { printStackLogs } from '../../session/process-logs.js';
import { parsePositive } from '../options.js';
import { untilSignal } from '../../session/until-signal.js';

interface LogsOptions {
  follow?: boolean;
  tail: string;
  timestamps?: boolean;
  since?: string;
  until?: string;
  index?: string;
  logPrefix: boolean;
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
export function parseSince(value: string, now = Date.now(), flag = '--since'): number {
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value);
  const ago = parseDuration(value);
  if (ago !== undefined) return Math.floor((now - ago) / 1000);
  const t = Date.parse(value);
  if (!Number.isNaN(t)) return Math.floor(t / 1000);
  throw new UsageError(
    `${flag} must be a time (2024-05-01T10:00:00Z), Unix seconds, or a duration like 10m, not "${value}"`,
  );
}

/** `tsstack logs [-f] [--tail N] [-t] [--since T] [--until T] [--index N] [--no-log-prefix] [--no-color] [SERVICE...]` */
export function registerLogs(program: Command): void {
  program
    .command('logs')
    .description("show the logs of the project's containers and host processes")
    .argument('[services...]', 'only these services')
    .option('-f, --follow', 'keep following new output')
    .option('-n, --tail <lines>', 'number of lines from the end of each log, or "all"', 'all')
    .option('-t, --timestamps', 'show timestamps')
    .option('--since <time>', 'only lines since a time, Unix seconds, or a duration back from now (10m)')
    .option('--until <time>', 'only lines before a time, Unix seconds, or a duration back from now (10m)')
    .option('--index <n>', 'only this replica of the services')
    .option('--no-log-prefix', 'lines without the `web-1  | ` prefix')
    .option('--no-color', 'plain prefixes')
    .option('--target <target>', 'local (default) or swarm: service logs')
    .action(async (services: string[], opts: LogsOptions & { target?: string }, cmd: Command) => {
      const tail = parseTail(opts.tail);
      const since = opts.since !== undefined ? parseSince(opts.since) : undefined;
      const until = opts.until !== undefined ? parseSince(opts.until, Date.now(), '--until') : undefined;
      const index = parsePositive('--index', opts.index);
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
      await untilSignal(async (signal) => {
        await printStackLogs(runtime, stack, {
          follow: opts.follow ?? false,
          tail,
          since,
          timestamps: opts.timestamps ?? false,
          color: opts.color && pc.isColorSupported,
          signal,
          out: process.stdout,
          services,
          until,
          index,
          prefix: opts.logPrefix,
        });
      });
    });
}
