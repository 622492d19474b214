/** Pure derivations from the view model: one row per service, as the table and plain views print it. */
import type { ImageProgressView, ReplicaView, ServiceView } from './view-model.js';

/** How a state reads at a glance: the UI maps it to a colour. */
export type Tone = 'ok' | 'progress' | 'warn' | 'bad' | 'idle';

export interface ServiceRow {
  name: string;
  /** A host process, not containers. */
  kind?: 'process';
  ready: number;
  desired: number;
  /** Human state: "healthy", "restarting in 8s", "exited (1)", "building 40%". */
  state: string;
  tone: Tone;
  /** "healthy", "2/3 healthy", "starting", or "" without a health check. */
  health: string;
  restarts: number;
  lastExitCode?: number;
  /** "127.0.0.1:8080->80/tcp, ..." */
  ports: string;
  /** Milliseconds since the oldest running replica started; undefined when none runs. */
  uptimeMs?: number;
  cpuPercent?: number;
  memoryUsage?: number;
  progress?: string;
  /** Swarm services only: one line per task (slot), with its node, state and error. */
  tasks?: TaskLine[];
}

/** A Swarm task under its service row: `web.1  node-a  running`. */
export interface TaskLine {
  label: string;
  node: string;
  state: string;
  error: string;
  tone: Tone;
}

/** Update states of a Swarm service, as a row says them. */
const IMAGE_STATE = { build: 'building', pull: 'pulling', push: 'pushing' } as const;

const UPDATE_WORDS: Record<string, { state: string; tone: Tone }> = {
  updating: { state: 'updating', tone: 'progress' },
  paused: { state: 'update paused', tone: 'bad' },
  rollback_started: { state: 'rolling back', tone: 'warn' },
  rollback_paused: { state: 'rollback paused', tone: 'bad' },
  rollback_completed: { state: 'rolled back', tone: 'warn' },
};

/** A replica counts as ready when it runs and its health check, if any, passes. */
export function isReady(r: ReplicaView): boolean {
  return r.phase === 'running' && (r.health === undefined || r.health === 'healthy');
}

/** The row for one service at time `now` (countdowns and uptime depend on it). */
export function serviceRow(svc: ServiceView, now: number): ServiceRow {
  const reps = svc.replicas;
  const running = reps.filter((r) => r.phase === 'running');
  const started = running.map((r) => r.startedAt).filter((t): t is number => t !== undefined);
  const withStats = running.filter((r) => r.cpuPercent !== undefined);
  const update = svc.updateState ? UPDATE_WORDS[svc.updateState] : undefined;
  const { state, tone } = update ?? describeState(svc, now);
  const tasks = reps.some((r) => r.taskState !== undefined)
    ? reps.map((r) => taskLine(svc.name, r))
    : undefined;
  return {
    name: svc.name,
    ...(svc.kind ? { kind: svc.kind } : {}),
    ready: reps.filter(isReady).length,
    desired: svc.desired ?? reps.length,
    state,
    tone,
    health: describeHealth(running),
    restarts: reps.reduce((n, r) => n + r.restarts, 0),
    lastExitCode: svc.lastExitCode,
    ports: formatPorts(reps, svc.kind === 'process') || formatPorts([{ ports: svc.servicePorts ?? [] }]),
    uptimeMs: started.length > 0 ? Math.max(0, now - Math.min(...started)) : undefined,
    cpuPercent: withStats.length > 0 ? withStats.reduce((n, r) => n + (r.cpuPercent ?? 0), 0) : undefined,
    memoryUsage: withStats.length > 0 ? withStats.reduce((n, r) => n + (r.memoryUsage ?? 0), 0) : undefined,
    progress: svc.image ? formatProgress(svc.image) : undefined,
    ...(tasks ? { tasks } : {}),
  };
}

function taskLine(service: string, r: ReplicaView): TaskLine {
  const state = r.taskState ?? r.phase;
  const tone: Tone =
    state === 'running'
      ? 'ok'
      : state === 'failed' || state === 'rejected'
        ? 'bad'
        : r.phase === 'starting'
          ? r.error
            ? 'warn'
            : 'progress'
          : 'idle';
  return { label: `${service}.${r.replica}`, node: r.node || '-', state, error: r.error ?? '', tone };
}

