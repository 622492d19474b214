/**
 * An attached `up` owns its project's host processes: it supervises them itself (a detached supervisor
 * that runs hands them over and exits), answers on the project's control socket so other terminals'
 * `ps`, `logs`, `stop` and `down` reach it, and at the end either stops them (quit) or hands them to a new
 * detached supervisor (detach), which adopts them from the process table.
 */
import { UsageError } from '../core/errors.js';
import type { EventBus } from '../events/bus.js';
import { LocalProcessOs } from '../runtime/process/os.js';
import { ProcessSupervisor } from '../scheduler/process-supervisor.js';
import { connectSupervisor, startSupervisor } from '../supervisor/launch.js';
import { answers, serveControl, type ControlServer } from '../supervisor/server.js';
import { socketPath } from '../supervisor/protocol.js';

export interface AttachedProcesses {
  supervisor: ProcessSupervisor;
  /** Lets go of the processes (they keep running) and starts the detached supervisor to take them over. */
  handOver(): Promise<void>;
  /** Stops answering and supervising (call after the processes were stopped). */
  close(): Promise<void>;
}

/** Takes the project's processes over for this session; `bus` receives their events. */
export async function attachProcesses(
  project: string,
  bus: EventBus,
  env: NodeJS.ProcessEnv = process.env,
): Promise<AttachedProcesses> {
  const path = socketPath(project, env);
  const running = await connectSupervisor(project, env);
  if (running) {
    try {
      if (running.hello.mode === 'attached')
        throw new UsageError(
          `project ${project}'s host processes are supervised by an attached tsstack up (pid ${running.hello.pid}); stop it or detach it (d) first`,
        );
      await running.exit('release');
    } finally {
      running.close();
    }
    // It answered and exits: wait until the socket is free for us.
    for (let i = 0; i < 100 && (await answers(path)); i++) await new Promise((r) => setTimeout(r, 50));
  }
  const supervisor = new ProcessSupervisor({ project, os: new LocalProcessOs({ env }), bus, baseEnv: env });
  const server: ControlServer = await serveControl({
    path,
    supervisor,
    mode: 'attached',
    // `down` from another terminal removed the processes already; the session goes on with the rest.
    onExit: () => undefined,
    refuseRelease: () =>
      `an attached tsstack up (pid ${process.pid}) supervises project ${project}'s processes; stop it or detach it (d) first`,
  });
  supervisor.adopt();
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    supervisor.close();
    await server.close();
  };
  return {
    supervisor,
    close,
    async handOver() {
      const had = supervisor.running().length > 0;
      await close();
      if (had) (await startSupervisor(project, { env })).close();
    },
  };
}
