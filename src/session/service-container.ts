/**
 * The running container of a service that `exec` and `attach` act on: replica `--index` (default 1).
 * A service or index that cannot exist is a usage error (exit 2); one that exists but is not running is
 * reported as such (exit 1), as Compose does.
 */
import { TsstackError, UsageError } from '../core/errors.js';
import type { ContainerSummary, Runtime } from '../runtime/types.js';
import type { Stack } from '../spec/types.js';
import { refuseHostProcess } from './processes.js';
import { listProjectContainers } from './project-containers.js';

/** Parses `--index`: a whole number from 1 (exit 2 otherwise). */
export function parseIndex(value: string | undefined): number {
  if (value === undefined) return 1;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(n) || n < 1)
    throw new UsageError(`--index must be a whole number from 1, not "${value}"`);
  return n;
}

/** Finds replica `index` of `service` running; the stack (if any) and the engine decide what exists. */
export async function runningServiceContainer(
  runtime: Runtime,
  stack: Stack,
  service: string,
  index: number,
  command = 'exec',
): Promise<ContainerSummary> {
  refuseHostProcess(stack, service, command);
  // All states, so a stopped service is reported as not running rather than unknown; unknown names exit 2.
  const containers = await listProjectContainers(runtime, stack, { all: true, services: [service] });
  const replicas = Math.max(stack.services[service]?.replicas ?? 0, ...containers.map((c) => c.replica));
  if (replicas === 0) throw new TsstackError(`service "${service}" is not running (0 replicas)`, 1);
  if (index > replicas) {
    const has = replicas === 1 ? '1 replica' : `${replicas} replicas`;
    throw new UsageError(`--index ${index}: service "${service}" has ${has}`);
  }
  const target = containers.find((c) => c.replica === index);
  if (!target || target.summary.state !== 'running') {
    const which = index === 1 ? `service "${service}"` : `replica ${index} of service "${service}"`;
    throw new TsstackError(`${which} is not running`, 1);
  }
  return target.summary;
}
