/** `tsstack -p NAME __supervise`: the detached supervisor's process (started by `up -d`, not by users). */
import { runDaemon } from '../supervisor/daemon.js';
import { tuneHeapForSupervisor } from './heap-flags.js';

/** Runs the detached supervisor of `project` until it is shut down; resolves with the exit code. */
export function runSupervisorDaemon(project: string): Promise<number> {
  // A long-running process that streams log lines: the same heap settings as the headless supervisor.
  tuneHeapForSupervisor(process.env);
  process.title = `tsstack supervisor ${project}`;
  return runDaemon({ project, env: process.env });
}
