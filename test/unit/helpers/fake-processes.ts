/** An in-memory ProcessHost for fast tests of plans and their execution (no process is started). */
import type { ProcessCondition, ProcessHost } from '../../../src/model/process-host.js';
import type { ProcessCreateSpec, ProcessSummary } from '../../../src/runtime/process/types.js';

export class FakeProcesses implements ProcessHost {
  readonly procs = new Map<string, ProcessSummary>();
  readonly calls: string[] = [];
  /** What a wait answers per service (default: it holds at once). */
  readonly waits = new Map<string, Error>();
  private nextPid = 1000;

  list(): Promise<ProcessSummary[]> {
    return Promise.resolve([...this.procs.values()].map((p) => ({ ...p })));
  }

  start(spec: ProcessCreateSpec): Promise<ProcessSummary> {
    this.calls.push(`start ${spec.name}`);
    const p: ProcessSummary = {
      name: spec.name,
      project: spec.project,
      service: spec.service,
      replica: spec.replica,
      hash: spec.hash,
      instance: `i${this.nextPid}`,
      pid: this.nextPid++,
      phase: 'running',
      restarts: 0,
      supervision: spec,
      spec,
    };
    this.procs.set(spec.name, p);
    return Promise.resolve(p);
  }

  stop(name: string): Promise<void> {
    this.calls.push(`stop ${name}`);
    const p = this.procs.get(name);
    if (p) this.procs.set(name, { ...p, phase: 'stopped', pid: 0 });
    return Promise.resolve();
  }

  remove(name: string): Promise<void> {
    this.calls.push(`remove ${name}`);
    this.procs.delete(name);
    return Promise.resolve();
  }

  restart(name: string): Promise<void> {
    this.calls.push(`restart ${name}`);
    const p = this.procs.get(name);
    if (p) this.procs.set(name, { ...p, phase: 'running', pid: this.nextPid++ });
    return Promise.resolve();
  }

  wait(service: string, condition: ProcessCondition): Promise<void> {
    this.calls.push(`wait ${service} ${condition}`);
    const err = this.waits.get(service);
    return err ? Promise.reject(err) : Promise.resolve();
  }
}
