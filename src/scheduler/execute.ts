/**
 * A small generic DAG executor: nodes with dependency edges, a concurrency cap and an AbortSignal.
 *
 * Event-driven: a node is queued the moment its last edge is satisfied (no polling), and starts as soon
 * as a concurrency slot is free. An edge names the node it waits for and a condition:
 *   - 'done'      — the node's `run` resolved (implemented here);
 *   - 'healthy' / 'completed' — resolved by the caller's `waitFor` hook once the dependency is done
 *     (the scheduler layer plugs in health and exit-code waits; without a hook those conditions throw).
 * A node whose dependency failed, was skipped, or whose `waitFor` rejected is skipped and never runs
 * (unless the edge is `optional`); independent branches keep going. A node's optional `gate` (a condition
 * on the outside world, such as a dependency's health) is awaited without holding a concurrency slot.
 * Aborting stops new nodes from starting; running ones get the signal.
 *
 * Two lanes of slots: work (`concurrency`) and waiting (`waitConcurrency`). A node whose run mostly waits
 * (`waits`: a container stop sitting out its grace period) takes a slot of the waiting lane only, so N
 * such nodes run side by side instead of queueing N/cap deep behind the work cap; dependency edges still
 * order them.
 */
import { setMaxListeners } from 'node:events';

export type EdgeCondition = 'done' | 'healthy' | 'completed';

export interface DagEdge {
  /** Id of the node this edge waits for. */
  id: string;
  condition: EdgeCondition;
  /** A soft edge: when the dependency fails or is skipped the dependent still runs (`required: false`). */
  optional?: boolean;
}

export interface DagNode<T = unknown> {
  id: string;
  deps: DagEdge[];
  run(signal: AbortSignal): Promise<T>;
  /**
   * Awaited once every edge holds, before the node takes a concurrency slot (a condition on the
   * engine's state, e.g. a dependency's health); rejecting fails the node with that error.
   */
  gate?: (signal: AbortSignal) => Promise<void>;
  /** Its run mostly waits (on a timer in the engine), not works: it runs in the waiting lane. */
  waits?: boolean;
}

export type NodeOutcome<T = unknown> =
  | { status: 'done'; value: T; ms: number }
  | { status: 'failed'; error: unknown; ms: number }
  | { status: 'skipped'; reason: string; blockedBy?: string };

export interface ExecuteOptions<T = unknown> {
  /** Most nodes running at once in the work lane (at least 1). */
  concurrency: number;
  /** Most `waits` nodes running at once (at least 1; default: `concurrency`). */
  waitConcurrency?: number;
  signal?: AbortSignal;
  /**
   * Resolves once `edge`'s condition holds for a dependency that is done (called only for conditions
   * other than 'done'); rejecting skips the dependent with the rejection's message.
   */
  waitFor?: (edge: DagEdge, dependency: DagNode<T>, value: T, signal: AbortSignal) => Promise<void>;
  onStart?: (node: DagNode<T>) => void;
  onDone?: (node: DagNode<T>, value: T, ms: number) => void;
  onFailed?: (node: DagNode<T>, error: unknown, ms: number) => void;
  onSkipped?: (node: DagNode<T>, reason: string) => void;
  /** A soft edge's dependency failed or was skipped; the dependent runs anyway. */
  onSoftEdgeBroken?: (node: DagNode<T>, edge: DagEdge, reason: string) => void;
}

/** Thrown (synchronously, before anything runs) for unknown dependency ids and cycles. */
export class DagError extends Error {}

