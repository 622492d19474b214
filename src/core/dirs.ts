/**
 * Where tsstack keeps what is not state about a stack: per-user runtime files (locks, control sockets,
 * log pipes; gone at reboot like the processes they serve) and log files of host processes (bounded).
 */
import { statSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

/** $XDG_RUNTIME_DIR/tsstack, else /run/user/$UID/tsstack, else the temp folder (tsstack-$UID). */
export function runtimeDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.XDG_RUNTIME_DIR) return join(env.XDG_RUNTIME_DIR, 'tsstack');
  const uid = process.getuid?.();
  if (uid !== undefined) {
    const run = `/run/user/${uid}`;
    if (isDir(run)) return join(run, 'tsstack');
  }
  return join(tmpdir(), `tsstack-${uid ?? 'user'}`);
}

/** $XDG_STATE_HOME/tsstack, else ~/.local/state/tsstack (the XDG default). */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.XDG_STATE_HOME) return join(env.XDG_STATE_HOME, 'tsstack');
  return join(env.HOME || homedir(), '.local', 'state', 'tsstack');
}

/** A project's own folder under `root`; project names are checked ([a-z0-9_-]), encoded anyway. */
export function projectFolder(root: string, project: string): string {
  return join(root, encodeURIComponent(project));
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
