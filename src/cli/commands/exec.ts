import type { Command } from 'commander';
import { detachKeysFor } from '../../session/detach-keys.js';
import { execInService } from '../../session/exec-service.js';
import { decideTty, resolveEnvFlags } from '../../session/interactive-flags.js';
import { parseIndex } from '../../session/service-container.js';
import { loadProject } from '../context.js';
import { collect } from '../options.js';

interface ExecOptions {
  detach?: boolean;
  env: string[];
  index?: string;
  interactive?: boolean;
  privileged?: boolean;
  tty?: boolean;
  /** False with -T/--no-TTY. */
  TTY: boolean;
  user?: string;
  workdir?: string;
  detachKeys?: string;
}

/** `tsstack exec [OPTIONS] SERVICE COMMAND [ARGS...]`: `docker compose exec`'s flags and meanings. */
export function registerExec(program: Command): void {
  program
    .command('exec')
    .description('run a command in a running service container')
    .argument('<service>', 'service name')
    .argument('<command...>', 'command and its arguments')
    .option('-d, --detach', 'run the command in the background')
    .option(
      '-e, --env <KEY[=VALUE]>',
      'set an environment variable (repeatable; KEY alone passes yours)',
      collect,
      [],
    )
    .option('--index <n>', 'replica of the service (default 1)')
    .option('-i, --interactive', 'keep stdin open and attach it (always on, as in Compose)')
    .option('--privileged', 'give extended privileges to the command')
    .option('-t, --tty', 'allocate a TTY (default: when stdin and stdout are terminals)')
    .option('-T, --no-TTY', 'do not allocate a TTY')
    .option('-u, --user <user>', 'run as this user or uid')
    .option('-w, --workdir <dir>', 'working directory inside the container')
    .option('--detach-keys <keys>', 'keys that detach from a TTY session (default ctrl-p,ctrl-q)')
    .passThroughOptions()
    .action(async (service: string, command: string[], opts: ExecOptions, cmd: Command) => {
      const index = parseIndex(opts.index);
      const detachKeys = detachKeysFor(opts.detachKeys);
      const detach = opts.detach === true;
      const tty = decideTty(
        { tty: opts.tty, noTty: opts.TTY === false },
        { stdin: process.stdin.isTTY === true, stdout: process.stdout.isTTY === true },
        !detach,
      );
      const env = resolveEnvFlags(opts.env, process.env);
      const { stack } = await loadProject(cmd, { allowMissing: true });
      process.exitCode = await execInService(stack, {
        service,
        index,
        command,
        env,
        workdir: opts.workdir,
        user: opts.user,
        privileged: opts.privileged === true,
        tty,
        detach,
        detachKeys,
      });
    });
}
