/**
 * Finding a project's supervisor, or starting the detached one: `tsstack -p <project> __supervise`, in its
 * own session (so it outlives the terminal), its output appended to a file next to its log.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { deferExtraCaCerts } from '../core/extra-ca.js';
import { EngineError } from '../core/errors.js';
import { projectFolder, stateDir } from '../core/dirs.js';
import { flagList } from '../core/flag-list.js';
import { RemoteProcessHost } from './client.js';
import { socketPath } from './protocol.js';

/** The supervisor answering for the project, or undefined when none does. */
export async function connectSupervisor(
  project: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RemoteProcessHost | undefined> {
  try {
    return await RemoteProcessHost.connect(socketPath(project, env), env);
  } catch {
    return undefined;
  }
}

/**
 * Where the launcher of the bundled CLI puts the supervisor's own bundle (a path); without it (tests, dist/)
 * the supervisor runs as this CLI's hidden `__supervise` command.
 */
export const SUPERVISOR_ENTRY = Symbol.for('tsstack.supervisorEntry');

/**
 * Node flags of the detached supervisor (TSSTACK_SUPERVISOR_NODE_FLAGS replaces them; empty: none).
 * `--no-opt`: no optimising compiler. The supervisor's work is small and steady (pipes to log files,
 * probes), and optimised code and the compiler's own pages cost it about 7 MB of RSS; without it, 50
 * processes logging 10,000 lines/s cost 6% of a core instead of 5% (bench/processes).
 */
export const SUPERVISOR_NODE_FLAGS: readonly string[] = ['--no-opt'];

/** How to run the supervisor: node's arguments before `-p PROJECT __supervise`. */
function defaultEntry(env: NodeJS.ProcessEnv): string[] {
  const flags = flagList(env.TSSTACK_SUPERVISOR_NODE_FLAGS, SUPERVISOR_NODE_FLAGS);
  const bundled = (globalThis as Record<symbol, unknown>)[SUPERVISOR_ENTRY];
  return [...process.execArgv, ...flags, typeof bundled === 'string' ? bundled : (process.argv[1] ?? '')];
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  /** The CLI to run (node's arguments before the command): default the supervisor bundle, or this process's script. */
  entry?: string[];
  /** How long to wait for it to answer. */
  timeoutMs?: number;
}

/** Starts the detached supervisor (unless one answers) and connects to it. */
export async function startSupervisor(project: string, o: StartOptions = {}): Promise<RemoteProcessHost> {
  const env = o.env ?? process.env;
  const running = await connectSupervisor(project, env);
  if (running) return running;
  const out = join(projectFolder(stateDir(env), project), 'supervisor.out');
  mkdirSync(dirname(out), { recursive: true, mode: 0o700 });
  const fd = openSync(out, 'a', 0o600);
  const entry = o.entry ?? defaultEntry(env);
  try {
    const child = spawn(process.execPath, [...entry, '-p', project, '__supervise'], {
      detached: true,
      stdio: ['ignore', fd, fd],
      // Node would read NODE_EXTRA_CA_CERTS before the supervisor runs; it restores it (core/extra-ca.ts).
      env: deferExtraCaCerts(env),
      cwd: '/',
    });
    child.unref();
  } finally {
    closeSync(fd);
  }
  const end = Date.now() + (o.timeoutMs ?? 20_000);
  // It answers within about a tenth of a second (a Node start): ask often, a failed connect costs nothing.
  while (Date.now() < end) {
    const host = await connectSupervisor(project, env);
    if (host) return host;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new EngineError(`the supervisor of project ${project} did not start; see ${out}`);
}
