/**
 * Shared pieces of the read-side commands (ps, logs, exec, port, images, ls): finding a project's
 * containers by label, naming them like Compose, and printing aligned tables.
 */
import { UsageError } from '../core/errors.js';
import { LABEL, projectFilter } from '../model/labels.js';
import type { ContainerSummary, PublishedPort, Runtime } from '../runtime/types.js';
import type { Stack } from '../spec/types.js';
import pc from 'picocolors';
import { compareText } from '../core/compare.js';
import { SERVICE_COLOURS } from '../ui/theme.js';

export interface ProjectContainer {
  service: string;
  /** 0 for one-off containers (`run`). */
  replica: number;
  oneoff: boolean;
  summary: ContainerSummary;
}

export function projectContainer(summary: ContainerSummary): ProjectContainer {
  const replica = Number.parseInt(summary.labels[LABEL.replica] ?? '', 10);
  return {
    service: summary.labels[LABEL.service] ?? '',
    replica: Number.isFinite(replica) ? replica : 0,
    oneoff: summary.labels[LABEL.oneoff] === 'true',
    summary,
  };
}

/** Rejects service names that neither the stack nor the engine knows, naming the known ones. */
export function checkServices(stack: Stack, found: ProjectContainer[], services: string[]): void {
  const known = new Set([...Object.keys(stack.services), ...found.map((c) => c.service)]);
  const unknown = services.filter((s) => !known.has(s));
  if (unknown.length === 0) return;
  const list = [...known].sort().join(', ') || 'none';
  throw new UsageError(`no such service: ${unknown.join(', ')} (services: ${list})`);
}

/**
 * The project's containers (one-off `run` containers left out unless asked), sorted by service then
 * replica; `services` narrows to those services and fails on unknown names.
 */
export async function listProjectContainers(
  runtime: Runtime,
  stack: Stack,
  opts: { all: boolean; services?: string[]; oneoff?: boolean },
): Promise<ProjectContainer[]> {
  const found = (await runtime.listContainers(projectFilter(stack.name), { all: opts.all })).map(
    projectContainer,
  );
  const services = opts.services ?? [];
  if (services.length > 0) checkServices(stack, found, services);
  return found
    .filter((c) => opts.oneoff || !c.oneoff)
    .filter((c) => services.length === 0 || services.includes(c.service))
    .sort(
      (a, b) =>
        compareText(a.service, b.service) ||
        a.replica - b.replica ||
        compareText(a.summary.name, b.summary.name),
    );
}

/** `web-1` for replica 1 of web; a one-off container goes by its own name. */
export function shortName(c: ProjectContainer): string {
  return c.replica > 0 ? `${c.service}-${c.replica}` : c.summary.name;
}

/** Ports as `docker ps` shows them: `127.0.0.1:8080->80/tcp, 53/udp`. */
export function formatPorts(ports: PublishedPort[]): string {
  const sorted = [...ports].sort((a, b) => a.target - b.target || (a.hostPort ?? 0) - (b.hostPort ?? 0));
  const seen = new Set<string>();
  const out: string[] = [];
  for (const p of sorted) {
    const s =
      p.hostPort !== undefined
        ? `${hostIpText(p.hostIp)}:${p.hostPort}->${p.target}/${p.protocol}`
        : `${p.target}/${p.protocol}`;
    if (!seen.has(s)) out.push(s);
    seen.add(s);
  }
  return out.join(', ');
}

function hostIpText(ip: string | undefined): string {
  if (!ip) return '0.0.0.0';
  return ip.includes(':') ? `[${ip}]` : ip;
}

/** A human status when the engine gave none (e.g. from inspect): `running (healthy)`, `exited (1)`. */
export function statusText(s: ContainerSummary): string {
  if (s.status) return s.status;
  if (s.state === 'exited') return `exited (${s.exitCode ?? 0})`;
  return s.health ? `${s.state} (${s.health})` : s.state;
}

/** Left-aligned columns separated by three spaces, like Compose's tables. */
export function renderTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('   ')
      .trimEnd();
  return [line(header), ...rows.map(line)].map((l) => `${l}\n`).join('');
}

/** Writes and waits when the stream is full, so large outputs respect backpressure. */
export async function writeOut(out: NodeJS.WritableStream, text: string): Promise<void> {
  if (out.write(text)) return;
  await new Promise<void>((resolve) => out.once('drain', () => resolve()));
}

/** The picocolors function for the `index`-th service to appear (the same colours as the live UI's). */
export function servicePaint(index: number): (text: string) => string {
  return pc[SERVICE_COLOURS[Math.max(0, index) % SERVICE_COLOURS.length]!];
}
