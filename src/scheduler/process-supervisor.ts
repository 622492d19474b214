/**
 * The supervisor of one project's host processes, used by an attached `up` and by the detached
 * per-project supervisor alike. It starts each replica in its own process group, writes its output to a
 * bounded log file and to the bus, probes its health, restarts it by its restart policy with the same
 * backoff as containers (src/scheduler/backoff.ts), and stops it by signalling the whole group. Exit codes
 * 127 and 126 (not found, not executable) are reported once and never restarted. `adopt` takes over the
 * project's processes still running from an earlier supervisor, found in the process table.
 */
import type { EventBus } from '../events/bus.js';
import type { ProcessCondition, ProcessHost } from '../model/process-host.js';
import type { ProcessOs } from '../runtime/process/os.js';
import { readRunSpec, type FoundInstance } from '../runtime/process/proc-table.js';
import type { ProcessCreateSpec, ProcessSummary } from '../runtime/process/types.js';
import { KUBERNETES_BACKOFF, type BackoffPolicy } from './backoff.js';
import { ReplicaRunner } from './process-runner.js';
import { processHealthBoundMs } from './process-health.js';
import { adoptable, replicaSummary, adoptedSpec, withoutMarkers, type Replica } from './process-replica.js';
import { waitForVerdict } from './process-waits.js';

export interface ProcessSupervisorOptions {
  project: string;
  os: ProcessOs;
  /** Where its events go (see useBus). */
  bus: EventBus;
  /** The environment processes start from (default: this process's). */
  baseEnv?: Record<string, string | undefined>;
  policy?: BackoffPolicy;
  now?: () => number;
}

export class ProcessSupervisor implements ProcessHost {
  private readonly replicas = new Map<string, Replica>();
  private readonly listeners = new Set<() => void>();
  private readonly policy: BackoffPolicy;
  private readonly now: () => number;
  private closed = false;
  private readonly runner: ReplicaRunner;

  constructor(private readonly o: ProcessSupervisorOptions) {
    this.policy = o.policy ?? KUBERNETES_BACKOFF;
    this.now = o.now ?? Date.now;
    this.runner = new ReplicaRunner({
      project: o.project,
      os: o.os,
      bus: () => this.o.bus,
      policy: this.policy,
      now: this.now,
      closed: () => this.closed,
      notify: () => this.notify(),
    });
  }

  get project(): string {
    return this.o.project;
  }

  /**
   * Takes over the project's runs found in the process table (left by an earlier supervisor); returns the
   * names taken over. A second run of one replica (the oldest one wins) and what is left of a run whose
   * leader exited are stopped: converging means one run per replica.
   */
  adopt(): string[] {
    const taken: string[] = [];
    for (const { keep, extra } of adoptable(this.o.os.find(this.o.project), (name) =>
      this.replicas.get(name),
    )) {
      for (const f of extra) void this.stopStray(f);
      if (!keep) continue;
      const spec = adoptedSpec(keep)!;
      const env = readRunSpec(keep.leader!.pid)?.env ?? {};
      const r = this.replica(spec, withoutMarkers(env));
      r.restarts = 0;
      this.runner.attach(r, this.o.os.adopt(keep));
      taken.push(spec.name);
    }
    return taken.sort();
  }

  /** Sends where events go from now on (the attached session's bus once its views are up). */
  useBus(bus: EventBus): void {
    this.o.bus = bus;
  }

  /** Emits every replica's current state and health, for views that attach late. */
  announce(): void {
    for (const r of this.replicas.values()) {
      this.runner.emitState(r, r.phase);
      if (r.run) this.runner.emitPorts(r);
      if (r.run && r.health && r.health.health !== 'starting')
        this.o.bus.emit({
          kind: 'container.health',
          service: r.service,
          replica: r.replica,
          container: r.name,
          health: r.health.health,
        });
    }
  }

  private async stopStray(f: FoundInstance): Promise<void> {
    const name = f.supervision?.name ?? f.service;
    this.o.bus.emit({
      kind: 'warning',
      service: f.service,
      message: `stopping ${f.leader ? `a second run of ${name} (pid ${f.leader.pid})` : `what is left of an ended run of ${name}`}`,
    });
    await this.o.os.stop(
      this.o.project,
      { instance: f.instance, pid: f.leader?.pid ?? 0 },
      { signal: f.supervision?.stopSignal ?? 'SIGTERM', graceMs: f.supervision?.stopGraceMs ?? 10_000 },
    );
  }

