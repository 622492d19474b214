/** The engine's long-lived streams: logs, events and stats (exec and attach: docker-sessions.ts). */
import type { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { LogDemuxer } from './demux.js';
import { engineCall, toEngineError, untyped } from './docker-errors.js';
import { engineEventFrom, labelFilters, statsFrom } from './docker-mapping.js';
import { jsonObjects } from './json-stream.js';
import type { ContainerStats, EngineEvent, LabelFilter, LogLine, LogOptions } from './types.js';

/** Engine events from now on for objects matching `filter`; ends when `signal` aborts. */
export async function* engineEvents(
  docker: Docker,
  filter: LabelFilter,
  signal: AbortSignal,
  onSubscribed?: () => void,
): AsyncGenerator<EngineEvent> {
  if (signal.aborted) return;
  const filters = { ...labelFilters(filter), type: ['container', 'network', 'volume', 'image'] };
  let stream: NodeJS.ReadableStream;
  try {
    stream = await docker.getEvents({ filters, abortSignal: signal } as Docker.GetEventsOptions);
  } catch (err) {
    if (signal.aborted) return;
    throw toEngineError(err, 'follow engine events');
  }
  // The engine answers the headers as it subscribes us (moby's getEvents flushes, then subscribes, with
  // nothing in between that waits): a request sent after this sees no gap.
  onSubscribed?.();
  for await (const obj of jsonObjects(stream, 'follow engine events', signal)) {
    const e = engineEventFrom(obj);
    if (e) yield e;
  }
}

/** GET `path` as a stream through dockerode's modem (for endpoints its wrappers would buffer). */
function dialStream(
  docker: Docker,
  path: string,
  query: Record<string, unknown>,
  signal?: AbortSignal,
): Promise<NodeJS.ReadableStream> {
  return new Promise((resolve, reject) => {
    docker.modem.dial(
      {
        path,
        method: 'GET',
        options: query,
        isStream: true,
        abortSignal: signal,
        statusCodes: { 200: true, 404: 'no such container', 500: 'server error' },
      } as Parameters<typeof docker.modem.dial>[0],
      (err: unknown, data: unknown) => (err ? reject(err) : resolve(data as NodeJS.ReadableStream)),
    );
  });
}

/** Unix seconds as the engine reads them: `seconds.nanoseconds`, the fraction as nine digits. */
export function apiTimestamp(seconds: number): string {
  let whole = Math.floor(seconds);
  // A double holds Unix seconds to about a microsecond: round there rather than print noise.
  let nanos = Math.round((seconds - whole) * 1e6) * 1000;
  if (nanos >= 1e9) {
    whole += 1;
    nanos -= 1e9;
  }
  return `${whole}.${String(nanos).padStart(9, '0')}`;
}

/** A timestamped log line from the engine: "2024-05-01T10:00:00.123456789Z message". */
function splitTimestamp(line: string): { time?: string; message: string } {
  const space = line.indexOf(' ');
  if (space > 0 && /^\d{4}-\d\d-\d\dT/.test(line))
    return { time: line.slice(0, space), message: line.slice(space + 1) };
  return { message: line };
}

/** A container's logs as lines per stream; with `follow`, ends when the container stops or `signal` aborts. */
export async function* containerLogs(
  docker: Docker,
  id: string,
  opts: LogOptions,
  signal?: AbortSignal,
): AsyncGenerator<LogLine> {
  const container = docker.getContainer(id);
  const what = `read logs of container ${id}`;
  const timestamps = opts.timestamps ?? false;
  const toLine = (stream: 'stdout' | 'stderr', raw: string): LogLine => {
    if (!timestamps) return { stream, message: raw };
    const { time, message } = splitTimestamp(raw);
    return time ? { stream, message, time } : { stream, message };
  };
  const query = {
    follow: opts.follow,
    stdout: true,
    stderr: true,
    timestamps,
    tail: opts.tail !== undefined ? String(opts.tail) : 'all',
    ...(opts.since !== undefined ? { since: apiTimestamp(opts.since) } : {}),
    ...(opts.until !== undefined ? { until: apiTimestamp(opts.until) } : {}),
  };
  if (signal?.aborted) return;
  let stream: NodeJS.ReadableStream;
  let tty: boolean;
  try {
    // TTY containers write one raw stream, all others are multiplexed: ask both at once. The log is always
    // read as a stream (dockerode buffers it whole without `follow`), so a large log never sits in memory.
    const [info, s] = await Promise.allSettled([
      container.inspect() as Promise<{ Config?: { Tty?: boolean } }>,
      dialStream(docker, `/containers/${encodeURIComponent(id)}/logs?`, query, signal),
    ]);
    if (info.status === 'rejected') {
      if (s.status === 'fulfilled') (s.value as PassThrough).destroy();
      throw info.reason;
    }
    if (s.status === 'rejected') throw s.reason;
    tty = info.value.Config?.Tty === true;
    stream = s.value;
  } catch (err) {
    if (signal?.aborted) return;
    throw toEngineError(err, what);
  }
  const demux = new LogDemuxer(!tty);
  const destroy = () => (stream as PassThrough).destroy();
  signal?.addEventListener('abort', destroy, { once: true });
  try {
    for await (const chunk of stream)
      for (const l of demux.push(chunk as Buffer)) yield toLine(l.stream, l.line);
    for (const l of demux.end()) yield toLine(l.stream, l.line);
  } catch (err) {
    if (signal?.aborted) return;
    throw toEngineError(err, what);
  } finally {
    signal?.removeEventListener('abort', destroy);
    destroy();
  }
}

/** Resource usage samples, about one a second, as `docker stats` computes them. */
export async function* containerStats(
  docker: Docker,
  id: string,
  signal: AbortSignal,
): AsyncGenerator<ContainerStats> {
  if (signal.aborted) return;
  const what = `read stats of container ${id}`;
  let stream: NodeJS.ReadableStream;
  try {
    const stats = untyped(docker.getContainer(id), 'stats');
    stream = (await stats({ stream: true, abortSignal: signal })) as NodeJS.ReadableStream;
  } catch (err) {
    if (signal.aborted) return;
    throw toEngineError(err, what);
  }
  for await (const s of jsonObjects(stream, what, signal)) yield statsFrom(s);
}

/** GET stats?stream=false: one sample whose CPU figure covers the second the engine waited. */
export async function statsOnce(docker: Docker, id: string, signal?: AbortSignal): Promise<ContainerStats> {
  const stats = untyped(docker.getContainer(id), 'stats');
  const s = await engineCall(`read stats of container ${id}`, () =>
    stats({ stream: false, abortSignal: signal }),
  );
  return statsFrom(s as Record<string, unknown>);
}
