/** `tsstack ps`: the project's containers and host processes as a table, IDs, service names, JSON lines or a template. */
import { UsageError } from '../core/errors.js';
import type { ContainerState, Runtime } from '../runtime/types.js';
import type { ProcessSummary } from '../runtime/process/types.js';
import type { Stack } from '../spec/types.js';
import { parseFormat, renderRows } from './go-format.js';
import { processesToShow, processJson, processPorts, processStatus } from './process-rows.js';
import { lookAtProcesses } from './processes.js';
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

/** The host processes `ps` lists (through their supervisor, or the process table), filtered as containers. */
async function processRows(stack: Stack, o: PsOptions): Promise<ProcessSummary[]> {
  const seen = await lookAtProcesses(stack.name);
  const all = (await seen?.host.list().finally(() => seen.close())) ?? [];
  const inSpec = Object.keys(stack.processes);
  const state = (p: ProcessSummary): ContainerState => (p.phase === 'running' ? 'running' : 'exited');
  return processesToShow(all, o.all || o.status.length > 0, o.services).filter(
    (p) =>
      (o.status.length === 0 || o.status.includes(state(p))) &&
      (o.orphans || inSpec.length === 0 || inSpec.includes(p.service)),
  );
}

/** The text `ps` prints: containers, then host processes (a KIND column when there are any). */
export async function psText(runtime: Runtime, stack: Stack, o: PsOptions): Promise<string> {
  const format = parseFormat(o.format);
  const procs = await processRows(stack, o);
  // Names that are processes are not asked of the engine; naming only processes lists no container.
  const names = o.services.filter((s) => !procs.some((p) => p.service === s) && !stack.processes[s]);
  // With a status filter the states asked for decide, as in Compose (`--status exited` needs no -a).
  const found =
    o.services.length > 0 && names.length === 0
      ? []
      : await listProjectContainers(runtime, stack, {
          all: o.all || o.status.length > 0,
          services: names,
        });
  const inSpec = Object.keys(stack.services);
  const containers = found.filter(
    (c) =>
      (o.status.length === 0 || o.status.includes(c.summary.state)) &&
      (o.orphans || inSpec.length === 0 || inSpec.includes(c.service)),
  );
  if (o.serviceNames)
    return [...new Set([...containers.map((c) => c.service), ...procs.map((p) => p.service)])]
      .map((n) => `${n}\n`)
      .join('');
  if (o.quiet)
    return [...containers.map((c) => c.summary.id), ...procs.map((p) => String(p.pid))]
      .map((l) => `${l}\n`)
      .join('');
  const json = [
    ...containers.map((c) => psJson(stack.name, c)),
    ...procs.map((p) => processJson(stack.name, p)),
  ];
  if (format.kind === 'json') return json.map((j) => `${JSON.stringify(j)}\n`).join('');
  if (format.kind === 'template') return renderRows(format, json);
  // A KIND column only when host processes are listed: a container-only table looks as Compose's.
  const kind = (k: string): string[] => (procs.length > 0 ? [k] : []);
  const rows = [
    ...containers.map((c) => [
      c.summary.name,
      ...kind('container'),
      c.service,
      statusText(c.summary),
      formatPorts(c.summary.ports),
    ]),
    ...procs.map((p) => [p.name, ...kind('process'), p.service, processStatus(p), processPorts(p)]),
  ];
  return renderTable(['NAME', ...kind('KIND'), 'SERVICE', 'STATUS', 'PORTS'], rows);
}
