/**
 * Pure planners for `kill`, `pause` and `unpause`: one engine call per container, all at once (Compose
 * sends them in parallel too, with no dependency order). Like lifecycle.ts they work from what is observed.
 */
import type { ObservedContainer, ObservedState } from '../model/observed.js';
import { PlanBuilder, type Plan } from '../model/plan.js';

export interface SignalSelect {
  /** Only containers of these services (default: all). */
  services?: string[];
  /**
   * The services of the stack file, when there is one: containers of other services (orphans) are left
   * alone unless `includeOrphans`.
   */
  specServices?: string[];
  includeOrphans?: boolean;
}

function select(observed: ObservedState, o: SignalSelect, states: string[]): ObservedContainer[] {
  const only = o.services && o.services.length > 0 ? new Set(o.services) : undefined;
  const spec = o.specServices && o.specServices.length > 0 ? new Set(o.specServices) : undefined;
  return observed.containers.filter(
    (c) =>
      states.includes(c.summary.state) &&
      (!only || only.has(c.service)) &&
      (o.includeOrphans || !spec || spec.has(c.service)),
  );
}

/** `kill [-s SIGNAL]`: the signal to every running (or paused) container, one-off containers included. */
export function planKill(observed: ObservedState, o: SignalSelect & { signal: string }): Plan {
  const b = new PlanBuilder();
  for (const c of select(observed, o, ['running', 'restarting', 'paused']))
    b.add({
      kind: 'container.kill',
      target: c.name,
      service: c.service,
      replica: c.replica,
      ref: c.id,
      signal: o.signal,
      reason: `kill -s ${o.signal}`,
    });
  if (b.all().length === 0) b.notes.push('no container to kill');
  return b.build();
}

/** `pause`: every running container of the services (one already paused is left as it is). */
export function planPause(observed: ObservedState, o: SignalSelect = {}): Plan {
  const b = new PlanBuilder();
  for (const c of select(observed, { ...o, includeOrphans: true }, ['running']))
    b.add({
      kind: 'container.pause',
      target: c.name,
      service: c.service,
      replica: c.replica,
      ref: c.id,
      reason: 'pause',
    });
  return b.build();
}

/** `unpause`: every paused container of the services. */
export function planUnpause(observed: ObservedState, o: SignalSelect = {}): Plan {
  const b = new PlanBuilder();
  for (const c of select(observed, { ...o, includeOrphans: true }, ['paused']))
    b.add({
      kind: 'container.unpause',
      target: c.name,
      service: c.service,
      replica: c.replica,
      ref: c.id,
      reason: 'unpause',
    });
  return b.build();
}
