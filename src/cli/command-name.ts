/**
 * The subcommand a command line names, found without parsing it: the CLI loads only that command's code,
 * and the launcher keeps a compiled-code cache per command (see code-cache.ts).
 */

/** Compose's other names for commands. */
const ALIASES: Record<string, string> = { convert: 'config' };

/** Global options that take a value, so the command name is the first word that is not one of them. */
const GLOBAL_WITH_VALUE = new Set([
  '-f',
  '--file',
  '-p',
  '--project-name',
  '--project-directory',
  '--env-file',
  '--profile',
  '--ansi',
  '--progress',
  '--parallel',
]);

/** Where the subcommand's name is in argv (as process.argv: node, script, ...), if there is one. */
export function commandPosition(argv: readonly string[]): number | undefined {
  for (let i = 2; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') return undefined;
    if (GLOBAL_WITH_VALUE.has(arg)) {
      i++;
      continue;
    }
    if (arg.startsWith('-')) continue;
    return i;
  }
  return undefined;
}

/** The subcommand named on the command line, if any (an alias gives the command it stands for). */
export function commandName(argv: readonly string[]): string | undefined {
  const at = commandPosition(argv);
  const arg = at === undefined ? undefined : argv[at];
  return arg === undefined ? undefined : (ALIASES[arg] ?? arg);
}
