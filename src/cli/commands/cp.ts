import type { Command } from 'commander';
import { copy } from '../../session/cp.js';
import { runtimeFromEnv } from '../../session/project.js';
import { isDryRun, loadProject } from '../context.js';
import { parsePositive } from '../options.js';

interface CpOptions {
  archive?: boolean;
  followLink?: boolean;
  index?: string;
  all?: boolean;
}

/** `tsstack cp [-a] [-L] [--index N] SERVICE:SRC DEST|-` and `tsstack cp SRC|- SERVICE:DEST` */
export function registerCp(program: Command): void {
  program
    .command('cp')
    .description('copy files or folders between service containers and the local filesystem')
    .usage('[options] SERVICE:SRC_PATH DEST_PATH|-\n       tsstack cp [options] SRC_PATH|- SERVICE:DEST_PATH')
    .argument('<source>', 'SERVICE:PATH or a local path ("-": a tar archive on stdin)')
    .argument('<destination>', 'a local path ("-": a tar archive on stdout) or SERVICE:PATH')
    .option('-a, --archive', 'keep the uid/gid of what is copied into a container')
    .option('-L, --follow-link', 'copy what a symbolic link given as the source points to')
    .option('--index <n>', 'the replica to copy from or to (default: from the first; to every one)')
    .option('--all', 'into a service: also its one-off (run) containers')
    .option('--dry-run', 'print the copies and change nothing')
    .action(async (source: string, destination: string, opts: CpOptions, cmd: Command) => {
      const index = parsePositive('--index', opts.index);
      const { stack } = await loadProject(cmd, { allowMissing: true });
      const runtime = await runtimeFromEnv();
      await copy(runtime, stack, source, destination, {
        index,
        all: opts.all,
        archive: opts.archive,
        followLink: opts.followLink,
        dryRun: isDryRun(cmd),
      });
    });
}
