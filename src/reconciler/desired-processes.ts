/**
 * desired(stack) for host processes: one start spec per replica with its config hash. The spec carries
 * what a later supervisor needs (restart policy, stop signal and grace, health probe, ports), because a
 * process carries it in its environment: the process table stays the source of truth.
 */
import type { DesiredProcess, DesiredProcessService } from '../model/desired.js';
import type { ProbeConfig, ProcessCreateSpec, ProcessRestartPolicy } from '../runtime/process/types.js';
import type { DependsOn, ProcessSpec, Stack } from '../spec/types.js';
import { processConfigHash } from './config-hash.js';

/** The name of one replica: `<project>-<process>-<n>`, as containers are named. */
export function processName(stack: Stack, p: ProcessSpec, replica: number): string {
  return `${stack.name}-${p.name}-${replica}`;
}

/** Every host process of the stack; `completedTargets` names those another one waits to complete. */
export function desiredProcesses(
  stack: Stack,
  completedTargets: ReadonlySet<string>,
): Record<string, DesiredProcessService> {
  const out: Record<string, DesiredProcessService> = {};
  for (const p of Object.values(stack.processes)) {
    const dependsOn: Record<string, DependsOn> = {};
    for (const [name, d] of Object.entries(p.depends_on))
      if (name !== p.name && (name in stack.services || name in stack.processes)) dependsOn[name] = d;
    const longRunning = !completedTargets.has(p.name);
    const processes: DesiredProcess[] = [];
    for (let replica = 1; replica <= p.replicas; replica++)
      processes.push(desiredProcess(stack, p, replica, Object.keys(dependsOn), longRunning));
    out[p.name] = {
      name: p.name,
      replicas: p.replicas,
      processes,
      dependsOn,
      stopTimeout: Math.ceil(p.stop_grace_period / 1000),
      longRunning,
    };
  }
  return out;
}

function desiredProcess(
  stack: Stack,
  p: ProcessSpec,
  replica: number,
  dependsOn: string[],
  longRunning: boolean,
): DesiredProcess {
  const env = Object.entries(p.environment)
    .filter((e): e is [string, string] => e[1] !== null)
    .map(([k, v]) => `${k}=${v}`)
    .sort();
  const healthcheck = probeConfig(p);
  const restart = restartPolicy(p.restart);
  const ports = p.ports.map((x) => (x.host_ip ? { port: x.port, hostIp: x.host_ip } : { port: x.port }));
  const { hash, fields } = processConfigHash({
    command: p.command,
    working_dir: p.working_dir,
    environment: env,
    healthcheck,
    restart,
    stop_signal: p.stop_signal,
    stop_grace_period: p.stop_grace_period,
    ports,
  });
  const name = processName(stack, p, replica);
  const spec: ProcessCreateSpec = {
    project: stack.name,
    service: p.name,
    replica,
    hash,
    name,
    command: p.command,
    cwd: p.working_dir,
    env,
    dependsOn,
    fields,
    restart,
    stopSignal: p.stop_signal,
    stopGraceMs: p.stop_grace_period,
    ...(healthcheck ? { healthcheck } : {}),
    ports,
    longRunning,
  };
  return { service: p.name, replica, name, spec, hash, fields };
}

function probeConfig(p: ProcessSpec): ProbeConfig | undefined {
  const h = p.healthcheck;
  if (!h || h.disable || !h.probe) return undefined;
  const out: ProbeConfig = { probe: h.probe };
  if (h.interval !== undefined) out.interval = h.interval;
  if (h.timeout !== undefined) out.timeout = h.timeout;
  if (h.retries !== undefined) out.retries = h.retries;
  if (h.start_period !== undefined) out.startPeriod = h.start_period;
  if (h.start_interval !== undefined) out.startInterval = h.start_interval;
  return out;
}

function restartPolicy(r: ProcessSpec['restart']): ProcessRestartPolicy {
  if (r.startsWith('on-failure:'))
    return { name: 'on-failure', maximumRetryCount: Number.parseInt(r.slice('on-failure:'.length), 10) };
  return { name: r as ProcessRestartPolicy['name'] };
}
