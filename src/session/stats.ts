/**
 * `tsstack stats`: CPU, memory, network and block I/O and process counts of the project's containers,
 * as `docker compose stats` prints them — a table redrawn every second until Ctrl-C, or one sample with
 * `--no-stream`, in Compose's field names with `--format json` or a template.
 */
import type { ContainerStats, Runtime } from '../runtime/types.js';
import type { Stack } from '../spec/types.js';
import { parseFormat, renderRows } from './go-format.js';
import { listProjectContainers, writeOut, type ProjectContainer } from './project-containers.js';
import { refuseHostProcesses } from './processes.js';

export interface StatsOptions {
  services: string[];
  /** Stopped containers too (shown with zeros). */
  all: boolean;
  noStream: boolean;
  noTrunc: boolean;
  format: string;
  signal: AbortSignal;
  out?: NodeJS.WritableStream;
  /** Redraw interval in ms (default 1000). */
  intervalMs?: number;
}

const TABLE =
  'table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}';
const HEADERS = {
  ID: 'CONTAINER ID',
  Container: 'CONTAINER',
  Name: 'NAME',
  CPUPerc: 'CPU %',
  MemUsage: 'MEM USAGE / LIMIT',
  MemPerc: 'MEM %',
  NetIO: 'NET I/O',
  BlockIO: 'BLOCK I/O',
  PIDs: 'PIDS',
};

/** Go's `%.Ng`: N significant digits, trailing zeros dropped. */
function significant(v: number, digits: number): string {
  return String(Number(v.toPrecision(digits)));
}

/** Sizes as docker's go-units prints them: binary `KiB` (BytesSize) or decimal `kB` (HumanSize). */
export function formatBytes(n: number, binary: boolean, digits = binary ? 4 : 3): string {
  const base = binary ? 1024 : 1000;
  const units = binary ? ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] : ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let v = n;
  let i = 0;
  while (v >= base && i < units.length - 1) {
    v /= base;
    i++;
  }
  return `${significant(v, digits)}${units[i]}`;
}

/** One container's row in `docker stats`'s field names (zeros for a stopped container). */
export function statsFields(
  c: ProjectContainer,
  s: ContainerStats | undefined,
  noTrunc: boolean,
): Record<string, string> {
  const id = noTrunc ? c.summary.id : c.summary.id.slice(0, 12);
  const limit = s?.memoryLimit ?? 0;
  const mem = s?.memoryUsage ?? 0;
  const pair = (a?: number, b?: number) => `${formatBytes(a ?? 0, false)} / ${formatBytes(b ?? 0, false)}`;
  return {
    BlockIO: pair(s?.blockRead, s?.blockWrite),
    CPUPerc: `${(s?.cpuPercent ?? 0).toFixed(2)}%`,
    Container: id,
    ID: id,
    MemPerc: `${(limit > 0 ? (mem / limit) * 100 : 0).toFixed(2)}%`,
    MemUsage: `${formatBytes(mem, true)} / ${formatBytes(limit, true)}`,
    Name: c.summary.name,
    NetIO: pair(s?.netRx, s?.netTx),
    PIDs: String(s?.pids ?? 0),
  };
}

/** The rows in the chosen format (table, json lines or a template). */
export function renderStats(format: string, rows: Record<string, string>[]): string {
  const f = parseFormat(format);
  if (f.kind === 'json') return rows.map((r) => `${JSON.stringify(r)}\n`).join('');
  const t = f.kind === 'table' ? (parseFormat(TABLE) as Extract<typeof f, { kind: 'template' }>) : f;
  return renderRows(t, rows, HEADERS);
}

/** Prints stats once (`noStream`) or redraws them every second until the signal aborts. */
export async function runStats(runtime: Runtime, stack: Stack, o: StatsOptions): Promise<void> {
  refuseHostProcesses(stack, o.services, 'stats');
  const out = o.out ?? process.stdout;
  // Check the format before anything is read from the engine.
  renderStats(o.format, []);
  const list = () =>
    listProjectContainers(runtime, stack, { all: o.all, services: o.services, oneoff: true });
  if (o.noStream) {
    const containers = await list();
    const samples = await Promise.all(
      containers.map((c) =>
        c.summary.state === 'running'
          ? runtime.statsOnce(c.summary.id, o.signal).catch(() => undefined)
          : undefined,
      ),
    );
    await writeOut(
      out,
      renderStats(
        o.format,
        containers.map((c, i) => statsFields(c, samples[i], o.noTrunc)),
      ),
    );
    return;
  }
  const latest = new Map<string, ContainerStats>();
  const followed = new Set<string>();
  const follow = (id: string): void => {
    followed.add(id);
    void (async () => {
      try {
        for await (const s of runtime.stats(id, o.signal)) latest.set(id, s);
      } catch {
        // The container went away; the next listing drops it.
      } finally {
        followed.delete(id);
      }
    })();
  };
  const tty = (out as { isTTY?: boolean }).isTTY === true;
  while (!o.signal.aborted) {
    const containers = await list();
    for (const c of containers)
      if (c.summary.state === 'running' && !followed.has(c.summary.id)) follow(c.summary.id);
    const rows = containers.map((c) => statsFields(c, latest.get(c.summary.id), o.noTrunc));
    await writeOut(out, `${tty ? '\x1b[2J\x1b[H' : ''}${renderStats(o.format, rows)}`);
    await sleep(o.intervalMs ?? 1000, o.signal);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