  list(): Promise<ProcessSummary[]> {
    return Promise.resolve([...this.replicas.values()].map((r) => this.summary(r)));
  }

  async start(
    spec: ProcessCreateSpec,
    baseEnv?: Record<string, string | undefined>,
  ): Promise<ProcessSummary> {
    const existing = this.replicas.get(spec.name);
    if (existing?.run) throw new Error(`${spec.name} is already running (pid ${existing.run.pid})`);
    if (existing) this.runner.cancelTimers(existing);
    const r = this.replica(spec, baseEnv ?? existing?.baseEnv ?? this.o.baseEnv ?? process.env);
    r.backoff = { restarts: 0 };
    r.restarts = 0;
    await this.runner.launch(r);
    return this.summary(r);
  }

  async stop(name: string, o: { timeoutMs?: number } = {}): Promise<void> {
    const r = this.get(name);
    if (r.stopping) return r.stopping;
    this.runner.cancelTimers(r);
    const run = r.run;
    if (!run) {
      if (r.phase === 'restarting') this.runner.setPhase(r, 'stopped');
      return;
    }
    // The run's own exit (the child's exit event may come after the group is gone) is not news any more.
    r.generation++;
    r.stopping = (async () => {
      this.runner.setPhase(r, 'stopping');
      await this.o.os.stop(this.o.project, run, {
        signal: r.spec.stopSignal,
        graceMs: o.timeoutMs ?? r.spec.stopGraceMs,
      });
      this.runner.detach(r);
      this.runner.setPhase(r, 'stopped');
    })();
    try {
      await r.stopping;
    } finally {
      r.stopping = undefined;
      this.notify();
    }
  }

  async remove(name: string, o: { timeoutMs?: number } = {}): Promise<void> {
    if (!this.replicas.has(name)) return;
    await this.stop(name, o);
    const r = this.get(name);
    r.log.close();
    this.replicas.delete(name);
    this.runner.emitState(r, 'removed');
    this.notify();
  }

  async restart(name: string, o: { timeoutMs?: number } = {}): Promise<void> {
    const r = this.get(name);
    await this.stop(name, o);
    r.backoff = { restarts: 0 };
    await this.runner.launch(r);
  }

  wait(service: string, condition: ProcessCondition, signal?: AbortSignal): Promise<void> {
    const replicas = () => [...this.replicas.values()].filter((r) => r.service === service);
    return waitForVerdict({
      service,
      condition,
      summaries: () => replicas().map((r) => this.summary(r)),
      listeners: this.listeners,
      boundMs: condition === 'healthy' ? processHealthBoundMs(replicas()[0]?.spec.healthcheck) : undefined,
      signal,
    });
  }

  /** Stops probing and restarting and lets go of the runs (they keep running): detach, hand-over, exit. */
  close(): void {
    this.closed = true;
    for (const r of this.replicas.values()) {
      this.runner.cancelTimers(r);
      r.run?.closeOutput();
      r.log.close();
    }
    this.listeners.clear();
  }

  /** Writes every replica's buffered log lines to its file. */
  flushLogs(): void {
    for (const r of this.replicas.values()) r.log.flush();
  }

  /** Names of the replicas that run now. */
  running(): string[] {
    return [...this.replicas.values()].filter((r) => r.run).map((r) => r.name);
  }

  private get(name: string): Replica {
    const r = this.replicas.get(name);
    if (!r) throw new Error(`no such process: ${name}`);
    return r;
  }

  private replica(spec: ProcessCreateSpec, baseEnv: Record<string, string | undefined>): Replica {
    let r = this.replicas.get(spec.name);
    if (!r) {
      r = {
        name: spec.name,
        service: spec.service,
        replica: spec.replica,
        spec,
        baseEnv,
        phase: 'stopped',
        restarts: 0,
        backoff: { restarts: 0 },
        generation: 0,
        log: this.o.os.logWriter(this.o.project, spec.service, spec.replica),
      };
      this.replicas.set(spec.name, r);
    }
    r.spec = spec;
    r.baseEnv = baseEnv;
    return r;
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }

  private summary(r: Replica): ProcessSummary {
    return replicaSummary(r, this.o.project);
  }
}
