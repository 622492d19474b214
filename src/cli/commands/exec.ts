import { finished } from 'node:stream/promises';
import type { Command } from 'commander';
import { TsstackError, UsageError } from '../../core/errors.js';
import type { ExecSession, Runtime } from '../../runtime/types.js';
import { runtimeFromEnv } from '../../session/project.js';
import { loadProject } from '../context.js';
import { listProjectContainers } from '../../session/project-containers.js';
import { refuseHostProcess } from '../../session/processes.js';

interface ExecOptions {
  /** False with -T/--no-TTY. */
  TTY: boolean;
  env: string[];
  workdir?: string;
  user?: string;
  index: string;
  privileged?: boolean;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Wires the terminal to an exec session and resolves with the command's exit code. */
export async function runInteractive(session: ExecSession, tty: boolean): Promise<number> {
  const stdin = process.stdin;
  session.stdout.pipe(process.stdout, { end: false });
  session.stderr.pipe(process.stderr, { end: false });
  const resize = () => {
    if (process.stdout.rows && process.stdout.columns)
      session.resize(process.stdout.rows, process.stdout.columns).catch(() => undefined);
  };
  if (tty && stdin.isTTY) {
    stdin.setRawMode(true);
    resize();
    process.stdout.on('resize', resize);
  }
  if (session.stdin) stdin.pipe(session.stdin);
  try {
    const code = await session.exitCode;
    await Promise.all([finished(session.stdout), finished(session.stderr)]);
    return code;
  } finally {
    if (session.stdin) stdin.unpipe(session.stdin);
    process.stdout.off('resize', resize);
    if (tty && stdin.isTTY) stdin.setRawMode(false);
    // Stop reading the terminal so the process can exit.
    stdin.pause();
  }
}

/** Finds the running container of `service` with replica `index`. */
export async function execTarget(
  runtime: Runtime,
  cmd: Command,
  service: string,
  index: number,
): Promise<string> {
  const { stack } = await loadProject(cmd, { allowMissing: true });
  refuseHostProcess(stack, service, 'exec');
  // All states, so a stopped service is reported as not running rather than unknown.
  const containers = await listProjectContainers(runtime, stack, { all: true, services: [service] });
  const target = containers.find((c) => c.replica === index && c.summary.state === 'running');
  if (!target) {
    const which = index === 1 ? `service "${service}"` : `replica ${index} of service "${service}"`;
    throw new TsstackError(`${which} is not running`, 1);
  }
  return target.summary.id;
}

/** `tsstack exec [-T] [-e K=V] [-w DIR] [-u USER] [--index N] SERVICE COMMAND [ARGS...]` */
export function registerExec(program: Command): void {
  program
    .command('exec')
    .description('run a command in a running service container')
    .argument('<service>', 'service name')
    .argument('<command...>', 'command and its arguments')
    .option('-T, --no-TTY', 'do not allocate a TTY (the default when stdin is not a terminal)')
    .option('-e, --env <KEY=VALUE>', 'set an environment variable (repeatable)', collect, [])
    .option('-w, --workdir <dir>', 'working directory inside the container')
    .option('-u, --user <user>', 'run as this user')
    .option('--index <n>', 'replica of the service', '1')
    .option('--privileged', 'give extended privileges to the command')
    .passThroughOptions()
    .action(async (service: string, command: string[], opts: ExecOptions, cmd: Command) => {
      const index = Number(opts.index);
      if (!Number.isInteger(index) || index < 1)
        throw new UsageError(`--index must be 1 or more, not "${opts.index}"`);
      for (const e of opts.env)
        if (!e.includes('=') && process.env[e] === undefined)
          throw new UsageError(`-e ${e}: expected KEY=VALUE`);
      const runtime = await runtimeFromEnv();
      const id = await execTarget(runtime, cmd, service, index);
      const tty = opts.TTY !== false && process.stdin.isTTY === true;
      const session = await runtime.exec(id, {
        cmd: command,
        // `-e KEY` passes the variable from our environment, as docker does.
        env: opts.env.map((e) => (e.includes('=') ? e : `${e}=${process.env[e] ?? ''}`)),
        workingDir: opts.workdir,
        user: opts.user,
        privileged: opts.privileged ?? false,
        tty,
        stdin: true,
      });
      process.exitCode = await runInteractive(session, tty);
    });
}
