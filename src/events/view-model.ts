/**
 * The view model the UI and `ps`-like views render, and the pure fold that builds it from StackEvents.
 * `reduce` never mutates its input (log buffers are persistent, see log-buffer.ts) and returns the very
 * same object when an event changes nothing, so subscribers can skip work on reference equality.
 */
import { appendLog, emptyLogBuffer, type LogBuffer } from './log-buffer.js';
import type { ServicePhase, StackEvent } from './types.js';

export type Health = 'starting' | 'healthy' | 'unhealthy';

export interface PortView {
  hostIp?: string;
  hostPort: number;
  target: number;
  protocol: string;
}

/** One replica (one container) of a service. */
export interface ReplicaView {
  replica: number;
  container: string;
  /** Never 'healthy'/'unhealthy': those arrive as phase 'running' plus `health`. */
  phase: ServicePhase;
  health?: Health;
  exitCode?: number;
  /** Unix ms of the last start. */
  startedAt?: number;
  restarts: number;
  /** Unix ms when a pending (backed-off) restart fires. */
  restartAt?: number;
  restartReason?: string;
  cpuPercent?: number;
  memoryUsage?: number;
  memoryLimit?: number;
  ports: readonly PortView[];
  /** Swarm tasks only: the node's hostname, the task's own state word, its error. */
  node?: string;
  taskState?: string;
  error?: string;
}

export interface ImageProgressView {
  action: 'build' | 'pull' | 'push';
  message: string;
  current?: number;
  total?: number;
}

export interface ServiceView {
  name: string;
  /** A host process (`x-tsstack.processes`), not containers. */
  kind?: 'process';
  /** Desired replicas when the stack said so; else the replicas we see stand in. */
  desired?: number;
  /** Sorted by replica number. */
  replicas: readonly ReplicaView[];
  lastExitCode?: number;
  image?: ImageProgressView;
  /** Swarm services only: the update state (updating, paused, rollback_completed, ...). */
  updateState?: string;
  /** Swarm services only: the published ports (per service, not per task). */
  servicePorts?: readonly PortView[];
}

export interface Notice {
  level: 'info' | 'warning' | 'error';
  message: string;
  service?: string;
  time: number;
}

export interface ViewConfig {
  /** Log lines kept per service. */
  serviceLogLines: number;
  /** Log lines kept across all services. */
  allLogLines: number;
  /** Longer log messages are cut here (memory stays bounded whatever a container prints). */
  maxMessageLength: number;
  /** Notices (warnings, errors, watch activity) kept. */
  maxNotices: number;
}

export const DEFAULT_VIEW_CONFIG: ViewConfig = {
  serviceLogLines: 1000,
  allLogLines: 5000,
  maxMessageLength: 8192,
  maxNotices: 20,
};

export interface ViewState {
  config: ViewConfig;
  project?: string;
  /** Display order: the stack's order, then services first seen in events. */
  order: readonly string[];
  services: Readonly<Record<string, ServiceView>>;
  logs: LogBuffer;
  serviceLogs: Readonly<Record<string, LogBuffer>>;
  logSeq: number;
  engine: { connected: boolean; error?: string; retryAt?: number };
  /** Engine operations started and not yet done or failed. */
  pendingOperations: number;
  notices: readonly Notice[];
}

/** The state before any event. */
export function initialViewState(config: Partial<ViewConfig> = {}): ViewState {
  const cfg = { ...DEFAULT_VIEW_CONFIG, ...config };
  return {
    config: cfg,
    order: [],
    services: {},
    logs: emptyLogBuffer(cfg.allLogLines),
    serviceLogs: {},
    logSeq: 0,
    engine: { connected: true },
    pendingOperations: 0,
    notices: [],
  };
}

