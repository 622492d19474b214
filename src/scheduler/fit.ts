/**
 * Resource fit: before anything is created, the stack's reservations (per replica, times replicas) are
 * summed and compared with the machine's capacity from the engine's info. A stack that cannot fit is
 * refused with the services and numbers (needed vs available). Reservations are what a service asks to
 * be guaranteed (`deploy.resources.reservations`, `mem_reservation`); a CPU limit above the machine's
 * CPUs can never be granted either. Pure: the caller passes the engine's info.
 */
import { TsstackError } from '../core/errors.js';
import type { EngineInfo } from '../runtime/types.js';
import type { ServiceSpec, Stack } from '../spec/types.js';

/** The stack does not fit on this machine: exit 1 (the spec is valid; the machine is too small). */
export class FitError extends TsstackError {
  constructor(message: string) {
    super(message, 1);
  }
}

export interface ServiceNeed {
  service: string;
  replicas: number;
  /** Per replica. */
  cpus: number;
  memory: number;
}

export interface FitReport {
  needs: ServiceNeed[];
  cpus: { needed: number; available: number };
  memory: { needed: number; available: number };
  /** One line per problem; empty when the stack fits. */
  problems: string[];
}

/** What one replica of a service reserves. */
export function serviceNeed(s: ServiceSpec): ServiceNeed {
  const r = s.deploy?.resources.reservations ?? {};
  return {
    service: s.name,
    replicas: s.replicas,
    cpus: r.cpus ?? 0,
    memory: s.mem_reservation ?? r.memory ?? 0,
  };
}

/** Compares the selected services' reservations with the machine; pure. */
export function fitReport(
  stack: Stack,
  info: Pick<EngineInfo, 'cpus' | 'memory'>,
  services?: string[],
): FitReport {
  const selected = (services ?? Object.keys(stack.services)).flatMap((n) => stack.services[n] ?? []);
  const needs = selected.map(serviceNeed).filter((n) => n.replicas > 0 && (n.cpus > 0 || n.memory > 0));
  const cpus = sum(needs.map((n) => n.cpus * n.replicas));
  const memory = sum(needs.map((n) => n.memory * n.replicas));
  const problems: string[] = [];
  const list = (pick: (n: ServiceNeed) => number, fmt: (x: number) => string): string =>
    needs
      .filter((n) => pick(n) > 0)
      .map((n) => `${n.service} ${n.replicas} × ${fmt(pick(n))}`)
      .join(', ');
  if (info.cpus > 0 && cpus > info.cpus + 1e-9)
    problems.push(
      `CPU reservations need ${formatCpus(cpus)} CPUs but the machine has ${formatCpus(info.cpus)} (${list((n) => n.cpus, formatCpus)})`,
    );
  if (info.memory > 0 && memory > info.memory)
    problems.push(
      `memory reservations need ${formatBytes(memory)} but the machine has ${formatBytes(info.memory)} (${list((n) => n.memory, formatBytes)})`,
    );
  for (const s of selected) {
    const limit = s.cpus ?? s.deploy?.resources.limits.cpus;
    if (s.replicas > 0 && limit !== undefined && info.cpus > 0 && limit > info.cpus)
      problems.push(
        `service ${s.name}: CPU limit ${formatCpus(limit)} is more than the machine's ${formatCpus(info.cpus)} CPUs`,
      );
  }
  return {
    needs,
    cpus: { needed: cpus, available: info.cpus },
    memory: { needed: memory, available: info.memory },
    problems,
  };
}

/** Throws FitError (exit 1) naming the services and the numbers when the stack cannot fit. */
export function checkFit(stack: Stack, info: Pick<EngineInfo, 'cpus' | 'memory'>, services?: string[]): void {
  const report = fitReport(stack, info, services);
  if (report.problems.length === 0) return;
  throw new FitError(
    `the stack does not fit on this machine; nothing was created:\n  ${report.problems.join('\n  ')}`,
  );
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

function formatCpus(n: number): string {
  return String(Math.round(n * 100) / 100);
}

/** Bytes as the largest binary unit that keeps one decimal ("1.5GiB", "512MiB"). */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${Math.round(v * 10) / 10}${units[i]}`;
}

/** Whether any of the services reserves resources or limits CPUs (else no engine info is needed). */
export function claimsResources(stack: Stack, services?: string[]): boolean {
  return (services ?? Object.keys(stack.services)).some((n) => {
    const s = stack.services[n];
    if (!s || s.replicas === 0) return false;
    const need = serviceNeed(s);
    return need.cpus > 0 || need.memory > 0 || (s.cpus ?? s.deploy?.resources.limits.cpus) !== undefined;
  });
}
