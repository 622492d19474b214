import { Command, CommanderError, Option } from 'commander';
import { TsstackError } from '../core/errors.js';
import { restoreExtraCaCerts } from '../core/extra-ca.js';
import { VERSION } from '../core/version.js';
import { commandPosition } from './command-name.js';
import { registerCommands } from './commands/index.js';
import { applyGlobalEnv, guardDryRun } from './globals.js';
import { collect } from './options.js';

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
    .option('--dry-run', 'print what would change (the plan) and change nothing')
    .addOption(
      new Option('--ansi <when>', 'when to print ANSI colour codes')
        .choices(['never', 'always', 'auto'])
        .default('auto'),
    )
    .addOption(
      new Option('--progress <type>', 'progress lines: quiet prints none').choices([
        'auto',
        'tty',
        'plain',
        'quiet',
      ]),
    )
    .option('--parallel <n>', 'most engine calls at once, -1 for no limit (sets TSSTACK_PARALLEL)')
    .option('--compatibility', 'name containers <project>_<service>_<n>, as Compose v1 did')
    .option('--all-resources', 'also create networks and volumes that no service uses')
    .option('--debug', 'show stack traces for errors')
    .option('--no-lock-wait', 'exit at once when another tsstack command holds the project lock')
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  program.hook('preAction', (_program, action) => guardDryRun(action));
  await registerCommands(program, argv);
  return program;
}

/** Runs the CLI and returns the exit code; user errors are printed without a stack trace. */
export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug');
  // Before anything reads or copies the environment (bin/tsstack moved it aside for Node's start).
  restoreExtraCaCerts();
  try {
    // Before any command module loads: colour support is decided when picocolors is imported.
    applyGlobalEnv(argv.slice(0, commandIndex(argv)), process.env);
    const program = await buildProgram(argv);
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    return reportError(err, debug);
  }
}

/** Where the command name sits in argv (argv.length when there is none). */
function commandIndex(argv: readonly string[]): number {
  return commandPosition(argv) ?? argv.length;
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
