import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { runUp } from '../../session/up.js';
import { globalOptions, isDryRun } from '../context.js';
import {
  collect,
  noPrefixedValueOption,
  parseLogFormat,
  parsePositive,
  parseTimeout,
  parseUpPull,
} from '../options.js';
type UpOptions = Record<string, unknown> & {
  attach: string[];
  noAttach: string[];
  scale: string[];
};

/** Flag combinations Compose refuses. */
function checkCombinations(o: UpOptions): void {
  const both = (a: unknown, b: unknown, text: string) => {
    if (a && b) throw new UsageError(text);
  };
  both(o.detach, o.abortOnContainerExit, '--abort-on-container-exit and -d cannot be combined');
  both(o.detach, o.exitCodeFrom, '--exit-code-from and -d cannot be combined');
  both(o.forceRecreate, o.recreate === false, '--force-recreate and --no-recreate cannot be combined');
  both(
    o.alwaysRecreateDeps,
    o.recreate === false,
    '--always-recreate-deps and --no-recreate cannot be combined',
  );
  both(o.attach.length > 0, o.attachDependencies, '--attach and --attach-dependencies cannot be combined');
}

/** `tsstack up [options] [SERVICE...]`: create and start the stack, attached (live UI or log lines) or with -d. */
export function registerUp(program: Command): void {
  program
    .command('up')
    .description('create and start the stack (attached: follow logs until Ctrl-C, then stop)')
    .argument('[services...]', 'only these services (and their dependencies)')
    .option('-d, --detach', 'run in the background')
    .option('--build', 'build images before starting')
    .option('--no-build', 'do not build missing images')
    .option('--pull <policy>', 'pull images: always, missing, never or build (overrides pull_policy)')
    .option('--quiet-pull', 'pull without printing progress')
    .option('--force-recreate', 'recreate the named services even if unchanged')
    .option('--always-recreate-deps', 'recreate the dependencies of the named services even if unchanged')
    .option('--no-recreate', 'do not recreate existing containers')
    .option('--no-deps', 'do not start the services the named ones depend on')
    .option('--remove-orphans', 'remove containers of services not in the stack')
    .option('--no-start', 'create but do not start')
    .option(
      '-V, --renew-anon-volumes',
      'fresh anonymous volumes (tsstack never reuses a replaced container’s)',
    )
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
    .option('--attach <service>', 'print only these services’ log lines (repeatable)', collect, [])
    .addOption(
      noPrefixedValueOption('--no-attach <service>', 'do not print this service’s log lines (repeatable)'),
    )
    .option('--attach-dependencies', 'also print the log lines of the services the named ones depend on')
    .option('--no-log-prefix', 'log lines without the `web-1  | ` prefix')
    .option('--timestamps', 'log lines with their time')
    .option('--no-color', 'log lines without colour')
    .option('--menu', 'accepted: the live UI always shows its key menu')
    .option(
      '--exit-code-from <service>',
      "return this service's exit code (implies --abort-on-container-exit)",
    )
    .option('--abort-on-container-exit', 'stop the stack when any container exits')
    .option('--target <target>', 'local (default) or swarm: deploy as Docker Swarm services')
    .action(async (services: string[], raw: UpOptions, cmd: Command) => {
      checkCombinations(raw);
      const dryRun = isDryRun(cmd);
      const str = (k: string) => raw[k] as string | undefined;
      if (raw.target !== undefined && raw.target !== 'local') {
        const target = await import('../../session/swarm-target.js');
        target.isSwarmTarget(raw.target);
        return target.swarmUp(globalOptions(cmd), {
          detach: raw.detach === true,
          headless: raw.headless === true,
          logFormat: parseLogFormat(str('logFormat')),
          dryRun,
          removeOrphans: raw.removeOrphans === true,
          wait: raw.wait === true,
          waitTimeout: parseTimeout(str('waitTimeout')),
          scale: raw.scale,
        });
      }
      process.exitCode = await runUp({
        project: globalOptions(cmd),
        services,
        detach: raw.detach === true,
        // Commander maps --no-build to build=false; --build sets it true; neither leaves it undefined.
        build: raw.build === true ? 'always' : raw.build === false ? 'never' : undefined,
        pull: parseUpPull(raw.pull as string | undefined),
        quietPull: raw.quietPull === true,
        forceRecreate: raw.forceRecreate === true,
        alwaysRecreateDeps: raw.alwaysRecreateDeps === true,
        noRecreate: raw.recreate === false,
        noDeps: raw.deps === false,
        removeOrphans: raw.removeOrphans === true,
        noStart: raw.start === false,
        timeout: parseTimeout(str('timeout')),
        dryRun,
        wait: raw.wait === true,
        waitTimeout: parseTimeout(str('waitTimeout')),
        concurrency: parsePositive('--parallel', str('parallel')),
        scale: raw.scale,
        watch: raw.watch === true,
        headless: raw.headless === true,
        logFormat: parseLogFormat(str('logFormat')),
        exitCodeFrom: str('exitCodeFrom'),
        abortOnContainerExit: raw.abortOnContainerExit === true,
        attach: raw.attach,
        noAttach: raw.noAttach,
        attachDependencies: raw.attachDependencies === true,
        noLogPrefix: raw.logPrefix === false,
        timestamps: raw.timestamps === true,
        noColor: raw.color === false,
      });
    });
}
