/**
 * The detached per-project supervisor: one small background process that `up -d` starts when a stack has
 * host processes. It takes over the project's processes still running (from the process table), answers
 * on the control socket, and supervises (health, restarts, log files) until `down` shuts it down or an
 * attached `up` takes the processes over. Killed (even with SIGKILL), it loses nothing: the next `up`
 * starts a new one, which adopts the processes again.
 */
import { join } from 'node:path';
import { projectFolder, stateDir } from '../core/dirs.js';
import { EventBus } from '../events/bus.js';
import type { StackEvent } from '../events/types.js';
import { LogWriter } from '../runtime/process/log-file.js';
import { LocalProcessOs } from '../runtime/process/os.js';
import { ProcessSupervisor } from '../scheduler/process-supervisor.js';
import { socketPath } from './protocol.js';
import { serveControl, SupervisorRunning } from './server.js';

export interface DaemonOptions {
  project: string;
  env: NodeJS.ProcessEnv;
  /** Where exit signals come from (tests pass an emitter); default `process`. */
  signals?: Pick<NodeJS.Process, 'once' | 'off'>;
}

/** The supervisor's own log (starts, adoptions, exits, restarts, errors), bounded like the processes' logs. */
export function daemonLogPath(project: string, env: NodeJS.ProcessEnv): string {
  return join(projectFolder(stateDir(env), project), 'supervisor.log');
}

/** Runs until shut down, released or signalled; resolves with the exit code. */
export async function runDaemon(o: DaemonOptions): Promise<number> {
  const bus = new EventBus();
  const log = new LogWriter(daemonLogPath(o.project, o.env), 1024 * 1024);
  const note = (message: string): void => log.write('stdout', Date.now(), message);
  bus.subscribe((e) => {
    const line = describe(e);
    if (line) note(line);
  });
  const supervisor = new ProcessSupervisor({
    project: o.project,
    os: new LocalProcessOs({ env: o.env }),
    bus,
    baseEnv: o.env,
  });
  let resolveExit: (how: string) => void = () => undefined;
  const exited = new Promise<string>((resolve) => (resolveExit = resolve));
  const server = await serveControl({
    path: socketPath(o.project, o.env),
    supervisor,
    mode: 'detached',
    onExit: (how) => resolveExit(how),
  }).catch((err: unknown) => {
    if (err instanceof SupervisorRunning) return undefined;
    throw err;
  });
  if (!server) {
    log.close();
    return 0;
  }
  // Synchronously after listening: no request is answered before the running processes are known.
  const adopted = supervisor.adopt();
  note(
    `supervisor of project ${o.project} started (pid ${process.pid})${adopted.length > 0 ? `; took over ${adopted.join(', ')}` : ''}`,
  );
  const signals = o.signals ?? process;
  const onSignal = (): void => resolveExit('signal');
  signals.once('SIGTERM', onSignal);
  signals.once('SIGINT', onSignal);
  try {
    const how = await exited;
    note(
      `supervisor exits (${how}); ${how === 'shutdown' ? 'nothing is left to supervise' : 'its processes keep running'}`,
    );
  } finally {
    signals.off('SIGTERM', onSignal);
    signals.off('SIGINT', onSignal);
    await server.close();
    supervisor.close();
    log.close();
  }
  return 0;
}

/** The events worth a line in the supervisor's log (process output has its own files). */
function describe(e: StackEvent): string | undefined {
  switch (e.kind) {
    case 'container.state':
      return `${e.container} ${e.phase}${e.exitCode !== undefined ? ` (exit code ${e.exitCode})` : ''}${e.pid ? ` pid ${e.pid}` : ''}`;
    case 'container.health':
      return `${e.container} ${e.health}`;
    case 'container.restarting':
      return `${e.container} restarting in ${e.backoffMs} ms (attempt ${e.attempt}: ${e.reason})`;
    case 'warning':
    case 'error':
      return `${e.kind}: ${e.message}`;
    default:
      return undefined;
  }
}
