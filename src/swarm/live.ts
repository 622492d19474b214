/**
 * The live view of a swarm stack: service and task lists, as the engine reports them, folded into a
 * snapshot (one current task per slot) and the StackEvents that turn one snapshot into the next. Pure: the
 * polling feed (src/cli/swarm-live.ts) emits these events on the same bus the local target uses.
 */
import type { StackEvent } from '../events/types.js';
import { LABEL } from '../model/labels.js';
import type { SwarmServiceSummary, SwarmTask } from '../runtime/types.js';
import { compareText } from '../core/compare.js';

export interface LiveService {
  service: string;
  desired: number;
  updateState?: string;
  ports: { hostPort: number; target: number; protocol: string }[];
}

/** A task as the `swarm.task` event reports it. */
export type LiveTask = Omit<Extract<StackEvent, { kind: 'swarm.task' }>, 'kind'>;

export interface LiveSnapshot {
  services: Map<string, LiveService>;
  /** The current task of each slot, keyed `service\0replica`. */
  tasks: Map<string, LiveTask>;
  /** Every task seen (old ones too) → its service and slot, so a log line finds its replica. */
  taskReplica: Map<string, { service: string; replica: number }>;
}

export interface LiveInput {
  project: string;
  services: { service: SwarmServiceSummary; tasks: SwarmTask[] }[];
  /** Node ID → hostname. */
  nodes: ReadonlyMap<string, string>;
  /** The replica number of a global service's task on a node (stable for the session). */
  nodeReplica: (nodeId: string) => number;
}

export function emptySnapshot(): LiveSnapshot {
  return { services: new Map(), tasks: new Map(), taskReplica: new Map() };
}

const WANTS_RUNNING = new Set(['running', 'ready', 'accepted', 'assigned', 'new', 'pending']);
const FAILED = new Set(['failed', 'rejected']);
/** States in which a task's container has exited (a running one reports exit code 0 too). */
const ENDED = new Set(['complete', 'failed', 'rejected', 'shutdown']);

/** The tsstack service name of a swarm service: its label, else its name without `<project>_`. */
export function serviceName(project: string, s: SwarmServiceSummary): string {
  const label = s.labels[LABEL.service];
  if (label) return label;
  return s.name.startsWith(`${project}_`) ? s.name.slice(project.length + 1) : s.name;
}

function newestFirst(a: SwarmTask, b: SwarmTask): number {
  return compareText(b.updatedAt ?? '', a.updatedAt ?? '');
}

/** Folds the engine's lists into a snapshot: per slot, the newest task the swarm wants running, else the newest. */
export function liveSnapshot(input: LiveInput): LiveSnapshot {
  const out = emptySnapshot();
  for (const { service, tasks } of input.services) {
    const name = serviceName(input.project, service);
    const global = service.mode.kind === 'global';
    const slots = new Map<number, SwarmTask[]>();
    for (const t of tasks) {
      const replica = global ? input.nodeReplica(t.nodeId) : (t.slot ?? 0);
      out.taskReplica.set(t.id, { service: name, replica });
      slots.set(replica, [...(slots.get(replica) ?? []), t]);
    }
    let wanted = 0;
    for (const [replica, list] of [...slots].sort((a, b) => a[0] - b[0])) {
      const sorted = list.slice().sort(newestFirst);
      const current = sorted.find((t) => WANTS_RUNNING.has(t.desiredState)) ?? sorted[0]!;
      const live = WANTS_RUNNING.has(current.desiredState);
      if (live) wanted++;
      // A slot above the replica count with nothing wanted running is a scaled-down leftover.
      const kept =
        live || (service.mode.kind === 'replicated' && replica >= 1 && replica <= service.mode.replicas);
      if (!kept) continue;
      const previous =
        current.state === 'running'
          ? undefined
          : sorted.find((t) => t !== current && FAILED.has(t.state) && t.error);
      const error = current.error ?? (previous?.error ? `previous task: ${previous.error}` : undefined);
      const started = current.state === 'running' && current.updatedAt ? Date.parse(current.updatedAt) : NaN;
      out.tasks.set(`${name}\0${replica}`, {
        service: name,
        replica,
        task: current.id,
        node: current.nodeId ? (input.nodes.get(current.nodeId) ?? current.nodeId.slice(0, 12)) : '',
        state: current.state,
        desiredState: current.desiredState,
        ...(error ? { error } : {}),
        ...(current.exitCode !== undefined && ENDED.has(current.state) ? { exitCode: current.exitCode } : {}),
        ...(Number.isFinite(started) ? { startedAt: started } : {}),
      });
    }
    out.services.set(name, {
      service: name,
      desired: service.mode.kind === 'replicated' ? service.mode.replicas : wanted,
      ...(service.updateState ? { updateState: service.updateState } : {}),
      ports: service.ports.flatMap((p) =>
        p.published === undefined ? [] : [{ hostPort: p.published, target: p.target, protocol: p.protocol }],
      ),
    });
  }
  return out;
}

function sameService(a: LiveService, b: LiveService): boolean {
  return (
    a.desired === b.desired &&
    a.updateState === b.updateState &&
    JSON.stringify(a.ports) === JSON.stringify(b.ports)
  );
}

function sameTask(a: LiveTask, b: LiveTask): boolean {
  return (
    a.task === b.task &&
    a.node === b.node &&
    a.state === b.state &&
    a.desiredState === b.desiredState &&
    a.error === b.error &&
    a.exitCode === b.exitCode
  );
}

/** The events that take a view from `prev` to `next`: changed services and tasks, slots gone. */
export function liveEvents(prev: LiveSnapshot, next: LiveSnapshot): StackEvent[] {
  const events: StackEvent[] = [];
  for (const [name, s] of next.services) {
    const before = prev.services.get(name);
    if (!before || !sameService(before, s)) events.push({ kind: 'swarm.service', ...s });
  }
  for (const [key, t] of next.tasks) {
    const before = prev.tasks.get(key);
    if (!before || !sameTask(before, t)) events.push({ kind: 'swarm.task', ...t });
  }
  for (const [key, t] of prev.tasks) {
    if (next.tasks.has(key)) continue;
    events.push({
      kind: 'container.state',
      service: t.service,
      replica: t.replica,
      container: t.task,
      phase: 'removed',
    });
  }
  for (const name of prev.services.keys())
    if (!next.services.has(name))
      events.push({ kind: 'warning', service: name, message: `service ${name} is no longer in the swarm` });
  return events;
}
