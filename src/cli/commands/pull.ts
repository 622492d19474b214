import type { Command } from 'commander';
import { EventBus } from '../../events/bus.js';
import { EngineError } from '../../core/errors.js';
import { checkServiceNames } from '../../reconciler/converge.js';
import { serviceImage } from '../../reconciler/desired.js';
import { pullService } from '../../reconciler/images.js';
import { runtimeFromEnv } from '../../session/project.js';
import { isDryRun, loadProject } from '../context.js';
import { printProgress } from '../../session/progress.js';

/** `tsstack pull [--ignore-pull-failures] [SERVICE...]`: pull the images of services that name one. */
export function registerPull(program: Command): void {
  program
    .command('pull')
    .description('pull service images')
    .argument('[services...]', 'only these services')
    .option('--ignore-pull-failures', 'pull what can be pulled and ignore the rest')
    .option('--dry-run', 'print what would be pulled and pull nothing')
    .action(async (services: string[], opts: { ignorePullFailures?: boolean }, cmd: Command) => {
      const { stack } = await loadProject(cmd);
      checkServiceNames(stack, services);
      if (isDryRun(cmd)) {
        const names = services.length > 0 ? services : Object.keys(stack.services);
        for (const s of names.map((n) => stack.services[n]!).filter((x) => x.image !== undefined))
          process.stdout.write(`pull image ${serviceImage(stack, s)} (service ${s.name})\n`);
        return;
      }
      const runtime = await runtimeFromEnv();
      const bus = new EventBus();
      const stop = printProgress(bus);
      const names = services.length > 0 ? services : Object.keys(stack.services);
      // Services that only build have nothing to pull (Compose skips them too).
      const targets = names.map((n) => stack.services[n]).filter((s) => s?.image !== undefined);
      const failures: string[] = [];
      try {
        await Promise.all(
          targets.map(async (s) => {
            if (!s) return;
            try {
              await pullService(runtime, stack, s, { bus });
            } catch (err) {
              failures.push(
                `service ${s.name}: pulling ${serviceImage(stack, s)} failed: ${(err as Error).message}`,
              );
            }
          }),
        );
      } finally {
        stop();
      }
      if (failures.length === 0) return;
      if (opts.ignorePullFailures) for (const f of failures) process.stderr.write(`warning: ${f}\n`);
      else throw new EngineError(failures.sort().join('\n'));
    });
}
