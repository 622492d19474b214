import { Command, CommanderError } from 'commander';
import { TsstackError } from '../core/errors.js';
import { VERSION } from '../core/version.js';
import { registerCommands } from './commands/index.js';

/** Builds the command tree. Global options come before the command, as in Compose: `tsstack -f a.yml -p demo up`. */
export async function buildProgram(argv: readonly string[]): Promise<Command> {
  const program = new Command('tsstack')
    .description('Declarative multi-container orchestrator: Compose-compatible stacks on Docker Engine.')
    .version(VERSION, '-v, --version', 'print the version')
    .option('-f, --file <path>', 'stack file (repeatable; "-" reads stdin)', collect, [])
    .option('-p, --project-name <name>', 'project name')
    .option('--project-directory <dir>', 'folder that relative paths resolve against')
    .option('--env-file <path>', 'environment file (repeatable)', collect, [])
    .option('--profile <name>', 'enable a profile (repeatable)', collect, [])
    .option('--debug', 'show stack traces for errors')
    .option('--no-lock-wait', 'exit at once when another tsstack command holds the project lock')
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  await registerCommands(program, argv);
  return program;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Runs the CLI and returns the exit code; user errors are printed without a stack trace. */
export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug');
  try {
    const program = await buildProgram(argv);
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    return reportError(err, debug);
  }
}

function reportError(err: unknown, debug: boolean): number {
  if (err instanceof CommanderError) {
    // Commander already printed its message; help and version exit 0.
    if (
      err.code === 'commander.helpDisplayed' ||
      err.code === 'commander.version' ||
      err.code === 'commander.help'
    )
      return 0;
    return err.exitCode === 0 ? 0 : 2;
  }
  if (err instanceof TsstackError) {
    process.stderr.write(`${err.message}\n`);
    if (debug && err.stack) process.stderr.write(`${err.stack}\n`);
    return err.exitCode;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  process.stderr.write(`tsstack: internal error: ${e.message}\n`);
  if (debug && e.stack) process.stderr.write(`${e.stack}\n`);
  else process.stderr.write('(run again with --debug for the stack trace)\n');
  return 1;
}
