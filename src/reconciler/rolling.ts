/**
 * Rolling replacement of a changed replicated service, per `deploy.update_config` (used when the
 * service sets it): replicas are replaced in batches of `parallelism`, `delay` apart, each batch waiting
 * for the previous one's new replicas to be healthy.
 *
 * start-first, per replica `<name>`:
 *   create `<name>-next` (new config; DNS aliases of its own only) → start → [healthy] →
 *   disconnect+connect it with the service's aliases → stop the old replica (it finishes the requests
 *   under way; its DNS entries go when it exits) → remove it → rename `<name>-next` to `<name>`.
 * So the service alias only ever names replicas that passed their health check, and at least the old
 * replica serves until the new one does. stop-first: stop → remove → create → start → [healthy], one
 * batch at a time (replica names reused at once).
 *
 * failure_action: `pause` (default) — later batches do not run, the failed new replica is left for
 * inspection; `continue` — later batches run anyway; `rollback` — the failed new replica is removed
 * (the old one keeps serving); replicas already replaced in earlier batches keep the new config.
 */
import type { DesiredContainer, DesiredService } from '../model/desired.js';
import type { ObservedContainer } from '../model/observed.js';
import type { PlanBuilder } from '../model/plan.js';
import type { UpdateConfig } from '../spec/types.js';

export interface Replacement {
  want: DesiredContainer;
  current: ObservedContainer;
  reason: string;
}

export interface RollingContext {
  /** Ops every new container waits for (dependencies ready, networks and volumes created). */
  after: (want: DesiredContainer) => string[];
  /** Extra fields for start operations (depends_on conditions). */
  startExtras: Record<string, unknown>;
  stopTimeout?: number;
}

/** Swarm's defaults for what the file leaves out. */
export function updateConfigOf(svc: DesiredService): UpdateConfig {
  return {
    parallelism: 1,
    delay: 0,
    order: 'stop-first',
    failure_action: 'pause',
    ...svc.updateConfig,
  };
}

/** The name a start-first replacement runs under until the old replica is gone. */
export function nextName(name: string): string {
  return `${name}-next`;
}

/** Adds the rolling replacement of `replacements`; returns the ids dependents of the service wait for. */
export function planRolling(
  b: PlanBuilder,
  svc: DesiredService,
  replacements: Replacement[],
  ctx: RollingContext,
): string[] {
  const cfg = updateConfigOf(svc);
  const size = Math.max(1, cfg.parallelism || replacements.length);
  const sorted = [...replacements].sort((x, y) => x.want.replica - y.want.replica);
  const ready: string[] = [];
  let previous: { done: string[]; healthy: string[] } | undefined;
  for (let i = 0; i < sorted.length; i += size) {
    const batch = sorted.slice(i, i + size);
    const gate = previous;
    const done: string[] = [];
    const healthy: string[] = [];
    for (const [k, r] of batch.entries()) {
      const entry = {
        after: [...(gate?.done ?? [])],
        ...(gate && cfg.failure_action === 'continue' ? { softAfter: gate.done } : {}),
        ...(gate && cfg.delay > 0 ? { delayMs: cfg.delay } : {}),
        ...(gate ? { waitsHealthy: gate.healthy[k % gate.healthy.length] } : {}),
      };
      const out =
        cfg.order === 'start-first'
          ? startFirst(b, svc, r, ctx, entry, cfg)
          : stopFirst(b, svc, r, ctx, entry);
      done.push(out.done);
      healthy.push(out.healthyName);
      ready.push(out.ready);
    }
    previous = { done, healthy };
  }
  return ready;
}

interface Entry {
  after: string[];
  softAfter?: string[];
  delayMs?: number;
  waitsHealthy?: string;
}

