/** One replica of a host process as its supervisor tracks it, and the restart policy's decision. */
import { constants } from 'node:os';
import type { LogWriter } from '../runtime/process/log-file.js';
import type { FoundInstance } from '../runtime/process/proc-table.js';
import type { ProcessRun } from '../runtime/process/os.js';
import type { ProcessOs } from '../runtime/process/os.js';
import type {
  ProcessCreateSpec,
  ProcessHealth,
  ProcessPhase,
  ProcessSummary,
} from '../runtime/process/types.js';
import type { BackoffState } from './backoff.js';
import type { HealthTracker } from './process-health.js';

export interface Replica {
  name: string;
  service: string;
  replica: number;
  /** How to start it (again). */
  spec: ProcessCreateSpec;
  baseEnv: Record<string, string | undefined>;
  /** The current run, while one is running. */
  run?: ProcessRun;
  phase: ProcessPhase;
  health?: HealthTracker;
  exitCode?: number;
  startedAt?: number;
  /** Restarts by the policy (crashes, unhealthy), shown in the UI and ps. */
  restarts: number;
  backoff: BackoffState;
  /** Why it stopped being restarted (not found, not executable) or could not start. */
  error?: string;
  stopping?: Promise<void>;
  restartTimer?: ReturnType<typeof setTimeout>;
  probeTimer?: ReturnType<typeof setTimeout>;
  /** Bumped for every run: callbacks of an older run see a different number and do nothing. */
  generation: number;
  log: LogWriter;
}

/**
 * Whether a run that exited with `code` (undefined: unknown, as for an adopted run) is started again:
 * `always` and `unless-stopped` always, `on-failure[:N]` for a non-zero or unknown code up to N times, and
 * never a one-shot that others wait to complete once it exited 0.
 */
export function shouldRestart(
  spec: ProcessCreateSpec,
  code: number | undefined,
  restartsSoFar: number,
): boolean {
  if (code === 0 && !spec.longRunning) return false;
  switch (spec.restart.name) {
    case 'no':
      return false;
    case 'always':
    case 'unless-stopped':
      return true;
    case 'on-failure':
      return (
        code !== 0 &&
        (spec.restart.maximumRetryCount === undefined || restartsSoFar < spec.restart.maximumRetryCount)
      );
  }
}

/** A start spec rebuilt from what a run carries in its environment (for restarting an adopted run). */
export function adoptedSpec(found: FoundInstance): ProcessCreateSpec | undefined {
  const s = found.supervision;
  if (!s) return undefined;
  return {
    ...s,
    project: found.project,
    service: found.service,
    replica: found.replica,
    hash: found.hash ?? '',
    env: s.env ?? [],
  };
}

export function withoutMarkers(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith('TSSTACK_')));
}

/** A command probe runs with the process's environment, without its markers (it is not the process). */
export function probeEnv(r: Replica): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.baseEnv))
    if (v !== undefined && !k.startsWith('TSSTACK_')) env[k] = v;
  for (const kv of r.spec.env) {
    const eq = kv.indexOf('=');
    if (eq > 0) env[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return env;
}

// As Compose and the engine: an unhealthy replica of a service that restarts always is restarted.
export function restartsOnUnhealthy(r: Replica): boolean {
  return r.spec.restart.name === 'always' || r.spec.restart.name === 'unless-stopped';
}

/** The shell's convention for a run ended by a signal: 128 + the signal's number. */
export function signalCode(signal: string | undefined): number | undefined {
  if (!signal) return undefined;
  const n = (constants.signals as Record<string, number>)[signal];
  return n === undefined ? undefined : 128 + n;
}

/**
 * Runs found in the process table, by replica name: the one to take over (the oldest with a leader, when
 * the replica has no run of ours) and the others (second runs, leftovers whose leader exited) to stop.
 */
export function adoptable(
  found: FoundInstance[],
  tracked: (name: string) => Replica | undefined,
): { keep?: FoundInstance; extra: FoundInstance[] }[] {
  const byName = new Map<string, FoundInstance[]>();
  for (const f of found) {
    if (!f.supervision) continue;
    byName.set(f.supervision.name, [...(byName.get(f.supervision.name) ?? []), f]);
  }
  return [...byName].map(([name, runs]) => {
    const mine = tracked(name)?.run?.instance;
    const others = runs.filter((f) => f.instance !== mine);
    const leaders = others
      .filter((f) => f.leader)
      .sort((a, b) => (a.startedAt ?? 0) - (b.startedAt ?? 0) || a.leader!.pid - b.leader!.pid);
    const keep = mine ? undefined : leaders[0];
    return { ...(keep ? { keep } : {}), extra: others.filter((f) => f !== keep) };
  });
}

/** What `list` says about a replica. */
export function replicaSummary(r: Replica, project: string): ProcessSummary {
  return {
    name: r.name,
    project,
    service: r.service,
    replica: r.replica,
    hash: r.spec.hash,
    instance: r.run?.instance ?? '',
    pid: r.run?.pid ?? 0,
    phase: r.phase,
    ...(r.health && r.run ? { health: r.health.health } : {}),
    ...(r.exitCode !== undefined ? { exitCode: r.exitCode } : {}),
    ...(r.run ? { startedAt: r.startedAt } : {}),
    restarts: r.restarts,
    supervision: r.spec,
    spec: r.spec,
    ...(r.error ? { error: r.error } : {}),
  };
}

export interface ProbeLoop {
  r: Replica;
  os: ProcessOs;
  now: () => number;
  /** False once the run this loop probes is over (stopped, replaced, supervisor closed). */
  current: () => boolean;
  onChange: (health: ProcessHealth) => void;
}

/** Probes the replica's run after `delay`, then again at the health check's pace while it is current. */
export function scheduleProbe(loop: ProbeLoop, delay: number): void {
  const { r } = loop;
  r.probeTimer = setTimeout(() => {
    r.probeTimer = undefined;
    const health = r.health;
    if (!loop.current() || !health || !r.spec.healthcheck) return;
    void loop.os
      .probe(r.spec.healthcheck.probe, { timeoutMs: health.timeoutMs, cwd: r.spec.cwd, env: probeEnv(r) })
      .then((result) => {
        if (!loop.current()) return;
        const changed = health.record(result.ok, loop.now(), result.detail);
        if (changed) loop.onChange(changed);
        if (loop.current()) scheduleProbe(loop, health.nextDelay(loop.now()));
      });
  }, delay);
}
