/** How `ps` shows host processes beside containers: their status words, ports and JSON rows. */
import type { ProcessSummary } from '../runtime/process/types.js';
import { formatDuration } from '../events/summary.js';

/** Phases that count as up for `ps` without `-a`. */
const UP = new Set<ProcessSummary['phase']>(['starting', 'running', 'restarting', 'stopping']);

/** The processes `ps` lists: up ones, or all it knows of with `-a`, of the given services, sorted. */
export function processesToShow(procs: ProcessSummary[], all: boolean, services: string[]): ProcessSummary[] {
  return procs
    .filter((p) => all || UP.has(p.phase))
    .filter((p) => services.length === 0 || services.includes(p.service))
    .sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : a.replica - b.replica));
}

/** `running 3m12s (healthy), pid 4242`, `exited (127): command not found`, `restarting`. */
export function processStatus(p: ProcessSummary, now = Date.now()): string {
  switch (p.phase) {
    case 'running': {
      const up = p.startedAt !== undefined ? ` ${formatDuration(now - p.startedAt)}` : '';
      const health = p.health ? ` (${p.health})` : '';
      return `running${up}${health}, pid ${p.pid}`;
    }
    case 'exited':
      return `exited${p.exitCode === undefined ? '' : ` (${p.exitCode})`}${p.error ? `: ${p.error}` : ''}`;
    default:
      return p.phase;
  }
}

/** The ports a process listens on: `3000/tcp, 127.0.0.1:3001/tcp`. */
export function processPorts(p: ProcessSummary): string {
  return p.supervision.ports.map((x) => `${x.hostIp ? `${x.hostIp}:` : ''}${x.port}/tcp`).join(', ');
}

/** One process as `ps --format json` prints it (the container fields, plus Kind and Pid). */
export function processJson(project: string, p: ProcessSummary): Record<string, unknown> {
  return {
    ID: p.pid > 0 ? String(p.pid) : '',
    Name: p.name,
    Kind: 'process',
    Pid: p.pid,
    Command: p.supervision.command.join(' '),
    Project: project,
    Service: p.service,
    Replica: p.replica,
    State: p.phase,
    Health: p.health ?? '',
    ExitCode: p.exitCode ?? 0,
    Status: processStatus(p),
    Publishers: p.supervision.ports.map((x) => ({
      URL: x.hostIp ?? '',
      TargetPort: x.port,
      PublishedPort: x.port,
      Protocol: 'tcp',
    })),
  };
}
