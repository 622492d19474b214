import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { detachKeysFor } from '../../session/detach-keys.js';
import {
  decideTty,
  parseEntrypoint,
  parseLabelFlags,
  parsePublishFlags,
  parseVolumeFlags,
  withDeclaredVolumes,
  resolveEnvFlags,
} from '../../session/interactive-flags.js';
import { runOneOff, type PullPolicy } from '../../session/run-oneoff.js';
import { requireServices } from '../../spec/no-services.js';
import { globalOptions, loadProject } from '../context.js';
import { collect } from '../options.js';

interface RunOptions {
  build?: boolean;
  capAdd: string[];
  capDrop: string[];
  detach?: boolean;
  entrypoint?: string;
  env: string[];
  interactive?: boolean;
  label: string[];
  name?: string;
  tty?: boolean;
  /** False with -T/--no-TTY. */
  TTY: boolean;
  deps: boolean;
  publish: string[];
  pull?: string;
  quietPull?: boolean;
  removeOrphans?: boolean;
  rm?: boolean;
  servicePorts?: boolean;
  useAliases?: boolean;
  user?: string;
  volume: string[];
  workdir?: string;
  detachKeys?: string;
}

const PULL = ['always', 'missing', 'never', 'build'];

/** `tsstack run [OPTIONS] SERVICE [COMMAND] [ARGS...]`: `docker compose run`'s flags and meanings. */
export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run a one-off command in a new container of a service')
    .argument('<service>', 'the service')
    .argument('[command...]', 'command and arguments (default: the service command)')
    .option('--build', 'build the image before starting the container')
    .option('--cap-add <cap>', 'add a Linux capability (repeatable)', collect, [])
    .option('--cap-drop <cap>', 'drop a Linux capability (repeatable)', collect, [])
    .option('-d, --detach', 'run in the background and print the container ID')
    .option('--entrypoint <cmd>', "override the image's entrypoint (split into words like a shell)")
    .option(
      '-e, --env <KEY[=VALUE]>',
      'set an environment variable (repeatable; KEY alone passes yours)',
      collect,
      [],
    )
    .option('-i, --interactive', 'keep stdin open and attach it (always on, as in Compose)')
    .option('-l, --label <KEY=VALUE>', 'add or override a label (repeatable)', collect, [])
    .option('--name <name>', 'container name')
    .option('-t, --tty', 'allocate a TTY (default: when stdin and stdout are terminals)')
    .option('-T, --no-TTY', 'do not allocate a TTY')
    .option('--no-deps', 'do not start the dependencies')
    .option('-p, --publish <[IP:][HOST:]CONTAINER>', "publish a container's port (repeatable)", collect, [])
    .option('--pull <policy>', "always, missing, never or build (default: the service's pull_policy)")
    .option('--quiet-pull', 'no lines about image pulls')
    .option('--remove-orphans', 'remove containers of services not in the stack')
    .option('--rm', 'remove the container when it exits')
    .option('-P, --service-ports', "publish the service's ports")
    .option('--use-aliases', "answer to the service's network aliases too")
    .option('-u, --user <user>', 'run as this user or uid')
    .option('-v, --volume <[SRC:]DST[:MODE]>', 'mount a volume or host path (repeatable)', collect, [])
    .option('-w, --workdir <dir>', 'working directory inside the container')
    .option('--detach-keys <keys>', 'keys that detach from a TTY session (default ctrl-p,ctrl-q)')
    .passThroughOptions()
    .action(async (service: string, command: string[], opts: RunOptions, cmd: Command) => {
      // Every flag is checked before the stack is loaded or anything is created.
      if (opts.publish.length > 0 && opts.servicePorts)
        throw new UsageError('--service-ports and --publish are incompatible');
      if (opts.pull !== undefined && !PULL.includes(opts.pull))
        throw new UsageError(`--pull must be always, missing, never or build, not "${opts.pull}"`);
      const detachKeys = detachKeysFor(opts.detachKeys);
      const detach = opts.detach === true;
      const tty = decideTty(
        { tty: opts.tty, noTty: opts.TTY === false },
        { stdin: process.stdin.isTTY === true, stdout: process.stdout.isTTY === true },
        !detach,
      );
      const container = {
        entrypoint: parseEntrypoint(opts.entrypoint),
        env: resolveEnvFlags(opts.env, process.env),
        labels: parseLabelFlags(opts.label),
        publish: opts.publish.length > 0 ? parsePublishFlags(opts.publish) : undefined,
        volumes: parseVolumeFlags(opts.volume, process.cwd()),
        user: opts.user,
        workdir: opts.workdir,
        name: opts.name,
        servicePorts: opts.servicePorts,
        useAliases: opts.useAliases,
        capAdd: opts.capAdd,
        capDrop: opts.capDrop,
      };
      const project = await loadProject(cmd);
      requireServices(project, 'run');
      const stack = withDeclaredVolumes(project, container.volumes);
      process.exitCode = await runOneOff(stack, {
        service,
        command,
        container,
        tty,
        interactive: true,
        detach,
        rm: opts.rm === true,
        deps: opts.deps !== false,
        build: opts.build === true,
        pull: opts.pull as PullPolicy | undefined,
        quietPull: opts.quietPull === true,
        removeOrphans: opts.removeOrphans === true,
        detachKeys,
        lockWait: globalOptions(cmd).lockWait !== false,
      });
    });
}
