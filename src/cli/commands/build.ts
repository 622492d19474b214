import type { Command } from 'commander';
import { EventBus } from '../../events/bus.js';
import { checkServiceNames } from '../../reconciler/converge.js';
import { buildService } from '../../reconciler/images.js';
import { EngineError } from '../../core/errors.js';
import { runtimeFromEnv } from '../../session/project.js';
import { loadProject } from '../context.js';
import { printProgress } from '../../session/progress.js';

/** `tsstack build [--no-cache] [--pull] [SERVICE...]`: build the images of services with a `build:` section. */
export function registerBuild(program: Command): void {
  program
    .command('build')
    .description('build service images')
    .argument('[services...]', 'only these services')
    .option('--no-cache', 'do not use the build cache')
    .option('--pull', 'always try to pull newer base images')
    .option('-q, --quiet', 'print nothing but errors')
    .action(
      async (
        services: string[],
        opts: { cache?: boolean; pull?: boolean; quiet?: boolean },
        cmd: Command,
      ) => {
        const { stack } = await loadProject(cmd);
        checkServiceNames(stack, services);
        const runtime = await runtimeFromEnv();
        const bus = new EventBus();
        const stopProgress = opts.quiet ? () => {} : printProgress(bus);
        const offProgress = opts.quiet
          ? () => {}
          : bus.subscribe((e) => {
              if (e.kind === 'image.progress') process.stderr.write(`${e.service}  | ${e.message}\n`);
            });
        const names = services.length > 0 ? services : Object.keys(stack.services);
        const targets = names.map((n) => stack.services[n]).filter((s) => s?.build !== undefined);
        try {
          for (const s of targets) {
            if (!s?.build) continue;
            const spec = {
              ...s,
              build: {
                ...s.build,
                no_cache: opts.cache === false || s.build.no_cache,
                pull: opts.pull || s.build.pull,
              },
            };
            try {
              await buildService(runtime, stack, spec, { bus });
            } catch (err) {
              throw new EngineError(`service ${s.name}: build failed: ${(err as Error).message}`);
            }
          }
        } finally {
          offProgress();
          stopProgress();
        }
      },
    );
}
