import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { runBuild } from '../../session/build.js';
import { parseBytes } from '../../spec/bytes.js';
import { globalOptions } from '../context.js';
import { collect } from '../options.js';

interface BuildOptions {
  cache?: boolean;
  pull?: boolean;
  push?: boolean;
  quiet?: boolean;
  buildArg: string[];
  memory?: string;
  withDependencies?: boolean;
  builder?: string;
  ssh?: string;
}

/**
 * `tsstack build [--no-cache] [--pull] [--push] [-q] [--build-arg K=V] [-m BYTES] [--ssh SPEC]
 * [--with-dependencies] [SERVICE...]`: build the images of services with a `build:` section, in parallel (a
 * build that uses another service's image as a named context after it).
 */
export function registerBuild(program: Command): void {
  program
    .command('build')
    .description('build service images')
    .argument('[services...]', 'only these services')
    .option('--no-cache', 'do not use the build cache')
    .option('--pull', 'always try to pull newer base images')
    .option('--push', 'push the built images to their registries')
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
      "ignored: tsstack builds with buildx's default builder (or the engine's classic one)",
    )
    .option('--ssh <spec>', "SSH agent sockets or keys for every build ('default' or ID=PATH), as build.ssh")
    .option('--dry-run', 'print what would be built and build nothing')
    .action(async (services: string[], opts: BuildOptions, cmd: Command) => {
      const memory = opts.memory === undefined ? undefined : parseBytes(opts.memory);
      if (opts.memory !== undefined && memory === undefined)
        throw new UsageError(`--memory must be a size such as 512m or 2g, not "${opts.memory}"`);
      await runBuild(globalOptions(cmd), {
        services,
        noCache: opts.cache === false,
        pull: opts.pull,
        push: opts.push,
        quiet: opts.quiet,
        ssh: opts.ssh,
        buildArgs: opts.buildArg,
        memory,
        withDependencies: opts.withDependencies,
      });
    });
}
