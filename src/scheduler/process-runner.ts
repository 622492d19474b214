/**
 * One replica's runs, from start to exit: reading its output into its log file and onto the bus, probing
 * its health, and restarting it by its policy with backoff. The supervisor owns the replicas; this is what
 * happens to each of them.
 */
import type { EventBus } from '../events/bus.js';
import type { ProcessOs, ProcessRun } from '../runtime/process/os.js';
import type { ProcessPhase } from '../runtime/process/types.js';
import { nextRestart, type BackoffPolicy } from './backoff.js';
import { HealthTracker } from './process-health.js';
import {
  restartsOnUnhealthy,
  scheduleProbe,
  shouldRestart,
  signalCode,
  type Replica,
} from './process-replica.js';

/** What a runner shares with its supervisor. */
export interface RunnerContext {
  project: string;
  os: ProcessOs;
  bus: () => EventBus;
  policy: BackoffPolicy;
  now: () => number;
  /** True once the supervisor let go of its runs (no restarts, no probes). */
  closed: () => boolean;
  /** Something about a replica changed (waits re-judge). */
  notify: () => void;
}

export class ReplicaRunner {
  constructor(private readonly c: RunnerContext) {}

  async launch(r: Replica): Promise<void> {
    if (this.c.closed()) return;
    r.generation++;
    this.setPhase(r, 'starting');
    let run: ProcessRun;
    try {
      run = await this.c.os.start(r.spec, r.baseEnv);
    } catch (err) {
      const e = err as Error & { exitCode?: number };
      r.exitCode = e.exitCode ?? 1;
      r.error = e.message;
      this.setPhase(r, 'exited');
      this.c.bus().emit({
        kind: 'error',
        service: r.service,
        message: `${r.name}: ${e.message}; not restarted`,
      });
      throw err;
    }
    this.attach(r, run);
  }

  attach(r: Replica, run: ProcessRun): void {
    const gen = ++r.generation;
    r.run = run;
    r.exitCode = undefined;
    r.error = undefined;
    r.startedAt = run.startedAt;
    r.health = r.spec.healthcheck ? new HealthTracker(r.spec.healthcheck, run.startedAt) : undefined;
    run.readOutput((stream, message, time) => {
      r.log.write(stream, time, message);
      this.c.bus().emit({ kind: 'log', service: r.service, replica: r.replica, stream, message, time });
    });
    this.setPhase(r, 'running');
    this.emitPorts(r);
    if (r.health) this.scheduleProbe(r, gen, 0);
    void run.exited.then((status) => this.onExit(r, gen, status.code ?? signalCode(status.signal)));
  }

  /** The run ended on its own (not through stop): record it, and restart it when its policy says so. */
  private onExit(r: Replica, gen: number, code: number | undefined): void {
    if (gen !== r.generation || r.stopping || this.c.closed()) return;
    this.detach(r);
    r.exitCode = code;
    if (code === 127 || code === 126) r.error = code === 127 ? 'command not found' : 'command not executable';
    this.setPhase(r, 'exited');
    if (r.error) {
      this.c.bus().emit({
        kind: 'error',
        service: r.service,
        message: `${r.name} exited with code ${code}: ${r.error} (see its log); not restarted`,
      });
      return;
    }
    if (shouldRestart(r.spec, code, r.restarts))
      this.scheduleRestart(r, `exited with code ${code ?? 'unknown'}`);
  }

  private scheduleRestart(r: Replica, reason: string): void {
    const next = nextRestart(r.backoff, this.c.now(), this.c.policy);
    r.backoff = next.state;
    r.restarts++;
    r.phase = 'restarting';
    this.c.bus().emit({
      kind: 'container.restarting',
      service: r.service,
      replica: r.replica,
      container: r.name,
      attempt: next.attempt,
      backoffMs: next.delayMs,
      reason,
      ...(r.exitCode !== undefined ? { lastExitCode: r.exitCode } : {}),
    });
    this.notify();
    r.restartTimer = setTimeout(() => {
      r.restartTimer = undefined;
      void (async () => {
        // Unhealthy: only if it stayed so through the whole delay.
        if (r.run && r.health?.health !== 'unhealthy') return this.setPhase(r, 'running');
        if (r.run) await this.stopRun(r);
        if (!r.run && r.phase === 'restarting') await this.launch(r).catch(() => undefined);
      })();
    }, next.delayMs);
  }

  private async stopRun(r: Replica): Promise<void> {
    const run = r.run!;
    r.generation++;
    await this.c.os.stop(this.c.project, run, { signal: r.spec.stopSignal, graceMs: r.spec.stopGraceMs });
    this.detach(r);
  }

  private scheduleProbe(r: Replica, gen: number, delay: number): void {
    scheduleProbe(
      {
        r,
        os: this.c.os,
        now: this.c.now,
        current: () => gen === r.generation && !r.stopping && !this.c.closed(),
        onChange: (health) => {
          this.c.bus().emit({
            kind: 'container.health',
            service: r.service,
            replica: r.replica,
            container: r.name,
            health,
          });
          if (health === 'unhealthy' && restartsOnUnhealthy(r) && r.phase === 'running')
            this.scheduleRestart(r, 'unhealthy');
          this.notify();
        },
      },
      delay,
    );
  }

  detach(r: Replica): void {
    if (r.probeTimer !== undefined) clearTimeout(r.probeTimer);
    r.probeTimer = undefined;
    const run = r.run;
    r.run = undefined;
    r.health = undefined;
    // Its last lines may still be in its pipes: written to the log once read.
    void run?.release().then(() => r.log.flush());
  }

  /** The ports it listens on, for the views' PORTS column. */
  emitPorts(r: Replica): void {
    if (r.spec.ports.length === 0) return;
    this.c.bus().emit({
      kind: 'container.ports',
      service: r.service,
      replica: r.replica,
      ports: r.spec.ports.map((p) => ({
        hostIp: p.hostIp,
        hostPort: p.port,
        target: p.port,
        protocol: 'tcp',
      })),
    });
  }

  cancelTimers(r: Replica): void {
    if (r.restartTimer !== undefined) clearTimeout(r.restartTimer);
    if (r.probeTimer !== undefined) clearTimeout(r.probeTimer);
    r.restartTimer = undefined;
    r.probeTimer = undefined;
  }

  setPhase(r: Replica, phase: ProcessPhase): void {
    r.phase = phase;
    this.emitState(r, phase);
    this.notify();
  }

  emitState(r: Replica, phase: ProcessPhase | 'removed'): void {
    this.c.bus().emit({
      kind: 'container.state',
      service: r.service,
      replica: r.replica,
      container: r.name,
      phase: phase === 'restarting' ? 'restarting' : phase,
      ...(phase === 'exited' && r.exitCode !== undefined ? { exitCode: r.exitCode } : {}),
      ...(phase === 'running' ? { startedAt: r.startedAt, restartCount: r.restarts, pid: r.run?.pid } : {}),
    });
  }

  notify(): void {
    this.c.notify();
  }
}
