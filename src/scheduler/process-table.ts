/**
 * A project's host processes as the process table alone shows them, for commands that run while no
 * supervisor does (after one was SIGKILLed, or never started): list them and stop them by their markers,
 * with the stop signal and grace period each carries in its environment. It starts nothing and knows no
 * health: that takes a supervisor.
 */
import type { ProcessCondition, ProcessHost } from '../model/process-host.js';
import type { FoundInstance } from '../runtime/process/proc-table.js';
import type { ProcessOs } from '../runtime/process/os.js';
import type { ProcessCreateSpec, ProcessSummary } from '../runtime/process/types.js';

export class ProcessTable implements ProcessHost {
  constructor(
    private readonly os: ProcessOs,
    readonly project: string,
  ) {}

  list(): Promise<ProcessSummary[]> {
    return Promise.resolve(this.os.find(this.project).map(summaryOf));
  }

  start(spec: ProcessCreateSpec): Promise<ProcessSummary> {
    return Promise.reject(
      new Error(`cannot start ${spec.name}: no supervisor runs for project ${this.project}`),
    );
  }

  async stop(name: string, o: { timeoutMs?: number } = {}): Promise<void> {
    const runs = this.os.find(this.project).filter((f) => nameOf(f) === name);
    await Promise.all(
      runs.map((f) =>
        this.os.stop(
          this.project,
          { instance: f.instance, pid: f.leader?.pid ?? 0 },
          {
            signal: f.supervision?.stopSignal ?? 'SIGTERM',
            graceMs: o.timeoutMs ?? f.supervision?.stopGraceMs ?? 10_000,
          },
        ),
      ),
    );
  }

  remove(name: string, o: { timeoutMs?: number } = {}): Promise<void> {
    return this.stop(name, o);
  }

  restart(name: string): Promise<void> {
    return Promise.reject(
      new Error(`cannot restart ${name}: no supervisor runs for project ${this.project}`),
    );
  }

  wait(service: string, condition: ProcessCondition): Promise<void> {
    return Promise.reject(
      new Error(
        `cannot wait for ${service} to be ${condition}: no supervisor runs for project ${this.project}`,
      ),
    );
  }
}

function nameOf(f: FoundInstance): string {
  return f.supervision?.name ?? `${f.project}-${f.service}-${f.replica}`;
}

/** A run found in the table: running while its leader is; its leftovers alone count as stopping. */
export function summaryOf(f: FoundInstance): ProcessSummary {
  const name = nameOf(f);
  return {
    name,
    project: f.project,
    service: f.service,
    replica: f.replica,
    ...(f.hash ? { hash: f.hash } : {}),
    instance: f.instance,
    pid: f.leader?.pid ?? 0,
    phase: f.leader ? 'running' : 'stopping',
    ...(f.startedAt !== undefined ? { startedAt: f.startedAt } : {}),
    restarts: 0,
    supervision: f.supervision ?? {
      name,
      dependsOn: [],
      fields: {},
      restart: { name: 'no' },
      stopSignal: 'SIGTERM',
      stopGraceMs: 10_000,
      ports: [],
      longRunning: true,
      command: [],
      cwd: '/',
      env: [],
    },
  };
}
