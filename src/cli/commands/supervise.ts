import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { runSupervisorDaemon } from '../../session/supervisor-daemon.js';
import { globalOptions } from '../context.js';

/** `tsstack -p NAME __supervise`: the detached supervisor of a project's host processes (hidden; `up -d` runs it). */
export function registerSupervise(program: Command): void {
  program
    .command('__supervise', { hidden: true })
    .description("run the detached supervisor of a project's host processes")
    .action(async (_opts: unknown, cmd: Command) => {
      const project = globalOptions(cmd).projectName;
      if (!project) throw new UsageError('__supervise needs -p PROJECT');
      process.exitCode = await runSupervisorDaemon(project);
    });
}