function startFirst(
  b: PlanBuilder,
  svc: DesiredService,
  r: Replacement,
  ctx: RollingContext,
  entry: Entry,
  cfg: UpdateConfig,
): { done: string; ready: string; healthyName: string } {
  const name = r.want.name;
  const temp = nextName(name);
  const ids = { service: svc.name, replica: r.want.replica };
  const own = new Set([svc.name, name]);
  // The new replica joins the networks with no shared alias until it is healthy.
  const spec = {
    ...r.want.spec,
    name: temp,
    networks: r.want.spec.networks.map((n) => ({ ...n, aliases: n.aliases.filter((a) => !own.has(a)) })),
  };
  const create = b.add({
    kind: 'container.create',
    target: temp,
    ...ids,
    spec,
    reason: `${r.reason} (rolling, start-first)`,
    ...entry,
    after: [...entry.after, ...ctx.after(r.want)],
  });
  const start = b.add({
    kind: 'container.start',
    target: temp,
    ...ids,
    ref: temp,
    reason: 'new replica',
    after: [create, ...ctx.after(r.want)],
    ...ctx.startExtras,
  });
  let last = start;
  const rollback = cfg.failure_action === 'rollback' ? { rollbackRemove: temp } : {};
  let first = true;
  for (const n of r.want.spec.networks) {
    const off = b.add({
      kind: 'container.disconnect',
      target: `${temp} from ${n.network}`,
      ...ids,
      ref: temp,
      network: n.network,
      reason: 'healthy: take the service aliases',
      after: [last],
      ...(first ? { waitsHealthy: temp, ...rollback } : {}),
    });
    first = false;
    last = b.add({
      kind: 'container.connect',
      target: `${temp} to ${n.network}`,
      ...ids,
      ref: temp,
      attachment: n,
      reason: 'with the service aliases',
      after: [off],
    });
  }
  // Without a network to swap aliases on, the health gate sits on the old replica's stop.
  const gateOnStop = first ? { waitsHealthy: temp, ...rollback } : {};
  // The old replica is stopped on its networks, not cut off them first: a disconnect would break the
  // requests it is serving (and its own connections to databases) mid-way, and their clients would wait
  // for answers that never come. Stopped, it finishes them within its stop grace period; the engine drops
  // its DNS entries when it exits, and a client that still tries its address meanwhile is refused at once.
  const stop = b.add({
    kind: 'container.stop',
    target: r.current.name,
    ...ids,
    ref: r.current.id,
    timeout: ctx.stopTimeout,
    reason: 'replaced',
    after: [last],
    ...gateOnStop,
  });
  const remove = b.add({
    kind: 'container.remove',
    target: r.current.name,
    ...ids,
    ref: r.current.id,
    volumes: false,
    reason: 'replaced',
    after: [stop],
  });
  const rename = b.add({
    kind: 'container.rename',
    target: temp,
    ...ids,
    ref: temp,
    name,
    reason: `to ${name}`,
    after: [remove],
  });
  return { done: rename, ready: start, healthyName: name };
}

function stopFirst(
  b: PlanBuilder,
  svc: DesiredService,
  r: Replacement,
  ctx: RollingContext,
  entry: Entry,
): { done: string; ready: string; healthyName: string } {
  const ids = { service: svc.name, replica: r.want.replica };
  const stop = b.add({
    kind: 'container.stop',
    target: r.current.name,
    ...ids,
    ref: r.current.id,
    timeout: ctx.stopTimeout,
    reason: `${r.reason} (rolling, stop-first)`,
    ...entry,
  });
  const remove = b.add({
    kind: 'container.remove',
    target: r.current.name,
    ...ids,
    ref: r.current.id,
    volumes: false,
    reason: r.reason,
    after: [stop],
  });
  const create = b.add({
    kind: 'container.create',
    target: r.want.name,
    ...ids,
    spec: r.want.spec,
    reason: r.reason,
    after: [remove, ...ctx.after(r.want)],
  });
  const start = b.add({
    kind: 'container.start',
    target: r.want.name,
    ...ids,
    ref: r.want.name,
    reason: 'created',
    after: [create, ...ctx.after(r.want)],
    ...ctx.startExtras,
  });
  return { done: start, ready: start, healthyName: r.want.name };
}