/** Runs every node once, in dependency order, and resolves with each node's outcome (never rejects for node failures). */
export async function executeDag<T>(
  nodes: DagNode<T>[],
  options: ExecuteOptions<T>,
): Promise<Map<string, NodeOutcome<T>>> {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  validateGraph(nodes, byId);
  const lanes = {
    work: lane<T>(options.concurrency),
    wait: lane<T>(options.waitConcurrency ?? options.concurrency),
  };
  const laneOf = (node: DagNode<T>): Lane<T> => (node.waits ? lanes.wait : lanes.work);
  const controller = new AbortController();
  // Every waiting node or service listens on this one signal.
  setMaxListeners(0, controller.signal);
  const outerSignal = options.signal;
  const onAbort = (): void => controller.abort(outerSignal?.reason);
  outerSignal?.addEventListener('abort', onAbort, { once: true });
  if (outerSignal?.aborted) controller.abort(outerSignal.reason);

  const outcomes = new Map<string, NodeOutcome<T>>();
  const pendingEdges = new Map<string, number>(nodes.map((n) => [n.id, n.deps.length]));
  const dependents = new Map<string, { node: DagNode<T>; edge: DagEdge }[]>();
  for (const n of nodes) {
    for (const edge of n.deps) {
      const list = dependents.get(edge.id) ?? [];
      list.push({ node: n, edge });
      dependents.set(edge.id, list);
    }
  }
  let finished = 0;

  return new Promise((resolve) => {
    const finish = (): void => {
      outerSignal?.removeEventListener('abort', onAbort);
      resolve(outcomes);
    };
    const settle = (node: DagNode<T>, outcome: NodeOutcome<T>): void => {
      if (outcomes.has(node.id)) return;
      outcomes.set(node.id, outcome);
      finished++;
      if (outcome.status === 'skipped') options.onSkipped?.(node, outcome.reason);
      for (const { node: dep, edge } of dependents.get(node.id) ?? []) {
        const why = `${node.id} ${outcome.status === 'failed' ? 'failed' : 'was skipped'}`;
        if (outcome.status === 'done') satisfyEdge(dep, edge, node, outcome.value);
        else if (edge.optional && !(outcome.status === 'skipped' && outcome.reason === 'aborted')) {
          options.onSoftEdgeBroken?.(dep, edge, why);
          edgeSatisfied(dep);
        } else skip(dep, why, node.id);
      }
      if (finished === nodes.length) finish();
      else pump();
    };
    const skip = (node: DagNode<T>, reason: string, blockedBy?: string): void =>
      settle(node, { status: 'skipped', reason, blockedBy });
    const edgeSatisfied = (node: DagNode<T>): void => {
      if (outcomes.has(node.id)) return;
      const left = (pendingEdges.get(node.id) ?? 0) - 1;
      pendingEdges.set(node.id, left);
      if (left === 0) release(node);
    };
    // Gates wait outside the concurrency cap, so a long health wait never starves unrelated nodes.
    const release = (node: DagNode<T>): void => {
      if (!node.gate) return void laneOf(node).ready.push(node);
      const t0 = performance.now();
      let gated: Promise<void>;
      try {
        gated = node.gate(controller.signal);
      } catch (err) {
        gated = Promise.reject(err);
      }
      gated.then(
        () => {
          laneOf(node).ready.push(node);
          pump();
        },
        (error: unknown) => {
          options.onFailed?.(node, error, performance.now() - t0);
          settle(node, { status: 'failed', error, ms: performance.now() - t0 });
        },
      );
    };
    const satisfyEdge = (node: DagNode<T>, edge: DagEdge, dependency: DagNode<T>, value: T): void => {
      if (edge.condition === 'done') return edgeSatisfied(node);
      const hook = options.waitFor;
      if (!hook) return skip(node, `no waitFor hook for condition '${edge.condition}'`, dependency.id);
      // Waiting on a condition does not take a concurrency slot.
      hook(edge, dependency, value, controller.signal).then(
        () => {
          edgeSatisfied(node);
          pump();
        },
        (err: unknown) => skip(node, errorMessage(err), dependency.id),
      );
    };
    const start = (node: DagNode<T>): void => {
      const own = laneOf(node);
      own.running++;
      options.onStart?.(node);
      const t0 = performance.now();
      let promise: Promise<T>;
      try {
        promise = node.run(controller.signal);
      } catch (err) {
        promise = Promise.reject(err);
      }
      promise.then(
        (value) => {
          const ms = performance.now() - t0;
          own.running--;
          options.onDone?.(node, value, ms);
          settle(node, { status: 'done', value, ms });
        },
        (error: unknown) => {
          const ms = performance.now() - t0;
          own.running--;
          options.onFailed?.(node, error, ms);
          settle(node, { status: 'failed', error, ms });
        },
      );
    };
    const pump = (): void => {
      if (controller.signal.aborted) {
        // Nothing new starts; queued nodes are skipped now, waiting ones as their deps settle.
        for (const l of [lanes.work, lanes.wait]) for (const node of l.ready.splice(0)) skip(node, 'aborted');
        if (lanes.work.running + lanes.wait.running === 0)
          for (const n of nodes) if (!outcomes.has(n.id)) skip(n, 'aborted');
        return;
      }
      for (const l of [lanes.work, lanes.wait])
        while (l.running < l.cap && l.ready.length > 0) start(l.ready.shift() as DagNode<T>);
    };
    controller.signal.addEventListener('abort', () => pump(), { once: true });
    if (nodes.length === 0) return finish();
    for (const n of nodes) if (n.deps.length === 0) release(n);
    pump();
  });
}

/** One lane of concurrency slots: nodes ready to run (in order) and how many of its nodes run now. */
interface Lane<T> {
  cap: number;
  ready: DagNode<T>[];
  running: number;
}

function lane<T>(cap: number): Lane<T> {
  return { cap: Math.max(1, Math.floor(cap)), ready: [], running: 0 };
}

function validateGraph<T>(nodes: DagNode<T>[], byId: Map<string, DagNode<T>>): void {
  if (byId.size !== nodes.length) throw new DagError('duplicate node ids');
  for (const n of nodes)
    for (const e of n.deps)
      if (!byId.has(e.id)) throw new DagError(`node ${n.id} waits for unknown node ${e.id}`);
  // Kahn's algorithm: anything left over sits on a cycle.
  const indegree = new Map(nodes.map((n) => [n.id, n.deps.length]));
  const out = new Map<string, string[]>();
  for (const n of nodes) for (const e of n.deps) out.set(e.id, [...(out.get(e.id) ?? []), n.id]);
  const queue = nodes.filter((n) => n.deps.length === 0).map((n) => n.id);
  let seen = 0;
  while (queue.length > 0) {
    const id = queue.pop() as string;
    seen++;
    for (const next of out.get(id) ?? []) {
      const d = (indegree.get(next) ?? 0) - 1;
      indegree.set(next, d);
      if (d === 0) queue.push(next);
    }
  }
  if (seen !== nodes.length) {
    const stuck = [...indegree].filter(([, d]) => d > 0).map(([id]) => id);
    throw new DagError(`dependency cycle among: ${stuck.join(', ')}`);
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
