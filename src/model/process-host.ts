/**
 * What plans, waits and commands need from whoever supervises a project's host processes: the attached
 * `up` itself, or the detached per-project supervisor reached through its control socket. Both keep the
 * processes they start supervised (health probes, restarts with backoff, log files).
 */
import type { ProcessCreateSpec, ProcessSummary } from '../runtime/process/types.js';

/** What a wait on a process's service waits for. */
export type ProcessCondition = 'healthy' | 'completed' | 'running';

export interface ProcessHost {
  /** The project's processes: running ones, and those this supervisor saw exit or stopped. */
  list(): Promise<ProcessSummary[]>;
  /** Starts one replica (its name must not be running). */
  start(spec: ProcessCreateSpec): Promise<ProcessSummary>;
  /** Stops a replica's run: its stop signal to the whole group, the grace period, then SIGKILL. */
  stop(name: string, o?: { timeoutMs?: number }): Promise<void>;
  /** Stops (when running) and forgets a replica: `down`, scale-down, a replica no longer in the file. */
  remove(name: string, o?: { timeoutMs?: number }): Promise<void>;
  /** Stops and starts a replica again with the command it was started with. */
  restart(name: string, o?: { timeoutMs?: number }): Promise<void>;
  /** Resolves once every replica of `service` meets the condition; rejects naming why it cannot. */
  wait(service: string, condition: ProcessCondition, signal?: AbortSignal): Promise<void>;
}
