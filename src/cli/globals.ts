/**
 * Global options that choose output or limits for the whole process (`--ansi`, `--progress`,
 * `--parallel`) become environment variables before any command module loads, and `--dry-run` is refused
 * by commands that cannot honour it.
 */
import type { Command } from 'commander';
import { UsageError } from '../core/errors.js';

/** Commands whose `--dry-run` prints the plan (or the copies) and changes nothing. */
const PLANNED = new Set([
  'up',
  'create',
  'down',
  'start',
  'stop',
  'restart',
  'rm',
  'kill',
  'pause',
  'unpause',
  'scale',
  'cp',
  'build',
  'pull',
  'wait',
  'watch',
]);
/** Commands that change nothing: `--dry-run` leaves them as they are (Compose runs them normally too). */
const READ_ONLY = new Set([
  'config',
  'ps',
  'logs',
  'images',
  'ls',
  'port',
  'top',
  'stats',
  'events',
  'version',
  'export',
  'kubernetes',
]);

/** The value of a global option among the words before the command (`--opt v` or `--opt=v`). */
function valueOf(words: readonly string[], name: string): string | undefined {
  let found: string | undefined;
  words.forEach((w, i) => {
    if (w === name) found = words[i + 1];
    else if (w.startsWith(`${name}=`)) found = w.slice(name.length + 1);
  });
  return found;
}

/** Sets the variables that `--ansi`, `--progress` and `--parallel` stand for (invalid values are left to the parser). */
export function applyGlobalEnv(words: readonly string[], env: Record<string, string | undefined>): void {
  const ansi = valueOf(words, '--ansi');
  if (ansi === 'never') {
    env.NO_COLOR = '1';
    delete env.FORCE_COLOR;
  } else if (ansi === 'always') {
    env.FORCE_COLOR = '1';
    delete env.NO_COLOR;
  }
  const progress = valueOf(words, '--progress');
  if (progress !== undefined && ['auto', 'tty', 'plain', 'quiet'].includes(progress))
    env.TSSTACK_PROGRESS = progress;
  const parallel = valueOf(words, '--parallel');
  if (parallel !== undefined) {
    const n = Number(parallel);
    if (!Number.isInteger(n) || (n < 1 && n !== -1))
      throw new UsageError(
        `--parallel must be a whole number above 0, or -1 for no limit, not "${parallel}"`,
      );
    env.TSSTACK_PARALLEL = String(n);
  }
}

/** Before a command runs: `--dry-run` (global or its own) on a command that would change things without honouring it is refused. */
export function guardDryRun(action: Command): void {
  const dry = (action.optsWithGlobals() as { dryRun?: boolean }).dryRun === true;
  const name = action.name();
  if (dry && !PLANNED.has(name) && !READ_ONLY.has(name))
    throw new UsageError(`tsstack ${name} does not support --dry-run yet`);
}

/** Adds `--dry-run` to every command that does not declare it, so `tsstack COMMAND --dry-run` parses as Compose's does. */
export function addDryRunOption(command: Command): void {
  for (const c of command.commands) {
    if (!c.options.some((o) => o.long === '--dry-run')) c.option('--dry-run', dryRunHelp(c.name()));
    addDryRunOption(c);
  }
}

function dryRunHelp(name: string): string {
  if (PLANNED.has(name)) return 'print what would change and change nothing';
  if (READ_ONLY.has(name)) return 'accepted: this command changes nothing';
  return 'not supported by this command yet (refused)';
}