/** Folds one event into the state at time `now` (unix ms). Pure. */
export function reduce(state: ViewState, event: StackEvent, now: number): ViewState {
  switch (event.kind) {
    case 'stack.loaded': {
      let s: ViewState = { ...state, project: event.project };
      const processes = new Set(event.processes ?? []);
      for (const name of event.services) {
        s = withService(s, name, (svc) => {
          const desired = event.replicas?.[name];
          const kind = processes.has(name) ? 'process' : undefined;
          if ((desired === undefined || desired === svc.desired) && kind === svc.kind) return svc;
          return { ...svc, ...(desired !== undefined ? { desired } : {}), ...(kind ? { kind } : {}) };
        });
      }
      const listed = new Set(event.services);
      return { ...s, order: [...event.services, ...s.order.filter((n) => !listed.has(n))] };
    }
    case 'container.state':
      return withService(state, event.service, (svc) => applyState(svc, event, now));
    case 'container.health':
      return updateReplica(state, event.service, event.replica, event.container, (r) =>
        r.health === event.health ? r : { ...r, health: event.health },
      );
    case 'container.restarting':
      return withService(state, event.service, (svc) => {
        const next = upsertReplica(svc, event.replica, event.container, (r) => ({
          ...r,
          phase: 'restarting',
          health: undefined,
          restarts: r.restarts + 1,
          restartAt: now + event.backoffMs,
          restartReason: event.reason,
          exitCode: event.lastExitCode ?? r.exitCode,
          cpuPercent: undefined,
          memoryUsage: undefined,
        }));
        return event.lastExitCode === undefined ? next : { ...next, lastExitCode: event.lastExitCode };
      });
    case 'container.stats':
      return updateReplica(state, event.service, event.replica, undefined, (r) => ({
        ...r,
        cpuPercent: event.cpuPercent,
        memoryUsage: event.memoryUsage,
        memoryLimit: event.memoryLimit,
      }));
    case 'container.ports':
      return updateReplica(state, event.service, event.replica, undefined, (r) => ({
        ...r,
        ports: event.ports,
      }));
    case 'swarm.service':
      return withService(state, event.service, (svc) => ({
        ...svc,
        desired: event.desired,
        updateState: event.updateState,
        servicePorts: event.ports,
      }));
    case 'swarm.task':
      return withService(state, event.service, (svc) => applyTask(svc, event, now));
    case 'log':
      return appendLogEvent(state, event);
    case 'image.progress':
      return withService(state, event.service, (svc) => ({
        ...svc,
        image: { action: event.action, message: event.message, current: event.current, total: event.total },
      }));
    case 'image.done':
      return withService(state, event.service, (svc) => (svc.image ? { ...svc, image: undefined } : svc));
    case 'engine.disconnected':
      return { ...state, engine: { connected: false, error: event.error, retryAt: now + event.retryInMs } };
    case 'engine.reconnected':
      return state.engine.connected ? state : { ...state, engine: { connected: true } };
    case 'operation.started':
      return { ...state, pendingOperations: state.pendingOperations + 1 };
    case 'operation.done':
      return { ...state, pendingOperations: Math.max(0, state.pendingOperations - 1) };
    case 'operation.failed':
      return addNotice(
        { ...state, pendingOperations: Math.max(0, state.pendingOperations - 1) },
        {
          level: 'error',
          message: `${event.description}: ${event.error}`,
          service: event.service,
          time: now,
        },
      );
    case 'stack.invalid':
      return addNotice(state, { level: 'error', message: event.message, time: now });
    case 'warning':
      return addNotice(state, {
        level: 'warning',
        message: event.message,
        service: event.service,
        time: now,
      });
    case 'error':
      return addNotice(state, { level: 'error', message: event.message, service: event.service, time: now });
    case 'watch.change':
      return addNotice(state, {
        level: 'info',
        message: `${event.action}: ${event.paths.length} file(s) changed`,
        service: event.service,
        time: now,
      });
    case 'watch.applied':
      return addNotice(state, {
        level: 'info',
        message: `${event.action} applied (${event.files} file(s), ${event.ms} ms)`,
        service: event.service,
        time: now,
      });
    case 'watch.pending':
      return addNotice(state, {
        level: 'info',
        message: `${event.action} pending (${event.files} file(s))`,
        service: event.service,
        time: now,
      });
    case 'watch.failed':
      return addNotice(state, {
        level: 'error',
        message: `${event.action} failed: ${event.error}`,
        service: event.service,
        time: now,
      });
    case 'plan.computed':
      return state;
  }
}

const ALIVE: ReadonlySet<ServicePhase> = new Set(['created', 'starting', 'running', 'restarting']);

function applyState(
  svc: ServiceView,
  event: Extract<StackEvent, { kind: 'container.state' }>,
  now: number,
): ServiceView {
  const current = svc.replicas.find((r) => r.replica === event.replica);
  const phase: ServicePhase =
    event.phase === 'healthy' || event.phase === 'unhealthy' ? 'running' : event.phase;
  // The old container of a replica being replaced reports its stop and removal while the new one already runs.
  const fromOther = current !== undefined && current.container !== event.container;
  if (fromOther && !ALIVE.has(phase) && ALIVE.has(current.phase)) return svc;
  if (phase === 'removed') {
    return { ...svc, replicas: svc.replicas.filter((r) => r.replica !== event.replica) };
  }
  const next = upsertReplica(svc, event.replica, event.container, (r) => {
    const out: ReplicaView = { ...r, container: event.container, phase };
    if (event.phase === 'healthy' || event.phase === 'unhealthy') out.health = event.phase;
    if (event.restartCount !== undefined) out.restarts = Math.max(r.restarts, event.restartCount);
    if (phase === 'running' || phase === 'starting') {
      const wasUp = r.phase === 'running' && r.container === event.container;
      out.startedAt = event.startedAt ?? (wasUp ? r.startedAt : now);
      out.restartAt = undefined;
      out.restartReason = undefined;
      out.exitCode = undefined;
    } else {
      out.health = undefined;
      out.cpuPercent = undefined;
      out.memoryUsage = undefined;
    }
    if (phase === 'exited') out.exitCode = event.exitCode;
    return out;
  });
  return phase === 'exited' && event.exitCode !== undefined
    ? { ...next, lastExitCode: event.exitCode }
    : next;
}

