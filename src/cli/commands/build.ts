import type { Command } from 'commander';
import { EventBus } from '../../events/bus.js';
import { checkServiceNames } from '../../reconciler/converge.js';
import { buildServices } from '../../reconciler/images.js';
import { EngineError } from '../../core/errors.js';
import type { ServiceSpec } from '../../spec/types.js';
import { runtimeFromEnv } from '../../session/project.js';
import { loadProject } from '../context.js';
import { printProgress } from '../../session/progress.js';
import { pushServicesOrThrow } from '../../reconciler/push.js';

/**
 * `tsstack build [--no-cache] [--pull] [--push] [-q] [SERVICE...]`: build the images of services with a
 * `build:` section, in parallel (a build that uses another service's image as a named context after it).
 */
export function registerBuild(program: Command): void {
  program
    .command('build')
    .description('build service images')
    .argument('[services...]', 'only these services')
    .option('--no-cache', 'do not use the build cache')
    .option('--pull', 'always try to pull newer base images')
    .option('--push', 'push the images to their registries once built')
    .option('-q, --quiet', 'print nothing but errors')
    .action(
      async (
        services: string[],
        opts: { cache?: boolean; pull?: boolean; push?: boolean; quiet?: boolean },
        cmd: Command,
      ) => {
        const { stack } = await loadProject(cmd);
        checkServiceNames(stack, services);
        const runtime = await runtimeFromEnv();
        const bus = new EventBus();
        const stopProgress = opts.quiet ? () => {} : printProgress(bus);
        const names = services.length > 0 ? services : Object.keys(stack.services);
        const targets: ServiceSpec[] = names
          .map((n) => stack.services[n])
          .filter((s): s is ServiceSpec & { build: NonNullable<ServiceSpec['build']> } => !!s?.build)
          .map((s) => ({
            ...s,
            build: {
              ...s.build,
              no_cache: opts.cache === false || s.build.no_cache,
              pull: opts.pull || s.build.pull,
            },
          }));
        try {
          const { failures } = await buildServices(runtime, stack, targets, { bus });
          const failed = Object.entries(failures);
          if (failed.length > 0)
            throw new EngineError(
              failed
                .sort(([a], [b]) => a.localeCompare(b))
                .map(([name, words]) => `service ${name}: build failed: ${words}`)
                .join('\n'),
            );
          if (opts.push) await pushServicesOrThrow(runtime, targets, { bus });
        } finally {
          stopProgress();
        }
      },
    );
}
