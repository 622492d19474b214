import type { Command } from 'commander';
import { EventBus } from '../../events/bus.js';
import { EngineError } from '../../core/errors.js';
import { selectServices } from '../../reconciler/converge.js';
import { pushServices, pushTargets } from '../../reconciler/push.js';
import { runtimeFromEnv } from '../../session/project.js';
import { loadProject } from '../context.js';
import { printProgress } from '../../session/progress.js';

/**
 * `tsstack push [--ignore-push-failures] [--include-deps] [-q] [SERVICE...]`: push the images of services
 * that build and name an `image:`, with the registry credentials of the Docker config.
 */
export function registerPush(program: Command): void {
  program
    .command('push')
    .description('push service images to their registries')
    .argument('[services...]', 'only these services')
    .option('--ignore-push-failures', 'push what can be pushed and report the rest as warnings')
    .option('--include-deps', 'also push the images of the services the named ones depend on')
    .option('-q, --quiet', 'print nothing but errors')
    .action(
      async (
        services: string[],
        opts: { ignorePushFailures?: boolean; includeDeps?: boolean; quiet?: boolean },
        cmd: Command,
      ) => {
        const { stack } = await loadProject(cmd);
        const specs = selectServices(stack, services, opts.includeDeps);
        if (pushTargets(specs).length === 0) {
          if (!opts.quiet)
            process.stderr.write('nothing to push: no selected service both builds and names an image\n');
          return;
        }
        const runtime = await runtimeFromEnv();
        const bus = new EventBus();
        const stop = opts.quiet ? () => {} : printProgress(bus);
        let failures: string[];
        try {
          failures = await pushServices(runtime, specs, { bus });
        } finally {
          stop();
        }
        if (failures.length === 0) return;
        if (opts.ignorePushFailures) for (const f of failures) process.stderr.write(`warning: ${f}\n`);
        else throw new EngineError(failures.join('\n'));
      },
    );
}
