import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { runBuild } from '../../session/build.js';
import { parseBytes } from '../../spec/bytes.js';
import { globalOptions } from '../context.js';
import { collect } from '../options.js';

interface BuildOptions {
  cache?: boolean;
  pull?: boolean;
  quiet?: boolean;
  buildArg: string[];
  memory?: string;
  withDependencies?: boolean;
  builder?: string;
  ssh?: string;
}

/** `tsstack build [--no-cache] [--pull] [-q] [--build-arg K=V] [-m BYTES] [--with-dependencies] [SERVICE...]` */
export function registerBuild(program: Command): void {
  program
    .command('build')
    .description('build service images')
    .argument('[services...]', 'only these services')
    .option('--no-cache', 'do not use the build cache')
    .option('--pull', 'always try to pull newer base images')
    .option('-q, --quiet', 'print nothing but errors')
    .option(
      '--build-arg <key=value>',
      'set a build argument for every service (repeatable; KEY alone: from the environment)',
      collect,
      [],
    )
    .option('-m, --memory <bytes>', 'memory limit of the build containers (e.g. 512m)')
    .option('--with-dependencies', 'also build the services the named ones depend on')
    .option(
      '--builder <name>',
      'ignored: tsstack builds through the engine API, which has no builder to choose',
    )
    .option('--ssh <spec>', 'ignored with a warning: the engine API builder cannot forward SSH agents')
    .option('--dry-run', 'print what would be built and build nothing')
    .action(async (services: string[], opts: BuildOptions, cmd: Command) => {
      const memory = opts.memory === undefined ? undefined : parseBytes(opts.memory);
      if (opts.memory !== undefined && memory === undefined)
        throw new UsageError(`--memory must be a size such as 512m or 2g, not "${opts.memory}"`);
      if (opts.ssh !== undefined)
        process.stderr.write(
          'warning: --ssh is ignored: builds go through the engine API, which forwards no SSH agent\n',
        );
      await runBuild(globalOptions(cmd), {
        services,
        noCache: opts.cache === false,
        pull: opts.pull,
        quiet: opts.quiet,
        buildArgs: opts.buildArg,
        memory,
        withDependencies: opts.withDependencies,
      });
    });
}
