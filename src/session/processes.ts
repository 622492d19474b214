/**
 * How a command reaches a project's host processes: through the supervisor that answers on the project's
 * control socket (the detached one, or an attached `up`), or, when none does, through the process table
 * alone (list and stop). `up -d` starts the detached supervisor when the stack has processes.
 */
import { existsSync } from 'node:fs';
import { projectFolder, runtimeDir } from '../core/dirs.js';
import { UsageError } from '../core/errors.js';
import type { ProcessCondition, ProcessHost } from '../model/process-host.js';
import type { ProcessCreateSpec, ProcessSummary } from '../runtime/process/types.js';
import type { RemoteProcessHost } from '../supervisor/client.js';
import { LocalProcessOs } from '../runtime/process/os.js';
import { isAlive } from '../runtime/process/proc-table.js';
import { ProcessTable } from '../scheduler/process-table.js';
import type { Stack } from '../spec/types.js';
import { connectSupervisor, startSupervisor } from '../supervisor/launch.js';

export interface ProcessAccess {
  host: ProcessHost;
  /** A supervisor answered (health, exits and stopped processes are known), not only the process table. */
  supervised: boolean;
  /** The answering supervisor's pid and mode, when one answered. */
  supervisor?: { pid: number; mode: 'detached' | 'attached' };
  /** Starts the detached supervisor now if it was left for later (so running processes are supervised). */
  ensure?: () => Promise<void>;
  close(): void;
}

/**
 * For commands that look or stop: the supervisor that answers, else the process table. Undefined when the
 * project never had a host process on this machine (no runtime folder): nothing to ask.
 */
export async function lookAtProcesses(
  project: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ProcessAccess | undefined> {
  if (!existsSync(projectFolder(runtimeDir(env), project))) return undefined;
  const remote = await connectSupervisor(project, env);
  if (remote)
    return {
      host: remote,
      supervised: true,
      supervisor: { pid: remote.hello.pid, mode: remote.hello.mode },
      close: () => remote.close(),
    };
  return {
    host: new ProcessTable(new LocalProcessOs({ env }), project),
    supervised: false,
    close: () => undefined,
  };
}

/**
 * For `up -d`, `start`, `restart`: the supervisor that answers, else the detached one, started the first
 * time something must be started or waited for (so a plan that fails its checks starts nothing at all).
 */
export async function superviseProcesses(
  project: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ProcessAccess> {
  const remote = await connectSupervisor(project, env);
  if (remote)
    return {
      host: remote,
      supervised: true,
      supervisor: { pid: remote.hello.pid, mode: remote.hello.mode },
      close: () => remote.close(),
    };
  const lazy = new LazySupervisor(project, env);
  return { host: lazy, supervised: true, ensure: () => lazy.ensure(), close: () => lazy.close() };
}

/** Lists from the process table until it needs the detached supervisor, then starts it and goes through it. */
class LazySupervisor implements ProcessHost {
  private remote: Promise<RemoteProcessHost> | undefined;
  private readonly table: ProcessTable;

  constructor(
    private readonly project: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    this.table = new ProcessTable(new LocalProcessOs({ env }), project);
  }

  private supervisor(): Promise<RemoteProcessHost> {
    this.remote ??= startSupervisor(this.project, { env: this.env });
    return this.remote;
  }

  async list(): Promise<ProcessSummary[]> {
    return this.remote ? (await this.remote).list() : this.table.list();
  }

  async start(spec: ProcessCreateSpec): Promise<ProcessSummary> {
    return (await this.supervisor()).start(spec);
  }

  async stop(name: string, o?: { timeoutMs?: number }): Promise<void> {
    return (await this.supervisor()).stop(name, o);
  }

  async remove(name: string, o?: { timeoutMs?: number }): Promise<void> {
    return (await this.supervisor()).remove(name, o);
  }

  async restart(name: string, o?: { timeoutMs?: number }): Promise<void> {
    return (await this.supervisor()).restart(name, o);
  }

  async wait(service: string, condition: ProcessCondition, signal?: AbortSignal): Promise<void> {
    return (await this.supervisor()).wait(service, condition, signal);
  }

  async ensure(): Promise<void> {
    await this.supervisor();
  }

  close(): void {
    void this.remote?.then((r) => r.close()).catch(() => undefined);
  }
}

/** Processes for a command with the stack at hand: supervised when it has any, else whatever is found. */
export async function processesFor(
  stack: Stack,
  o: { supervise: boolean; env?: NodeJS.ProcessEnv },
): Promise<ProcessAccess | undefined> {
  const wanted = Object.keys(stack.processes ?? {}).length > 0;
  if (wanted && o.supervise) return superviseProcesses(stack.name, o.env);
  return lookAtProcesses(stack.name, o.env);
}

/** Tells a detached supervisor to exit once `down` removed everything it supervised. */
export async function shutDownSupervisor(access: ProcessAccess | undefined): Promise<void> {
  if (!access?.supervised || access.supervisor?.mode !== 'detached') return;
  const host = access.host as ProcessHost & { exit?: (how: 'shutdown') => Promise<void> };
  await host.exit?.('shutdown').catch(() => undefined);
  // It writes the last lines its processes left in their pipes while it exits: wait for it (at most 5 s),
  // so the processes' folders removed after this are not written again.
  const pid = access.supervisor.pid;
  // (A zombie waiting for its new parent to reap it counts as gone.)
  for (const end = Date.now() + 5_000; Date.now() < end && isAlive(pid);)
    await new Promise((r) => setTimeout(r, 50));
}

/** `exec`, `run` and the like act in containers: for a host process they say so in one line (exit 2). */
export function refuseHostProcess(stack: Stack, service: string, command: string): void {
  const p = stack.processes[service];
  if (p)
    throw new UsageError(
      `"${service}" is a host process, not a container: ${command} does not apply (run the command on this machine, in ${p.working_dir})`,
    );
}

/** The same for every name of a command that takes several (`top`, `wait`, `stats`, `events`, ...). */
export function refuseHostProcesses(stack: Stack, services: readonly string[], command: string): void {
  for (const s of services) refuseHostProcess(stack, s, command);
}
