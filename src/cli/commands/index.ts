import type { Command } from 'commander';

type Register = (program: Command) => void;

/**
 * Every subcommand, each in its own file, loaded only when it runs: importing all of them (ink, react,
 * dockerode, kubernetes-models) costs most of a second, which a no-op `up` or `config -q` must not pay.
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  config: async () => (await import('./config.js')).registerConfig,
  export: async () => (await import('./export.js')).registerExport,
  up: async () => (await import('./up.js')).registerUp,
  down: async () => (await import('./down.js')).registerDown,
  start: async () => (await import('./start.js')).registerStart,
  stop: async () => (await import('./stop.js')).registerStop,
  restart: async () => (await import('./restart.js')).registerRestart,
  rm: async () => (await import('./rm.js')).registerRm,
  run: async () => (await import('./run.js')).registerRun,
  build: async () => (await import('./build.js')).registerBuild,
  pull: async () => (await import('./pull.js')).registerPull,
  watch: async () => (await import('./watch.js')).registerWatch,
  ps: async () => (await import('./ps.js')).registerPs,
  logs: async () => (await import('./logs.js')).registerLogs,
  exec: async () => (await import('./exec.js')).registerExec,
  port: async () => (await import('./port.js')).registerPort,
  images: async () => (await import('./images.js')).registerImages,
  ls: async () => (await import('./ls.js')).registerLs,
  top: async () => (await import('./top.js')).registerTop,
  scale: async () => (await import('./scale.js')).registerScale,
  __supervise: async () => (await import('./supervise.js')).registerSupervise,
};

const ALIASES: Record<string, string> = { attach: 'top' };

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
    return ALIASES[arg] ?? arg;
  }
  return undefined;
}

/** Adds the command being run to the program, or every command when none (or an unknown one) is named, for help. */
export async function registerCommands(program: Command, argv: readonly string[]): Promise<void> {
  const name = commandName(argv);
  // `tsstack --version` needs no command at all.
  if (name === undefined && (argv.includes('-v') || argv.includes('--version'))) return;
  const loaders =
    name !== undefined && COMMANDS[name]
      ? [COMMANDS[name]]
      : Object.entries(COMMANDS)
          .filter(([n]) => !n.startsWith('__'))
          .map(([, load]) => load);
  for (const register of await Promise.all(loaders.map((load) => load()))) register(program);
}
