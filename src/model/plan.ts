/**
 * A plan is a small graph of operations. Each operation is exactly one engine call, names the object it
 * acts on, says why it is needed, and lists the operations it waits for. Plans are plain data: pure
 * planners build them, `render` prints them, `apply` executes them.
 */
import type {
  ContainerCreateSpec,
  NetworkAttachment,
  NetworkCreateSpec,
  VolumeCreateSpec,
} from '../runtime/types.js';
import type { ProcessCreateSpec } from '../runtime/process/types.js';
import type { DependencyCondition } from '../spec/types.js';

/** What a dependent waits for before it starts. */
export interface ServiceCondition {
  service: string;
  condition: DependencyCondition;
  /** False: a dependency that fails or never gets there only warns. */
  required: boolean;
  /** A host process (its supervisor answers the wait), not a service's containers. */
  workload?: 'process';
}

interface OperationBase {
  /** Unique within a plan, stable across runs: `<kind>:<target>`. */
  id: string;
  /** The object acted on: container, network, volume or image name. */
  target: string;
  service?: string;
  replica?: number;
  /** Why: "no container", "config changed: environment", "scaled down", "orphan", ... */
  reason: string;
  /** Ids of operations that must finish first. */
  after: string[];
  /**
   * `depends_on` conditions checked on the engine before this (start) operation runs: health, completion,
   * and `required: false` dependencies (whose failure only warns).
   */
  waitsFor?: ServiceCondition[];
  /** Rolling updates: run only once this container is healthy (or running, without a health check). */
  waitsHealthy?: string;
  /** Rolling updates: wait this long (ms) before running (`update_config.delay` between batches). */
  delayMs?: number;
  /** Rolling updates: ids in `after` whose failure does not block this one (`failure_action: continue`). */
  softAfter?: string[];
  /** Rolling updates: when this fails, remove this (new) container (`failure_action: rollback`). */
  rollbackRemove?: string;
}

export type Operation = OperationBase &
  (
    | { kind: 'network.create'; spec: NetworkCreateSpec }
    | { kind: 'network.remove' }
    | { kind: 'volume.create'; spec: VolumeCreateSpec }
    | { kind: 'volume.remove' }
    | { kind: 'container.create'; spec: ContainerCreateSpec }
    /** `ref` is the container id when it exists already, else its (unique) name. */
    | { kind: 'container.start'; ref: string }
    | { kind: 'container.stop'; ref: string; timeout?: number }
    | { kind: 'container.restart'; ref: string; timeout?: number }
    /** `signal`: a name (`SIGKILL`, `HUP`) or number, as the engine takes it. */
    | { kind: 'container.kill'; ref: string; signal: string }
    | { kind: 'container.pause'; ref: string }
    | { kind: 'container.unpause'; ref: string }
    | { kind: 'container.remove'; ref: string; volumes: boolean }
    /** Target `<container> to <network>` / `<container> from <network>` (one op per network). */
    | { kind: 'container.connect'; ref: string; attachment: NetworkAttachment }
    | { kind: 'container.disconnect'; ref: string; network: string }
    | { kind: 'container.rename'; ref: string; name: string }
    | { kind: 'image.remove' }
    /** Host processes: `target` and `ref` are the replica's name (`<project>-<service>-<n>`). */
    | { kind: 'process.start'; spec: ProcessCreateSpec }
    | { kind: 'process.stop'; ref: string; timeout?: number }
    | { kind: 'process.restart'; ref: string; timeout?: number }
    | { kind: 'process.remove'; ref: string; timeout?: number }
  );

export type OperationKind = Operation['kind'];

export interface Plan {
  /** In an order that respects `after` (dependencies first). */
  operations: Operation[];
  /** Containers of services no longer in the spec (removed only with --remove-orphans). */
  orphans: string[];
  /** Things worth telling the user that need no operation. */
  notes: string[];
}

type Distribute<T> = T extends unknown ? Omit<T, 'id' | 'after'> & { after?: string[] } : never;
export type OperationInput = Distribute<Operation>;

/** Collects operations; ids are `<kind>:<target>`. */
export class PlanBuilder {
  private readonly ops = new Map<string, Operation>();
  readonly notes: string[] = [];
  readonly orphans: string[] = [];

  add(input: OperationInput): string {
    const id = `${input.kind}:${input.target}`;
    if (this.ops.has(id)) return id;
    this.ops.set(id, { ...input, id, after: unique(input.after ?? []) } as Operation);
    return id;
  }

  get(id: string): Operation | undefined {
    return this.ops.get(id);
  }

  /** Adds edges after the fact (for the reverse order of stops). */
  addAfter(id: string, after: string[]): void {
    const op = this.ops.get(id);
    if (op) op.after = unique([...op.after, ...after.filter((a) => a !== id && this.ops.has(a))]);
  }

  all(): Operation[] {
    return [...this.ops.values()];
  }

  build(): Plan {
    return { operations: topoSort(this.all()), orphans: [...this.orphans].sort(), notes: [...this.notes] };
  }
}

/** Stable topological order: among ready operations, the one added first goes first. */
export function topoSort(ops: Operation[]): Operation[] {
  const index = new Map(ops.map((o, i) => [o.id, i]));
  const remaining = new Map(ops.map((o) => [o.id, o.after.filter((a) => index.has(a)).length]));
  const dependents = new Map<string, string[]>();
  for (const o of ops) for (const a of o.after) dependents.set(a, [...(dependents.get(a) ?? []), o.id]);
  const ready = ops.filter((o) => remaining.get(o.id) === 0).map((o) => o.id);
  const out: Operation[] = [];
  const byId = new Map(ops.map((o) => [o.id, o]));
  while (ready.length > 0) {
    ready.sort((a, b) => (index.get(a) ?? 0) - (index.get(b) ?? 0));
    const id = ready.shift() as string;
    out.push(byId.get(id) as Operation);
    for (const d of dependents.get(id) ?? []) {
      const left = (remaining.get(d) ?? 0) - 1;
      remaining.set(d, left);
      if (left === 0) ready.push(d);
    }
  }
  if (out.length !== ops.length) throw new Error('plan has a dependency cycle');
  return out;
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}
