import type { Command } from 'commander';
import { EventBus } from '../../events/bus.js';
import { EngineError, UsageError } from '../../core/errors.js';
import { selectServices } from '../../reconciler/converge.js';
import { defaultConcurrency } from '../../scheduler/apply.js';
import { serviceImage } from '../../reconciler/desired.js';
import { limiter, pullService } from '../../reconciler/images.js';
import { decideImage } from '../../reconciler/pull-policy.js';
import { runtimeFromEnv } from '../../session/project.js';
import { isDryRun, loadProject } from '../context.js';
import { printProgress } from '../../session/progress.js';

interface PullOptions {
  ignorePullFailures?: boolean;
  ignoreBuildable?: boolean;
  includeDeps?: boolean;
  policy?: string;
  quiet?: boolean;
}

/**
 * `tsstack pull [--policy always|missing] [--ignore-pull-failures] [--ignore-buildable] [--include-deps]
 * [-q] [SERVICE...]`: pull the images of services that name one, in parallel. A service that can also
 * build its image only warns when the pull fails (it can still be built), as in Compose.
 */
export function registerPull(program: Command): void {
  program
    .command('pull')
    .description('pull service images')
    .argument('[services...]', 'only these services')
    .option('--ignore-pull-failures', 'pull what can be pulled and ignore the rest')
    .option('--ignore-buildable', 'skip services that can build their image')
    .option('--include-deps', 'also pull the images of the services the named ones depend on')
    .option('--policy <policy>', 'always (default) or missing: pull only images not present locally')
    .option('-q, --quiet', 'print nothing but errors')
    .option('--dry-run', 'print what would be pulled and pull nothing')
    .action(async (services: string[], opts: PullOptions, cmd: Command) => {
      const policy = opts.policy ?? 'always';
      if (policy !== 'always' && policy !== 'missing')
        throw new UsageError(`--policy must be always or missing, not "${policy}"`);
      const { stack } = await loadProject(cmd);
      // Services that only build have nothing to pull (Compose skips them too).
      const targets = selectServices(stack, services, opts.includeDeps).filter(
        (s) => s.image !== undefined && !(opts.ignoreBuildable && s.build),
      );
      if (isDryRun(cmd)) {
        for (const s of targets)
          process.stdout.write(`pull image ${serviceImage(stack, s)} (service ${s.name})\n`);
        return;
      }
      const runtime = await runtimeFromEnv();
      const bus = new EventBus();
      const stop = opts.quiet ? () => {} : printProgress(bus);
      const failures: string[] = [];
      const warnings: string[] = [];
      const run = limiter(defaultConcurrency());
      const byRef = new Map<string, Promise<unknown>>();
      try {
        await Promise.all(
          targets.map(async (s) => {
            const ref = serviceImage(stack, s);
            if (policy === 'missing') {
              const present = await runtime.inspectImage(ref);
              if (decideImage({ ...s, build: undefined }, present, { pull: 'missing' }, Date.now()) === 'use')
                return;
            }
            let p = byRef.get(ref);
            if (!p) {
              p = run(() => pullService(runtime, stack, s, { bus }));
              byRef.set(ref, p);
            }
            try {
              await p;
            } catch (err) {
              const line = `service ${s.name}: pulling ${ref} failed: ${(err as Error).message}`;
              (s.build ? warnings : failures).push(s.build ? `${line} (it can be built)` : line);
            }
          }),
        );
      } finally {
        stop();
      }
      for (const w of warnings.sort()) process.stderr.write(`warning: ${w}\n`);
      if (failures.length === 0) return;
      if (opts.ignorePullFailures) for (const f of failures.sort()) process.stderr.write(`warning: ${f}\n`);
      else throw new EngineError(failures.sort().join('\n'));
    });
}