function describeState(svc: ServiceView, now: number): { state: string; tone: Tone } {
  const reps = svc.replicas;
  const restarting = reps.filter((r) => r.phase === 'restarting');
  if (restarting.length > 0) {
    const at = Math.min(...restarting.map((r) => r.restartAt ?? 0));
    const left = Math.ceil((at - now) / 1000);
    return { state: left > 0 ? `restarting in ${formatDuration(left * 1000)}` : 'restarting', tone: 'bad' };
  }
  if (svc.image) return { state: IMAGE_STATE[svc.image.action], tone: 'progress' };
  const has = (p: ReplicaView['phase']) => reps.some((r) => r.phase === p);
  const running = reps.filter((r) => r.phase === 'running');
  if (running.some((r) => r.health === 'unhealthy')) return { state: 'unhealthy', tone: 'bad' };
  if (running.length > 0) {
    if (running.some((r) => r.health === 'starting')) return { state: 'starting', tone: 'progress' };
    if (running.every((r) => r.health === 'healthy')) return { state: 'healthy', tone: 'ok' };
    return { state: 'running', tone: 'ok' };
  }
  if (has('starting')) return { state: 'starting', tone: 'progress' };
  if (has('stopping')) return { state: 'stopping', tone: 'progress' };
  const exited = reps.filter((r) => r.phase === 'exited');
  // A Swarm task says failed (or rejected: it never ran) in its own words.
  const taskFailed = exited.find((r) => r.taskState === 'failed' || r.taskState === 'rejected');
  if (taskFailed) {
    const code = taskFailed.exitCode;
    const word = taskFailed.taskState!;
    return { state: code === undefined || code === 0 ? word : `${word} (${code})`, tone: 'bad' };
  }
  if (exited.length > 0) {
    const code = exited[0]!.exitCode;
    const failed = exited.some((r) => r.exitCode !== undefined && r.exitCode !== 0);
    return { state: code === undefined ? 'exited' : `exited (${code})`, tone: failed ? 'bad' : 'idle' };
  }
  if (has('created')) return { state: 'created', tone: 'idle' };
  if (has('stopped')) return { state: 'stopped', tone: 'idle' };
  return { state: 'waiting', tone: 'idle' };
}

function describeHealth(running: readonly ReplicaView[]): string {
  const checked = running.filter((r) => r.health !== undefined);
  if (checked.length === 0) return '';
  const healthy = checked.filter((r) => r.health === 'healthy').length;
  const unhealthy = checked.filter((r) => r.health === 'unhealthy').length;
  if (checked.length === 1) return checked[0]!.health!;
  if (healthy === checked.length) return 'healthy';
  if (unhealthy > 0) return `${unhealthy}/${checked.length} unhealthy`;
  return `${healthy}/${checked.length} healthy`;
}

function formatPorts(reps: readonly Pick<ReplicaView, 'ports'>[], listens = false): string {
  const seen = new Set<string>();
  for (const r of reps) {
    for (const p of r.ports) {
      const host = p.hostIp && p.hostIp !== '0.0.0.0' && p.hostIp !== '::' ? `${p.hostIp}:` : '';
      // A host process listens on its port itself: nothing is forwarded.
      seen.add(
        listens ? `${host}${p.hostPort}/${p.protocol}` : `${host}${p.hostPort}->${p.target}/${p.protocol}`,
      );
    }
  }
  return [...seen].join(', ');
}

function formatProgress(p: ImageProgressView): string {
  if (p.current !== undefined && p.total !== undefined && p.total > 0) {
    return `${Math.floor((100 * p.current) / p.total)}% ${p.message}`;
  }
  return p.message;
}

/** "45s", "3m12s", "2h05m", "3d04h". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d${String(h % 24).padStart(2, '0')}h`;
}

/** "512B", "12.3MiB", "1.50GiB". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n}B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)}${units[i]}`;
}
