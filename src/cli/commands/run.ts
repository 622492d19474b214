import type { Command } from 'commander';
import { EventBus } from '../../events/bus.js';
import { UsageError } from '../../core/errors.js';
import { applyPlan, throwIfFailed } from '../../scheduler/apply.js';
import { checkServiceNames, converge } from '../../reconciler/converge.js';
import { processesFor, refuseHostProcess } from '../../session/processes.js';
import { desired } from '../../reconciler/desired.js';
import { ensureImages } from '../../reconciler/images.js';
import { observe } from '../../reconciler/observe.js';
import { oneOffContainer, planOneOff } from '../../reconciler/oneoff.js';
import { attachLogs } from '../../session/attach-logs.js';
import { runtimeFromEnv } from '../../session/project.js';
import { loadProject, lockForCommand } from '../context.js';
import { printProgress } from '../../session/progress.js';

interface RunOptions {
  rm?: boolean;
  detach?: boolean;
  deps?: boolean;
  env: string[];
  name?: string;
  user?: string;
  workdir?: string;
  entrypoint?: string;
  servicePorts?: boolean;
  T?: boolean;
}

/**
 * `tsstack run [--rm] [-d] [--no-deps] [-e K=V] [--name N] [-u U] [-w DIR] [--entrypoint E] SERVICE [CMD...]`
 * Starts the service's dependencies, runs a one-off container, streams its output, and exits with its code.
 * Standard input is not attached (the Runtime has no attach call yet).
 */
export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run a one-off command in a new container of a service')
    .argument('<service>', 'the service')
    .argument('[command...]', 'command and arguments (default: the service command)')
    .option('--rm', 'remove the container when it exits')
    .option('-d, --detach', 'run in the background and print the container name')
    .option('--no-deps', 'do not start the dependencies')
    .option(
      '-e, --env <KEY=VALUE>',
      'set an environment variable (repeatable)',
      (v: string, p: string[]) => [...p, v],
      [],
    )
    .option('--name <name>', 'container name')
    .option('-u, --user <user>', 'run as this user')
    .option('-w, --workdir <dir>', 'working directory inside the container')
    .option('--entrypoint <cmd>', 'override the entrypoint')
    .option('--service-ports', "publish the service's ports")
    .option('-T, --no-TTY', 'accepted for Compose compatibility (no TTY is ever allocated)')
    .passThroughOptions()
    .action(async (service: string, command: string[], opts: RunOptions, cmd: Command) => {
      const { stack } = await loadProject(cmd);
      checkServiceNames(stack, [service]);
      refuseHostProcess(stack, service, 'run');
      for (const e of opts.env)
        if (!e.includes('=')) throw new UsageError(`-e expects KEY=VALUE, not "${e}"`);
      const runtime = await runtimeFromEnv();
      const bus = new EventBus();
      const stopProgress = printProgress(bus);
      let name: string;
      try {
        const base = desired(stack);
        const deps = Object.keys(base.services[service]?.dependsOn ?? {});
        if (opts.deps !== false && deps.length > 0) {
          const unlock = await lockForCommand(cmd, stack.name);
          const access = await processesFor(stack, { supervise: true });
          try {
            await converge(runtime, stack, { services: deps, bus, processes: access?.host });
          } finally {
            access?.close();
            unlock();
          }
        }
        const imageIds = await ensureImages(runtime, stack, [service], { bus });
        const c = oneOffContainer(
          stack,
          stack.services[service] as NonNullable<(typeof stack.services)[string]>,
          {
            command: command.length > 0 ? command : undefined,
            entrypoint: opts.entrypoint ? [opts.entrypoint] : undefined,
            env: opts.env,
            user: opts.user,
            workdir: opts.workdir,
            name: opts.name,
            servicePorts: opts.servicePorts,
            imageId: imageIds[service],
          },
        );
        name = c.name;
        const plan = planOneOff(desired(stack, { imageIds }), await observe(runtime, stack.name), c);
        throwIfFailed(await applyPlan(runtime, plan, { bus }));
      } finally {
        stopProgress();
      }
      if (opts.detach) {
        process.stdout.write(`${name}\n`);
        return;
      }
      const follow = new AbortController();
      const onSignal = (): void => void runtime.stopContainer(name, 10).catch(() => {});
      process.on('SIGINT', onSignal);
      try {
        const [code] = await Promise.all([
          runtime.waitContainer(name),
          attachLogs(runtime, [{ id: name, service, replica: 0 }], {
            signal: follow.signal,
            color: false,
            raw: true,
          }),
        ]);
        process.exitCode = code;
      } finally {
        process.off('SIGINT', onSignal);
        follow.abort();
        if (opts.rm) await runtime.removeContainer(name, { force: true, volumes: true });
      }
    });
}
