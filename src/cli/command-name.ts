/**
 * The subcommand a command line names, found without parsing it: the CLI loads only that command's code,
 * and the launcher keeps a compiled-code cache per command (see code-cache.ts).
 */

/** Global options that take a value, so the command name is the first word that is not one of them. */
const GLOBAL_WITH_VALUE = new Set([
  '-f',
  '--file',
  '-p',
  '--project-name',
  '--project-directory',
  '--env-file',
  '--profile',
]);

/** The subcommand named on the command line, if any (argv as process.argv: node, script, ...). */
export function commandName(argv: readonly string[]): string | undefined {
  for (let i = 2; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') return undefined;
    if (GLOBAL_WITH_VALUE.has(arg)) {
      i++;
      continue;
    }
    if (arg.startsWith('-')) continue;
    return arg;
  }
  return undefined;
}
