import type { Command } from 'commander';
import { commandName } from '../command-name.js';
import { addDryRunOption } from '../globals.js';

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
  push: async () => (await import('./push.js')).registerPush,
  watch: async () => (await import('./watch.js')).registerWatch,
  ps: async () => (await import('./ps.js')).registerPs,
  logs: async () => (await import('./logs.js')).registerLogs,
  exec: async () => (await import('./exec.js')).registerExec,
  attach: async () => (await import('./attach.js')).registerAttach,
  port: async () => (await import('./port.js')).registerPort,
  images: async () => (await import('./images.js')).registerImages,
  ls: async () => (await import('./ls.js')).registerLs,
  ui: async () => (await import('./ui.js')).registerUi,
  top: async () => (await import('./top.js')).registerTop,
  scale: async () => (await import('./scale.js')).registerScale,
  cp: async () => (await import('./cp.js')).registerCp,
  create: async () => (await import('./create.js')).registerCreate,
  events: async () => (await import('./events.js')).registerEvents,
  kill: async () => (await import('./kill.js')).registerKill,
  pause: async () => (await import('./pause.js')).registerPause,
  unpause: async () => (await import('./pause.js')).registerUnpause,
  stats: async () => (await import('./stats.js')).registerStats,
  version: async () => (await import('./version.js')).registerVersion,
  wait: async () => (await import('./wait.js')).registerWait,
  __supervise: async () => (await import('./supervise.js')).registerSupervise,
};

/** Adds the command being run to the program, or every command when none (or an unknown one) is named, for help. */
export async function registerCommands(program: Command, argv: readonly string[]): Promise<void> {
  const name = commandName(argv);
  // `tsstack --version` needs no command at all.
  if (name === undefined && (argv.includes('-v') || argv.includes('--version'))) return;
  // Hidden commands (`__supervise`) are registered only when named, so `--help` does not list them.
  const loaders =
    name !== undefined && COMMANDS[name]
      ? [COMMANDS[name]]
      : Object.entries(COMMANDS)
          .filter(([n]) => !n.startsWith('__'))
          .map(([, load]) => load);
  for (const register of await Promise.all(loaders.map((load) => load()))) register(program);
  addDryRunOption(program);
}
