/**
 * Everything that happens, as typed events on one bus. The reconciler, scheduler, watcher and runtime
 * adapters emit; the UI, the headless logger and the JSON output subscribe. Emitters never know who listens.
 */

export type ServicePhase =
  | 'created'
  | 'starting'
  | 'running'
  | 'healthy'
  | 'unhealthy'
  | 'exited'
  | 'restarting'
  | 'stopping'
  | 'stopped'
  | 'removed';

export type StackEvent =
  | {
      kind: 'stack.loaded';
      project: string;
      services: string[];
      files: string[];
      /** Desired replicas per service, when known (the UI shows ready/desired). */
      replicas?: Record<string, number>;
      /** Which of `services` are host processes (`x-tsstack.processes`), not containers. */
      processes?: string[];
    }
  | { kind: 'stack.invalid'; message: string }
  | { kind: 'plan.computed'; operations: number; text: string }
  | { kind: 'operation.started'; id: string; description: string; service?: string }
  | { kind: 'operation.done'; id: string; description: string; service?: string; ms: number }
  | { kind: 'operation.failed'; id: string; description: string; service?: string; error: string }
  | {
      kind: 'container.state';
      service: string;
      replica: number;
      container: string;
      phase: ServicePhase;
      exitCode?: number;
      /** Unix ms the container last started, when known (from the engine; else the event's arrival). */
      startedAt?: number;
      /** The engine's restart count for this container, when known. */
      restartCount?: number;
      /** A host process's group leader: the event is about a process, `container` is its replica's name. */
      pid?: number;
    }
  | {
      kind: 'container.health';
      service: string;
      replica: number;
      container: string;
      health: 'starting' | 'healthy' | 'unhealthy';
    }
  | {
      kind: 'container.restarting';
      service: string;
      replica: number;
      container: string;
      attempt: number;
      /** Milliseconds until the restart. */
      backoffMs: number;
      reason: string;
      lastExitCode?: number;
    }
  | {
      kind: 'container.stats';
      service: string;
      replica: number;
      cpuPercent: number;
      memoryUsage: number;
      memoryLimit: number;
    }
  | {
      kind: 'container.ports';
      service: string;
      replica: number;
      ports: { hostIp?: string; hostPort: number; target: number; protocol: string }[];
    }
  | {
      kind: 'log';
      service: string;
      replica: number;
      stream: 'stdout' | 'stderr';
      message: string;
      time: number;
    }
  | {
      kind: 'image.progress';
      service: string;
      action: 'build' | 'pull' | 'push';
      message: string;
      current?: number;
      total?: number;
      /** A live counter (bytes, a housekeeping step): the UI shows it, line outputs skip it. */
      transient?: boolean;
    }
  | { kind: 'image.done'; service: string; action: 'build' | 'pull' | 'push'; image: string; ms: number }
  | { kind: 'watch.change'; service?: string; paths: string[]; action: string }
  | { kind: 'watch.applied'; service?: string; action: string; files: number; ms: number }
  /** A change to a service in manual trigger mode, waiting for `trigger(service)` (a key in the UI). */
  | { kind: 'watch.pending'; service: string; action: string; files: number }
  | { kind: 'watch.failed'; service?: string; action: string; error: string }
  /** A Docker Swarm service as the swarm reports it (`--target swarm`); sent when something changed. */
  | {
      kind: 'swarm.service';
      service: string;
      /** Replicas asked for (global mode: the tasks the swarm wants running). */
      desired: number;
      /** updating, paused, completed, rollback_started, rollback_paused, rollback_completed. */
      updateState?: string;
      ports: { hostPort: number; target: number; protocol: string }[];
    }
  /**
   * The current task of one slot of a Swarm service (a node, in global mode), sent when it changed. A slot
   * that no longer exists arrives as `container.state` with phase `removed` and the task as container.
   */
  | {
      kind: 'swarm.task';
      service: string;
      /** The slot (replicated) or a number per node (global). */
      replica: number;
      task: string;
      /** The node's hostname; empty while the task is not assigned. */
      node: string;
      /** new, pending, assigned, accepted, preparing, ready, starting, running, complete, failed, shutdown, rejected, ... */
      state: string;
      desiredState: string;
      /** The task's error, else the error of the slot's previous task while this one is not running. */
      error?: string;
      exitCode?: number;
      /** Unix ms the task started running. */
      startedAt?: number;
    }
  | { kind: 'engine.disconnected'; error: string; retryInMs: number }
  | { kind: 'engine.reconnected'; downMs: number }
  | { kind: 'warning'; message: string; service?: string }
  | { kind: 'error'; message: string; service?: string };

export type StackEventKind = StackEvent['kind'];
