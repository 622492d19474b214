/**
 * What the UI's keys do to one service (restart, stop, start, rebuild), as plans applied with the UI's
 * bus so their progress shows in the table. Failures become `error` events: the UI keeps running.
 */
import type { EventBus } from '../events/bus.js';
import { applyPlan } from '../scheduler/apply.js';
import { converge } from '../reconciler/converge.js';
import { planRestart, planStart, planStop } from '../reconciler/lifecycle.js';
import { observe } from '../reconciler/observe.js';
import type { Plan } from '../model/plan.js';
import type { Runtime } from '../runtime/types.js';
import type { Stack } from '../spec/types.js';
import type { ProcessHost } from '../model/process-host.js';
import { processActions } from './process-actions.js';

export interface ServiceActions {
  restart(service: string): Promise<void>;
  stop(service: string): Promise<void>;
  start(service: string): Promise<void>;
  rebuild(service: string): Promise<void>;
}

export interface ServiceActionOptions {
  runtime: Runtime;
  project: string;
  bus: EventBus;
  /** The stack, when loaded: needed to rebuild. */
  stack?: Stack;
  /** Stop timeout in seconds (default: each service's stop_grace_period). */
  timeout?: number;
  /** The supervisor of the project's host processes: the keys act on processes too. */
  processes?: ProcessHost;
}

/** Actions on single services; each reports its own failure on the bus and never throws. */
export function serviceActions(o: ServiceActionOptions): ServiceActions {
  const { runtime, project, bus, processes } = o;
  const observed = () => observe(runtime, project, processes);
  const guard = async (service: string, what: string, run: () => Promise<void>): Promise<void> => {
    try {
      await run();
    } catch (err) {
      bus.emit({
        kind: 'error',
        service,
        message: `${what} failed: ${err instanceof Error ? err.message : String(err)}`,
      });
    }
  };
  const apply = async (plan: Plan, service: string, what: string): Promise<void> => {
    const result = await applyPlan(runtime, plan, { bus, processes });
    for (const f of result.failed) bus.emit({ kind: 'error', service, message: `${what}: ${f.error}` });
  };
  return {
    restart: (service) =>
      guard(service, 'restart', async () =>
        apply(planRestart(await observed(), { services: [service], timeout: o.timeout }), service, 'restart'),
      ),
    stop: (service) =>
      guard(service, 'stop', async () =>
        apply(planStop(await observed(), { services: [service], timeout: o.timeout }), service, 'stop'),
      ),
    start: (service) =>
      guard(service, 'start', async () =>
        apply(planStart(await observed(), { services: [service] }), service, 'start'),
      ),
    rebuild: (service) =>
      guard(service, 'rebuild', async () => {
        if (!o.stack) throw new Error('no stack file was loaded, so there is nothing to build from');
        if (o.stack.processes[service] && processes) {
          const stack = o.stack;
          return processActions(processes, () => stack, bus).rebuild(service);
        }
        if (!o.stack.services[service]?.build) {
          bus.emit({
            kind: 'warning',
            service,
            message: `${service} has no build section: nothing to rebuild`,
          });
          return;
        }
        await converge(runtime, o.stack, { services: [service], build: 'always', bus, timeout: o.timeout });
      }),
  };
}
