/** `tsstack ps`: the project's containers as a table, IDs, service names, JSON lines or a template. */
import { UsageError } from '../core/errors.js';
import type { ContainerState, Runtime } from '../runtime/types.js';
import type { Stack } from '../spec/types.js';
import { parseFormat, renderRows } from './go-format.js';
import {
  formatPorts,
  listProjectContainers,
  renderTable,
  statusText,
  type ProjectContainer,
} from './project-containers.js';

export interface PsOptions {
  services: string[];
  all: boolean;
  quiet?: boolean;
  /** Print the service names. */
  serviceNames?: boolean;
  format: string;
  /** Only containers in these states (`--status`, `--filter status=`). */
  status: ContainerState[];
  /** False: leave out containers of services the stack file no longer has. */
  orphans: boolean;
}

const STATES: readonly ContainerState[] = [
  'paused',
  'restarting',
  'removing',
  'running',
  'dead',
  'created',
  'exited',
];

/** `--status X` and `--filter status=X` values, checked (exit 2 for anything else). */
export function parseStatusFilters(status: string[], filters: string[]): ContainerState[] {
  const out = [...status];
  for (const f of filters) {
    const [key, value] = f.split('=', 2);
    if (key !== 'status' || !value) throw new UsageError(`--filter ${f}: the only filter is status=STATE`);
    out.push(value);
  }
  for (const s of out)
    if (!(STATES as readonly string[]).includes(s))
      throw new UsageError(`status "${s}" is not one of ${STATES.join(', ')}`);
  return out as ContainerState[];
}

/** One container as `ps --format json` prints it (Compose's field names, one object a line). */
export function psJson(project: string, c: ProjectContainer): Record<string, unknown> {
  const s = c.summary;
  return {
    ID: s.id,
    Name: s.name,
    Image: s.image,
    Project: project,
    Service: c.service,
    Replica: c.replica,
    State: s.state,
    Health: s.health ?? '',
    ExitCode: s.exitCode ?? 0,
    Status: statusText(s),
    CreatedAt: s.createdAt ?? '',
    Ports: formatPorts(s.ports),
    Publishers: s.ports.map((p) => ({
      URL: p.hostIp ?? '',
      TargetPort: p.target,
      PublishedPort: p.hostPort ?? 0,
      Protocol: p.protocol,
    })),
    Networks: s.networks,
    Labels: s.labels,
  };
}

/** The text `ps` prints. */
export async function psText(runtime: Runtime, stack: Stack, o: PsOptions): Promise<string> {
  const format = parseFormat(o.format);
  // With a status filter the states asked for decide, as in Compose (`--status exited` needs no -a).
  const found = await listProjectContainers(runtime, stack, {
    all: o.all || o.status.length > 0,
    services: o.services,
  });
  const inSpec = Object.keys(stack.services);
  const containers = found.filter(
    (c) =>
      (o.status.length === 0 || o.status.includes(c.summary.state)) &&
      (o.orphans || inSpec.length === 0 || inSpec.includes(c.service)),
  );
  if (o.serviceNames) return [...new Set(containers.map((c) => `${c.service}\n`))].join('');
  if (o.quiet) return containers.map((c) => `${c.summary.id}\n`).join('');
  if (format.kind === 'json')
    return containers.map((c) => `${JSON.stringify(psJson(stack.name, c))}\n`).join('');
  if (format.kind === 'template')
    return renderRows(
      format,
      containers.map((c) => psJson(stack.name, c)),
    );
  const rows = containers.map((c) => [
    c.summary.name,
    c.service,
    statusText(c.summary),
    formatPorts(c.summary.ports),
  ]);
  return renderTable(['NAME', 'SERVICE', 'STATUS', 'PORTS'], rows);
}
