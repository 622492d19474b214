/**
 * What the live UI's keys do to one swarm service: `r` is `docker service update --force` (the swarm
 * replaces every task), `s` scales a replicated service to 0 and back. The swarm has no local build, and a
 * global service runs one task per node and cannot be scaled: those say so as warnings. Failures become
 * `warning` events naming the service: the UI keeps running.
 */
import type { EventBus } from '../events/bus.js';
import { projectFilter } from '../model/labels.js';
import type { SwarmRuntime, SwarmServiceSummary } from '../runtime/types.js';
import { serviceName } from './live.js';

/** On a service scaled to 0 by `s`: the replica count it had, for the next start (also in a later session). */
export const STOPPED_REPLICAS_LABEL = 'io.tsstack.stopped-replicas';

export interface SwarmActions {
  restart(service: string): Promise<void>;
  stop(service: string): Promise<void>;
  start(service: string): Promise<void>;
}

export interface SwarmActionOptions {
  swarm: SwarmRuntime;
  project: string;
  bus: EventBus;
  /** The replica count the stack file asks for, by service: a start's count when the stop's is unknown. */
  replicas?: Readonly<Record<string, number>>;
}

/** Actions on single swarm services; each reports its own failure on the bus and never throws. */
export function swarmActions(o: SwarmActionOptions): SwarmActions {
  const { swarm, project, bus } = o;
  // Replica counts before this session's stops.
  const before = new Map<string, number>();
  const warn = (service: string, message: string) => bus.emit({ kind: 'warning', service, message });
  const find = async (service: string): Promise<SwarmServiceSummary | undefined> => {
    const list = await swarm.listServices(projectFilter(project));
    const found = list.find((s) => serviceName(project, s) === service);
    if (!found) warn(service, `${service} is not in the swarm (tsstack up --target swarm deploys it)`);
    return found;
  };
  const guard = async (service: string, what: string, run: () => Promise<void>): Promise<void> => {
    try {
      await run();
    } catch (err) {
      warn(service, `${what} of ${service} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  const global = (service: string, what: string) =>
    warn(
      service,
      `${service} is a global service (one task per node): it cannot be ${what}; tsstack down --target swarm removes the stack`,
    );
  return {
    restart: (service) =>
      guard(service, 'restart', async () => {
        const s = await find(service);
        if (s) await swarm.forceUpdateService(s.id);
      }),
    stop: (service) =>
      guard(service, 'stop', async () => {
        const s = await find(service);
        if (!s) return;
        if (s.mode.kind === 'global') return global(service, 'stopped (scaled to 0)');
        if (s.mode.replicas === 0) return;
        before.set(service, s.mode.replicas);
        await swarm.scaleService(s.id, 0, { [STOPPED_REPLICAS_LABEL]: String(s.mode.replicas) });
      }),
    start: (service) =>
      guard(service, 'start', async () => {
        const s = await find(service);
        if (!s) return;
        if (s.mode.kind === 'global') return global(service, 'started (scaled)');
        if (s.mode.replicas > 0) return;
        const counts = [before.get(service), Number(s.labels[STOPPED_REPLICAS_LABEL]), o.replicas?.[service]];
        const replicas = counts.find((n) => n !== undefined && Number.isInteger(n) && n > 0) ?? 1;
        await swarm.scaleService(s.id, replicas, { [STOPPED_REPLICAS_LABEL]: null });
        before.delete(service);
      }),
  };
}
