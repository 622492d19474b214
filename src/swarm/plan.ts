/**
 * The swarm plan: pure, one engine call per operation, each with its reason. A service is updated only when
 * its config-hash label differs from the desired hash (the engine normalizes specs, so comparing them would
 * never settle); a second run with nothing changed plans nothing.
 */
import { LABEL } from '../model/labels.js';
import type { NetworkCreateSpec, SwarmServiceSpec } from '../runtime/types.js';
import type { DesiredFileObject, SwarmDesired } from './desired.js';
import type { SwarmObserved } from './observe.js';

export type SwarmOperation =
  | { kind: 'create-network'; name: string; spec: NetworkCreateSpec; reason: string }
  | { kind: 'create-object'; object: DesiredFileObject; reason: string }
  | { kind: 'create-service'; name: string; spec: SwarmServiceSpec; reason: string }
  | {
      kind: 'update-service';
      name: string;
      id: string;
      version: number;
      spec: SwarmServiceSpec;
      reason: string;
    }
  | { kind: 'remove-service'; name: string; id: string; reason: string }
  | { kind: 'remove-object'; objectKind: 'secret' | 'config'; name: string; id: string; reason: string }
  | { kind: 'remove-network'; name: string; reason: string };

export interface SwarmPlanOptions {
  /** Remove services of the project that the stack no longer has. */
  removeOrphans?: boolean;
}

function replicasOf(mode: SwarmServiceSpec['mode']): string {
  return mode.kind === 'global' ? 'global' : String(mode.replicas);
}

/** Operations that take the swarm from `observed` to `desired`, in the order they must run. */
export function planSwarm(
  desired: SwarmDesired,
  observed: SwarmObserved,
  opts: SwarmPlanOptions = {},
): SwarmOperation[] {
  const ops: SwarmOperation[] = [];
  const networkNames = new Set(observed.networks.map((n) => n.name));
  for (const n of desired.networks)
    if (!n.external && !networkNames.has(n.spec.name))
      ops.push({ kind: 'create-network', name: n.spec.name, spec: n.spec, reason: 'no network' });
  const objectNames = new Set([...observed.secrets, ...observed.configs].map((o) => o.name));
  for (const o of desired.objects)
    if (!o.external && !objectNames.has(o.name))
      ops.push({ kind: 'create-object', object: o, reason: `no ${o.kind} with this content` });
  const byName = new Map(observed.services.map((s) => [s.name, s]));
  for (const d of desired.services) {
    const current = byName.get(d.spec.name);
    if (!current) {
      ops.push({ kind: 'create-service', name: d.spec.name, spec: d.spec, reason: 'no service' });
      continue;
    }
    const before = replicasOf(current.mode);
    const after = replicasOf(d.spec.mode);
    // Same config and the replica count the stack asks for; a count changed outside the stack file (the
    // live UI's stop, `docker service scale`) is brought back like any other drift.
    if (current.labels[LABEL.configHash] === d.hash && before === after) continue;
    const scaled = before !== after ? `replicas ${before} → ${after}` : '';
    const reason = scaled && current.image === d.spec.image ? `scaled: ${scaled}` : 'config changed';
    ops.push({
      kind: 'update-service',
      name: d.spec.name,
      id: current.id,
      version: current.version,
      spec: d.spec,
      reason: reason === 'config changed' && scaled ? `config changed, ${scaled}` : reason,
    });
  }
  const wanted = new Set(desired.services.map((d) => d.spec.name));
  if (opts.removeOrphans)
    for (const s of observed.services)
      if (!wanted.has(s.name))
        ops.push({ kind: 'remove-service', name: s.name, id: s.id, reason: 'not in the stack' });
  // Secrets and configs of an older content, no longer named by any desired service.
  const keep = new Set(desired.objects.map((o) => o.name));
  for (const [objectKind, list] of [
    ['secret', observed.secrets],
    ['config', observed.configs],
  ] as const)
    for (const o of list)
      if (!keep.has(o.name))
        ops.push({
          kind: 'remove-object',
          objectKind,
          name: o.name,
          id: o.id,
          reason: 'content replaced or unused',
        });
  return ops;
}

/** Everything of the project, services first (networks and objects are in use until their tasks are gone). */
export function planSwarmDown(observed: SwarmObserved): SwarmOperation[] {
  return [
    ...observed.services.map((s) => ({
      kind: 'remove-service' as const,
      name: s.name,
      id: s.id,
      reason: 'down',
    })),
    ...observed.secrets.map((o) => ({
      kind: 'remove-object' as const,
      objectKind: 'secret' as const,
      name: o.name,
      id: o.id,
      reason: 'down',
    })),
    ...observed.configs.map((o) => ({
      kind: 'remove-object' as const,
      objectKind: 'config' as const,
      name: o.name,
      id: o.id,
      reason: 'down',
    })),
    ...observed.networks.map((n) => ({ kind: 'remove-network' as const, name: n.name, reason: 'down' })),
  ];
}

/** One operation a line, as `up --target swarm --dry-run` prints it. */
export function renderSwarmPlan(ops: SwarmOperation[]): string {
  if (ops.length === 0) return 'nothing to do\n';
  return ops
    .map((op) => {
      switch (op.kind) {
        case 'create-network':
          return `create network ${op.name} (${op.reason})`;
        case 'create-object':
          return `create ${op.object.kind} ${op.object.name} (${op.reason})`;
        case 'create-service':
          return `create service ${op.name} (${op.reason})`;
        case 'update-service':
          return `update service ${op.name} (${op.reason})`;
        case 'remove-service':
          return `remove service ${op.name} (${op.reason})`;
        case 'remove-object':
          return `remove ${op.objectKind} ${op.name} (${op.reason})`;
        case 'remove-network':
          return `remove network ${op.name} (${op.reason})`;
      }
    })
    .map((l) => `${l}\n`)
    .join('');
}
