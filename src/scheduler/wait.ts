/**
 * `up --wait`: resolves once every selected service is running and healthy (services with a health
 * check), running (without one), or completed with exit 0 (one-shots others wait for). Event-driven
 * through the ConditionWatcher. A failure or the timeout names the service and shows its last log lines.
 */
import { setMaxListeners } from 'node:events';
import { EngineError } from '../core/errors.js';
import type { DesiredState } from '../model/desired.js';
import { LABEL } from '../model/labels.js';
import type { ProcessCondition, ProcessHost } from '../model/process-host.js';
import type { Runtime } from '../runtime/types.js';
import type { DependencyCondition } from '../spec/types.js';
import { ConditionWatcher, healthBoundMs } from './conditions.js';
import { compareText } from '../core/compare.js';

export interface WaitOptions {
  services: string[];
  /** Give up after this many ms (default: no limit beyond each health check's own bound). */
  timeoutMs?: number;
  /** Log lines shown for a failed service. */
  tail?: number;
  signal?: AbortSignal;
  /** The supervisor of the project's host processes (for the processes among `services`). */
  processes?: ProcessHost;
}

/** What `--wait` waits for, per service. */
export function waitCondition(
  desired: DesiredState,
  service: string,
): DependencyCondition | 'running' | undefined {
  const p = desired.processes?.[service];
  if (p) {
    if (p.replicas === 0) return undefined;
    if (!p.longRunning) return 'service_completed_successfully';
    return p.processes[0]?.spec.healthcheck ? 'service_healthy' : 'running';
  }
  const s = desired.services[service];
  if (!s || s.replicas === 0) return undefined;
  if (!s.longRunning) return 'service_completed_successfully';
  const hc = s.containers[0]?.spec.healthcheck;
  return hc && hc.test[0] !== 'NONE' ? 'service_healthy' : 'running';
}

class WaitTimeout extends Error {}

const PROCESS_CONDITION: Record<DependencyCondition | 'running', ProcessCondition> = {
  running: 'running',
  service_started: 'running',
  service_healthy: 'healthy',
  service_completed_successfully: 'completed',
};

/** Waits for the services; throws EngineError naming the service (and its last log lines) on failure. */
export async function waitForServices(
  runtime: Runtime,
  desired: DesiredState,
  o: WaitOptions,
): Promise<void> {
  const bounds = new Map<string, number>();
  for (const s of Object.values(desired.services)) {
    const hc = s.containers[0]?.spec.healthcheck;
    if (hc) bounds.set(s.name, healthBoundMs(hc));
  }
  const watcher = new ConditionWatcher(runtime, desired.project, { healthBound: (s) => bounds.get(s) });
  watcher.start();
  const controller = new AbortController();
  // Every waiting node or service listens on this one signal.
  setMaxListeners(0, controller.signal);
  const outer = o.signal;
  const onAbort = (): void => controller.abort(outer?.reason);
  outer?.addEventListener('abort', onAbort, { once: true });
  const timer =
    o.timeoutMs !== undefined
      ? setTimeout(() => controller.abort(new WaitTimeout()), o.timeoutMs)
      : undefined;
  const pending = new Set<string>();
  try {
    await Promise.all(
      o.services.map(async (service) => {
        const condition = waitCondition(desired, service);
        if (!condition) return;
        pending.add(service);
        try {
          if (desired.processes?.[service]) {
            if (!o.processes)
              throw new Error(`dependency ${service} is a host process, and no supervisor answers`);
            await o.processes.wait(service, PROCESS_CONDITION[condition], controller.signal);
          } else if (condition === 'running') await checkRunning(runtime, desired.project, service);
          else await watcher.wait(service, condition, controller.signal);
          pending.delete(service);
        } catch (err) {
          controller.abort(err);
          throw err;
        }
      }),
    );
  } catch (err) {
    const reason = controller.signal.reason ?? err;
    if (reason instanceof WaitTimeout) {
      const names = [...pending].sort();
      const first = names[0] ?? '?';
      throw new EngineError(
        `--wait timed out after ${Math.round((o.timeoutMs ?? 0) / 1000)}s: ${names.map((n) => `service ${n} is not ${describe(waitCondition(desired, n))}`).join('; ')}${await lastLines(runtime, desired.project, first, o.tail)}`,
      );
    }
    if (outer?.aborted) throw err;
    const message = err instanceof Error ? err.message : String(err);
    const service = /^dependency (\S+)/.exec(message)?.[1] ?? [...pending][0] ?? '?';
    throw new EngineError(
      `service ${service} failed --wait: ${message.replace(/^dependency /, '')}${await lastLines(runtime, desired.project, service, o.tail)}`,
    );
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    outer?.removeEventListener('abort', onAbort);
    watcher.close();
  }
}

function describe(c: ReturnType<typeof waitCondition>): string {
  return c === 'service_healthy'
    ? 'healthy yet'
    : c === 'service_completed_successfully'
      ? 'completed yet'
      : 'running';
}

async function checkRunning(runtime: Runtime, project: string, service: string): Promise<void> {
  const cs = await runtime.listContainers(
    { [LABEL.project]: project, [LABEL.service]: service },
    { all: true },
  );
  for (const c of cs.filter((x) => x.labels[LABEL.oneoff] !== 'true'))
    if (c.state !== 'running')
      throw new Error(
        `dependency ${service} (${c.name}) is ${c.state}${c.exitCode !== undefined ? ` with exit code ${c.exitCode}` : ''}`,
      );
}

/** "\nlast N log lines of <container>:\n  ..." for the service's first container, or ''. */
async function lastLines(runtime: Runtime, project: string, service: string, tail = 10): Promise<string> {
  try {
    const cs = await runtime.listContainers(
      { [LABEL.project]: project, [LABEL.service]: service },
      { all: true },
    );
    const c = cs.sort((a, b) => compareText(a.name, b.name))[0];
    if (!c) return '';
    const lines: string[] = [];
    for await (const l of runtime.logs(c.id, { follow: false, tail })) lines.push(l.message);
    if (lines.length === 0) return `\n(${c.name} wrote no log lines)`;
    return `\nlast ${lines.length} log line${lines.length === 1 ? '' : 's'} of ${c.name}:\n  ${lines.join('\n  ')}`;
  } catch {
    return '';
  }
}
