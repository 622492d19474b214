/** What a command reads from the command line before it calls a session: the global options, the project, the lock. */
import type { Command } from 'commander';
import type { LoadedStack } from '../spec/index.js';
import type { Target } from '../spec/types.js';
import { lockProject } from '../session/lock.js';
import {
  loadProject as loadProjectFrom,
  loadProjectAndConnect as loadAndConnect,
  type GlobalOptions,
} from '../session/project.js';
import type { Runtime } from '../runtime/types.js';

/** The global options (they come before the command name). */
export function globalOptions(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals<GlobalOptions>();
}

/** Loads the stack the global options name (see session/project.ts). */
export function loadProject(
  cmd: Command,
  opts: { allowMissing?: boolean; target?: Target } = {},
): Promise<LoadedStack> {
  return loadProjectFrom(globalOptions(cmd), opts);
}

/** Loads the stack and connects to the engine at the same time (see session/project.ts). */
export function loadProjectAndConnect<T = LoadedStack>(
  cmd: Command,
  opts: { allowMissing?: boolean; target?: Target; check?: (loaded: LoadedStack) => T } = {},
): Promise<{ loaded: T; runtime: Runtime }> {
  return loadAndConnect(globalOptions(cmd), opts);
}

/** Takes the project's lock, waiting unless the global `--no-lock-wait` was given. */
export function lockForCommand(cmd: Command, project: string): Promise<() => void> {
  return lockProject(project, globalOptions(cmd).lockWait !== false);
}

/** `--dry-run`, given before the command or after it. */
export function isDryRun(cmd: Command): boolean {
  return globalOptions(cmd).dryRun === true;
}
