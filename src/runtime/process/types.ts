/**
 * Host processes in tsstack's own types: the operating system's process table is the second "engine".
 * A process tsstack starts carries its identity in its environment (the markers below), as a container
 * carries labels, so any later tsstack finds it in /proc without a state file. Durations are milliseconds.
 */

/** Environment variables that mark a process as tsstack's. */
export const MARKER = {
  project: 'TSSTACK_PROJECT',
  service: 'TSSTACK_SERVICE',
  replica: 'TSSTACK_REPLICA',
  configHash: 'TSSTACK_CONFIG_HASH',
  /** Unique per start: tells one run of a replica from the next, and its descendants from others'. */
  instance: 'TSSTACK_INSTANCE',
  /** JSON of ProcessSupervision: what any later supervisor needs to stop, probe and restart it. */
  supervision: 'TSSTACK_SUPERVISION',
} as const;

/** How a process's health is probed on the host. */
export type ProbeSpec =
  | { kind: 'command'; command: string[] }
  | { kind: 'http'; url: string }
  | { kind: 'tcp'; host: string; port: number };

export interface ProbeConfig {
  probe: ProbeSpec;
  interval?: number;
  timeout?: number;
  retries?: number;
  startPeriod?: number;
  startInterval?: number;
}

export interface ProcessRestartPolicy {
  name: 'no' | 'always' | 'on-failure' | 'unless-stopped';
  maximumRetryCount?: number;
}

/** What a supervisor needs besides the command: carried in the process's environment as JSON. */
export interface ProcessSupervision {
  /** `<project>-<service>-<replica>`. */
  name: string;
  /** Services and processes its service waited for (reverse order on stop). */
  dependsOn: string[];
  /** Short digests per config field, so a plan can say what changed. */
  fields: Record<string, string>;
  restart: ProcessRestartPolicy;
  stopSignal: string;
  stopGraceMs: number;
  healthcheck?: ProbeConfig;
  ports: { port: number; hostIp?: string }[];
  /** False for a one-shot others wait to complete: an exit 0 is its success, not a reason to start it again. */
  longRunning: boolean;
  /** argv, run without a shell (kept here so a later supervisor restarts exactly what was started). */
  command: string[];
  cwd: string;
  /** KEY=VALUE pairs from the stack file, over the environment tsstack runs in. */
  env: string[];
}

/** Everything needed to start one process. Built by the reconciler from a ProcessSpec. */
export interface ProcessCreateSpec extends ProcessSupervision {
  project: string;
  service: string;
  replica: number;
  hash: string;
}

export type ProcessPhase = 'starting' | 'running' | 'exited' | 'restarting' | 'stopping' | 'stopped';
export type ProcessHealth = 'starting' | 'healthy' | 'unhealthy';

/** One process (a replica's current run) as the process table and its supervisor know it. */
export interface ProcessSummary {
  name: string;
  project: string;
  service: string;
  replica: number;
  hash?: string;
  instance: string;
  /** The process group leader's pid (0 once exited). */
  pid: number;
  phase: ProcessPhase;
  health?: ProcessHealth;
  exitCode?: number;
  /** Unix ms the current run started. */
  startedAt?: number;
  restarts: number;
  supervision: ProcessSupervision;
  /** How it was started, when its supervisor knows (to start it again after a stop). */
  spec?: ProcessCreateSpec;
  /** Why the last start failed or the process stopped being restarted ("command not found", ...). */
  error?: string;
}
