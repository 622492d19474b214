/**
 * The host-process part of planActions: the same rules as for containers, in the same plan. A replica with
 * no run is started; one whose config hash differs is stopped and started again (only that process); a
 * one-shot that exited 0 stays done; replicas beyond the count are removed. A process cannot be created
 * without being started, so `--no-start` leaves processes alone.
 */
import { changedFields } from './config-hash.js';
import type { DesiredProcessService, DesiredState } from '../model/desired.js';
import type { ObservedState } from '../model/observed.js';
import type { PlanBuilder, ServiceCondition } from '../model/plan.js';
import type { ProcessSummary } from '../runtime/process/types.js';

/** The options of planActions that apply to processes. */
export interface ProcessPlanOptions {
  forceRecreate?: boolean;
  noRecreate?: boolean;
  noStart?: boolean;
  removeOrphans?: boolean;
  /** Stop timeout in seconds, overriding each process's stop_grace_period. */
  timeout?: number;
}

/** Phases in which a replica has a run (or the supervisor is about to give it one). */
const ACTIVE = new Set<ProcessSummary['phase']>(['starting', 'running', 'restarting', 'stopping']);

export interface PlannedProcess {
  /** Operations dependents wait for. */
  ready: string[];
  /** Stops of running replicas (ordered after their dependents' stops). */
  stops: string[];
  /** Whether it was started or restarted (dependents with `restart: true` restart too). */
  restarted: boolean;
}

export class ProcessPlanner {
  private readonly byService = new Map<string, ProcessSummary[]>();

  constructor(
    private readonly b: PlanBuilder,
    private readonly desired: DesiredState,
    observed: ObservedState,
    private readonly options: ProcessPlanOptions,
  ) {
    for (const p of observed.processes ?? [])
      this.byService.set(p.service, [...(this.byService.get(p.service) ?? []), p]);
  }

  plan(
    proc: DesiredProcessService,
    depReady: string[],
    waits: { waitsFor?: ServiceCondition[] },
  ): PlannedProcess {
    const out: PlannedProcess = { ready: [], stops: [], restarted: false };
    const have = this.byService.get(proc.name) ?? [];
    const timeout = this.options.timeout ?? proc.stopTimeout;
    for (const want of proc.processes) {
      const current = have.find((p) => p.name === want.name);
      const start = (reason: string, after: string[]): void => {
        out.ready.push(
          this.b.add({
            kind: 'process.start',
            target: want.name,
            service: proc.name,
            replica: want.replica,
            spec: want.spec,
            reason,
            after: [...after, ...depReady],
            ...waits,
          }),
        );
        out.restarted = true;
      };
      if (!current || !ACTIVE.has(current.phase)) {
        if (this.options.noStart) continue;
        if (current?.phase === 'exited' && current.exitCode === 0 && !proc.longRunning) continue;
        start(startReason(current), []);
        continue;
      }
      const diff = this.options.forceRecreate ? 'forced' : divergence(current, want.hash, want.fields);
      if (!diff || this.options.noRecreate) continue;
      const stop = this.b.add({
        kind: 'process.stop',
        target: want.name,
        service: proc.name,
        replica: want.replica,
        ref: want.name,
        timeout,
        reason: diff,
      });
      out.stops.push(stop);
      start(diff, [stop]);
    }
    for (const p of have)
      if (p.replica < 1 || p.replica > proc.replicas) out.stops.push(this.remove(p, 'scaled down', timeout));
    return out;
  }

  /** Processes of services no longer in the stack: running ones are orphans, remembered ones are forgotten. */
  orphans(): number {
    let count = 0;
    for (const [service, procs] of this.byService) {
      if (this.desired.processes?.[service] || this.desired.services[service]) continue;
      for (const p of procs) {
        if (!ACTIVE.has(p.phase)) {
          this.remove(p, 'not in the stack');
          continue;
        }
        count++;
        this.b.orphans.push(p.name);
        if (this.options.removeOrphans) this.remove(p, 'orphan');
      }
    }
    return count;
  }

  private remove(p: ProcessSummary, reason: string, timeout?: number): string {
    return this.b.add({
      kind: 'process.remove',
      target: p.name,
      service: p.service,
      replica: p.replica,
      ref: p.name,
      timeout: timeout ?? Math.ceil(p.supervision.stopGraceMs / 1000),
      reason,
    });
  }
}

function startReason(current: ProcessSummary | undefined): string {
  if (!current) return 'no process';
  if (current.phase === 'exited')
    return `exited${current.exitCode === undefined ? '' : ` (${current.exitCode})`}, starting again`;
  return `${current.phase}, starting again`;
}

function divergence(have: ProcessSummary, hash: string, fields: Record<string, string>): string | undefined {
  if (have.hash === hash) return undefined;
  const changed = changedFields(have.supervision.fields ?? {}, fields);
  return changed.length > 0 ? `config changed: ${changed.join(', ')}` : 'config changed';
}
