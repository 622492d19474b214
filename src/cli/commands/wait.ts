import type { Command } from 'commander';
import { runtimeFromEnv } from '../../session/project.js';
import { waitForExit } from '../../session/wait.js';
import { globalOptions, isDryRun, loadProject } from '../context.js';

/** `tsstack wait [--down-project] SERVICE...`: exit with the code of the services' containers once they stop. */
export function registerWait(program: Command): void {
  program
    .command('wait')
    .description("block until the services' containers stop; exit with the last one's exit code")
    .argument('<services...>', 'the services to wait for')
    .option('--down-project', 'then take the whole project down (as `down --remove-orphans`)')
    .option('--dry-run', 'wait, then print the down plan instead of applying it')
    .action(async (services: string[], opts: { downProject?: boolean }, cmd: Command) => {
      const { stack } = await loadProject(cmd, { allowMissing: true });
      const runtime = await runtimeFromEnv();
      process.exitCode = await waitForExit(runtime, stack, {
        services,
        downProject: opts.downProject,
        dryRun: isDryRun(cmd),
        lockWait: globalOptions(cmd).lockWait,
      });
    });
}
