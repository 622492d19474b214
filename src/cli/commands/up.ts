import type { Command } from 'commander';
import { runUp } from '../../session/up.js';
import { globalOptions } from '../context.js';
import { collect, parseLogFormat, parsePositive, parseTimeout, parseUpPull } from '../options.js';

interface UpOptions {
  detach?: boolean;
  pull?: string;
  build?: boolean;
  noBuild?: boolean;
  forceRecreate?: boolean;
  noRecreate?: boolean;
  removeOrphans?: boolean;
  start?: boolean;
  timeout?: string;
  dryRun?: boolean;
  wait?: boolean;
  waitTimeout?: string;
  parallel?: string;
  scale?: string[];
  watch?: boolean;
  headless?: boolean;
  logFormat?: string;
  exitCodeFrom?: string;
  abortOnContainerExit?: boolean;
}

/** `tsstack up [-d] [--build|--no-build] [--force-recreate|--no-recreate] [--remove-orphans] [--no-start] [-t N] [--dry-run] [SERVICE...]` */
export function registerUp(program: Command): void {
  program
    .command('up')
    .description('create and start the stack (attached: follow logs until Ctrl-C, then stop)')
    .argument('[services...]', 'only these services (and their dependencies)')
    .option('-d, --detach', 'run in the background')
    .option('--build', 'build images before starting')
    .option('--no-build', 'do not build missing images')
    .option('--pull <policy>', 'pull images: always, missing, never or build (overrides pull_policy)')
    .option('--force-recreate', 'recreate containers even if unchanged')
    .option('--no-recreate', 'do not recreate existing containers')
    .option('--remove-orphans', 'remove containers of services not in the stack')
    .option('--no-start', 'create but do not start')
    .option('-t, --timeout <seconds>', 'stop timeout for containers being replaced or stopped')
    .option('--dry-run', 'print the plan and change nothing')
    .option('--wait', 'return once every service is running and healthy (or completed); implies -d')
    .option('--wait-timeout <seconds>', 'with --wait: give up after this many seconds')
    .option(
      '--parallel <n>',
      'most engine calls at once (default: TSSTACK_PARALLEL, else 50; stops apart, 50)',
    )
    .option('--scale <service=n>', 'run n replicas of service (repeatable)', collect, [])
    .option('-w, --watch', 'watch the stack files and develop.watch paths and apply each change')
    .option('--headless', 'no live UI: prefixed log lines (the default when stdout is not a terminal)')
    .option('--log-format <format>', 'headless log lines: plain or json', 'plain')
    .option(
      '--exit-code-from <service>',
      "return this service's exit code (implies --abort-on-container-exit)",
    )
    .option('--abort-on-container-exit', 'stop the stack when any container exits')
    .option('--target <target>', 'local (default) or swarm: deploy as Docker Swarm services')
    .action(async (services: string[], raw: Record<string, unknown>, cmd: Command) => {
      const opts = raw as UpOptions;
      if (raw.target !== undefined && raw.target !== 'local') {
        const target = await import('../../session/swarm-target.js');
        target.isSwarmTarget(raw.target);
        return target.swarmUp(globalOptions(cmd), {
          detach: opts.detach,
          headless: opts.headless,
          logFormat: parseLogFormat(opts.logFormat),
          dryRun: opts.dryRun,
          removeOrphans: opts.removeOrphans,
          wait: opts.wait,
          waitTimeout: parseTimeout(opts.waitTimeout),
          scale: opts.scale,
        });
      }
      process.exitCode = await runUp({
        project: globalOptions(cmd),
        services,
        detach: opts.detach,
        // Commander maps --no-build to build=false; --build sets it true; neither leaves it undefined.
        build: raw.build === true ? 'always' : raw.build === false ? 'never' : undefined,
        pull: parseUpPull(opts.pull),
        forceRecreate: opts.forceRecreate,
        noRecreate: raw.recreate === false,
        removeOrphans: opts.removeOrphans,
        noStart: opts.start === false,
        timeout: parseTimeout(opts.timeout),
        dryRun: opts.dryRun,
        wait: opts.wait,
        waitTimeout: parseTimeout(opts.waitTimeout),
        concurrency: parsePositive('--parallel', opts.parallel),
        scale: opts.scale,
        watch: opts.watch,
        headless: opts.headless,
        logFormat: parseLogFormat(opts.logFormat),
        exitCodeFrom: opts.exitCodeFrom,
        abortOnContainerExit: opts.abortOnContainerExit,
      });
    });
}
