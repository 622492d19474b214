import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { runUp } from '../../session/up.js';
import { globalOptions, isDryRun } from '../context.js';
import { collect } from '../options.js';

interface CreateOptions {
  build?: boolean;
  forceRecreate?: boolean;
  recreate?: boolean;
  pull?: string;
  quietPull?: boolean;
  removeOrphans?: boolean;
  scale: string[];
}

const PULL = ['always', 'missing', 'never', 'build', 'policy'] as const;

/** `tsstack create [options] [SERVICE...]`: what `up --no-start` does: images, networks, volumes and containers, nothing started. */
export function registerCreate(program: Command): void {
  program
    .command('create')
    .description('create the containers (and their networks and volumes) without starting them')
    .argument('[services...]', 'only these services (and their dependencies)')
    .option('--build', 'build images before creating containers')
    .option('--no-build', 'do not build missing images')
    .option('--force-recreate', 'recreate containers even if unchanged')
    .option('--no-recreate', 'do not recreate existing containers')
    .option(
      '--pull <policy>',
      'pull images: always, missing, never, build, or policy (each service’s pull_policy)',
      'policy',
    )
    .option('--quiet-pull', 'no line per pulled image')
    .option('--remove-orphans', 'remove containers of services not in the stack')
    .option('--scale <service=n>', 'create n replicas of service (repeatable)', collect, [])
    .option('--dry-run', 'print the plan and change nothing')
    .action(async (services: string[], o: CreateOptions, cmd: Command) => {
      if (o.pull !== undefined && !(PULL as readonly string[]).includes(o.pull))
        throw new UsageError(`--pull must be one of ${PULL.join(', ')}, not "${o.pull}"`);
      if (o.forceRecreate && o.recreate === false)
        throw new UsageError('--force-recreate and --no-recreate cannot be combined');
      process.exitCode = await runUp({
        project: globalOptions(cmd),
        services,
        detach: true,
        noStart: true,
        build: o.build === true ? 'always' : o.build === false ? 'never' : undefined,
        forceRecreate: o.forceRecreate === true,
        noRecreate: o.recreate === false,
        pull: o.pull === 'policy' ? undefined : (o.pull as 'always' | 'missing' | 'never' | 'build'),
        quietPull: o.quietPull === true,
        removeOrphans: o.removeOrphans === true,
        scale: o.scale,
        dryRun: isDryRun(cmd),
        logFormat: 'plain',
      });
    });
}
