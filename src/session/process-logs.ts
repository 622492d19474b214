/**
 * `tsstack logs` for host processes: their log files (written by whichever supervisor ran them), printed
 * like container logs (`api-1  | line`), with `--tail`, `--since`, `-t`, and `-f` following the files
 * across rotations until the signal, or until no replica of them runs any more.
 */
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { findInstances } from '../runtime/process/proc-table.js';
import { followLog, logSize, readLogLines, type LogLine } from '../runtime/process/log-file.js';
import { LocalProcessOs } from '../runtime/process/os.js';
import type { EventBus } from '../events/bus.js';
import type { Runtime } from '../runtime/types.js';
import type { Stack } from '../spec/types.js';
import { printLogs, type LogPrintOptions } from './log-printer.js';
import { listProjectContainers, servicePaint, writeOut } from './project-containers.js';

/** One replica's log file. */
export interface ProcessLog {
  service: string;
  replica: number;
  path: string;
}

/** The replicas with a log file (every replica that ran since the last `down`), of `services` (empty: all). */
export function processLogs(
  project: string,
  services: string[],
  env: NodeJS.ProcessEnv = process.env,
): ProcessLog[] {
  const os = new LocalProcessOs({ env });
  const dir = dirname(os.logPath(project, 'x', 1));
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .flatMap((n) => {
      const m = /^(.+)-(\d+)\.log$/.exec(n);
      if (!m || n === 'supervisor.log') return [];
      const service = m[1]!;
      const replica = Number(m[2]);
      return services.length === 0 || services.includes(service)
        ? [{ service, replica, path: os.logPath(project, service, replica) }]
        : [];
    })
    .sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : a.replica - b.replica));
}

/** Prints the logs; with `follow`, until the signal or until none of their replicas runs (polled). */
export async function printProcessLogs(
  project: string,
  all: ProcessLog[],
  o: LogPrintOptions & { colourOffset?: number },
): Promise<void> {
  const logs = o.index === undefined ? all : all.filter((l) => l.replica === o.index);
  const width = Math.max(0, ...logs.map((l) => `${l.service}-${l.replica}`.length));
  const services = [...new Set(logs.map((l) => l.service))];
  const print = async (l: ProcessLog, line: LogLine): Promise<void> => {
    const raw = o.prefix === false ? '' : `${`${l.service}-${l.replica}`.padEnd(width)}  | `;
    const paint = servicePaint((o.colourOffset ?? 0) + services.indexOf(l.service));
    const time = o.timestamps ? `${new Date(line.time).toISOString()} ` : '';
    await writeOut(o.out, `${o.color ? paint(raw) : raw}${time}${line.message}\n`);
  };
  const starts = logs.map((l) => logSize(l.path));
  // Past lines first, in time order across replicas.
  const past = logs
    .flatMap((l) => readLogLines(l.path, { since: o.since, tail: o.tail }).map((line) => ({ l, line })))
    .filter(({ line }) => o.until === undefined || line.time < o.until * 1000)
    .sort((a, b) => a.line.time - b.line.time);
  for (const { l, line } of past) await print(l, line);
  if (!o.follow || logs.length === 0) return;
  const stop = new AbortController();
  const done = AbortSignal.any([o.signal, stop.signal]);
  const running = (): boolean => findInstances(project).some((f) => f.leader && services.includes(f.service));
  const watcher = setInterval(() => {
    if (!running()) setTimeout(() => stop.abort(), 500);
  }, 1000);
  try {
    await Promise.all(
      logs.map(async (l, i) => {
        for await (const line of followLog(l.path, starts[i] ?? 0, done)) await print(l, line);
      }),
    );
  } finally {
    clearInterval(watcher);
  }
}

/** Emits the processes' log lines since `since` (unix seconds): for views that attach after they started. */
export function replayProcessLogs(bus: EventBus, project: string, services: string[], since: number): void {
  if (services.length === 0) return;
  const lines = processLogs(project, services)
    .flatMap((l) => readLogLines(l.path, { since }).map((line) => ({ l, line })))
    .sort((a, b) => a.line.time - b.line.time);
  for (const { l, line } of lines)
    bus.emit({
      kind: 'log',
      service: l.service,
      replica: l.replica,
      stream: line.stream,
      message: line.message,
      time: line.time,
    });
}

/**
 * `logs`: the containers' logs and the host processes' log files side by side (names that are processes
 * are not asked of the engine).
 */
export async function printStackLogs(runtime: Runtime, stack: Stack, o: LogPrintOptions): Promise<void> {
  const services = o.services;
  const procLogs = processLogs(stack.name, services);
  const isProcess = (s: string): boolean => !!stack.processes[s] || procLogs.some((l) => l.service === s);
  const containerServices = services.filter((s) => !isProcess(s));
  const list = () => listProjectContainers(runtime, stack, { all: true, services: containerServices });
  const print = { ...o, services: containerServices };
  await Promise.all([
    services.length > 0 && containerServices.length === 0
      ? undefined
      : printLogs(runtime, stack.name, list, print),
    printProcessLogs(stack.name, procLogs, { ...print, colourOffset: Object.keys(stack.services).length }),
  ]);
}