/** The replica phase that stands for a Swarm task state. */
export function taskPhase(state: string): ServicePhase {
  switch (state) {
    case 'running':
      return 'running';
    case 'complete':
    case 'failed':
    case 'rejected':
      return 'exited';
    case 'shutdown':
    case 'remove':
    case 'orphaned':
      return 'stopped';
    default:
      // new, pending, assigned, accepted, preparing, ready, starting
      return 'starting';
  }
}

function applyTask(
  svc: ServiceView,
  event: Extract<StackEvent, { kind: 'swarm.task' }>,
  now: number,
): ServiceView {
  const phase = taskPhase(event.state);
  const next = upsertReplica(svc, event.replica, event.task, (r) => {
    const same = r.container === event.task && r.phase === 'running';
    return {
      ...r,
      container: event.task,
      phase,
      node: event.node,
      taskState: event.state,
      error: event.error,
      exitCode: phase === 'exited' ? event.exitCode : undefined,
      startedAt: phase === 'running' ? (event.startedAt ?? (same ? r.startedAt : now)) : undefined,
      // A new task in a slot whose task failed is the swarm's restart (an update's new task is not).
      restarts:
        r.container !== event.task && (r.phase === 'exited' || event.error !== undefined)
          ? r.restarts + 1
          : r.restarts,
    };
  });
  return phase === 'exited' && event.exitCode !== undefined && event.exitCode !== 0
    ? { ...next, lastExitCode: event.exitCode }
    : next;
}

function blankReplica(replica: number, container: string): ReplicaView {
  return { replica, container, phase: 'created', restarts: 0, ports: [] };
}

function upsertReplica(
  svc: ServiceView,
  replica: number,
  container: string,
  update: (r: ReplicaView) => ReplicaView,
): ServiceView {
  const idx = svc.replicas.findIndex((r) => r.replica === replica);
  if (idx < 0) {
    const replicas = [...svc.replicas, update(blankReplica(replica, container))];
    replicas.sort((a, b) => a.replica - b.replica);
    return { ...svc, replicas };
  }
  const current = svc.replicas[idx]!;
  const next = update(current);
  if (next === current) return svc;
  const replicas = svc.replicas.slice();
  replicas[idx] = next;
  return { ...svc, replicas };
}

/** Updates an existing replica (stats, ports, health are meaningless for a replica we have not seen). */
function updateReplica(
  state: ViewState,
  service: string,
  replica: number,
  container: string | undefined,
  update: (r: ReplicaView) => ReplicaView,
): ViewState {
  const svc = state.services[service];
  const current = svc?.replicas.find((r) => r.replica === replica);
  if (!svc || !current) {
    if (container === undefined) return state;
    return withService(state, service, (s) =>
      upsertReplica(s, replica, container, (r) => update({ ...r, phase: 'running' })),
    );
  }
  if (container !== undefined && current.container !== container) return state;
  return withService(state, service, (s) => upsertReplica(s, replica, current.container, update));
}

function withService(state: ViewState, name: string, update: (svc: ServiceView) => ServiceView): ViewState {
  const current = state.services[name];
  const svc = current ?? { name, replicas: [] };
  const next = update(svc);
  if (next === current) return state;
  return {
    ...state,
    services: { ...state.services, [name]: next },
    order: current ? state.order : [...state.order, name],
  };
}

function appendLogEvent(state: ViewState, event: Extract<StackEvent, { kind: 'log' }>): ViewState {
  const max = state.config.maxMessageLength;
  const message = event.message.length > max ? `${event.message.slice(0, max)}…` : event.message;
  const seq = state.logSeq + 1;
  const entry = {
    seq,
    service: event.service,
    replica: event.replica,
    stream: event.stream,
    message,
    time: event.time,
  };
  const own = state.serviceLogs[event.service] ?? emptyLogBuffer(state.config.serviceLogLines);
  const known = state.services[event.service] !== undefined;
  return {
    ...state,
    logSeq: seq,
    logs: appendLog(state.logs, entry),
    serviceLogs: { ...state.serviceLogs, [event.service]: appendLog(own, entry) },
    services: known
      ? state.services
      : { ...state.services, [event.service]: { name: event.service, replicas: [] } },
    order: known ? state.order : [...state.order, event.service],
  };
}

function addNotice(state: ViewState, notice: Notice): ViewState {
  const notices = [...state.notices, notice];
  return { ...state, notices: notices.slice(-state.config.maxNotices) };
}
