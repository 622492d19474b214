/**
 * `tsstack logs`: every container's lines as they arrive, prefixed `web-1  | ` in its service's colour.
 * With `follow`, containers of the selection that start later (a restart, a scale-up, a recreate) are
 * followed too, as Compose does. It ends on the signal, or once nothing is left to follow: at once when
 * every container had already exited, after a grace period when the last one stopped while followed.
 */
import { UsageError } from '../core/errors.js';
import { LABEL } from '../model/labels.js';
import { subscribeEvents } from '../runtime/subscribe.js';
import type { Runtime } from '../runtime/types.js';
import {
  projectContainer,
  servicePaint,
  shortName,
  writeOut,
  type ProjectContainer,
} from './project-containers.js';

export interface LogPrintOptions {
  follow: boolean;
  tail?: number;
  since?: number;
  timestamps: boolean;
  color: boolean;
  signal: AbortSignal;
  out: NodeJS.WritableStream;
  /** Services whose new containers are followed (empty: all). */
  services: string[];
  /** Only lines before this Unix time (seconds). */
  until?: number;
  /** False: lines without the `web-1  | ` prefix (`--no-log-prefix`). */
  prefix?: boolean;
  /** Only this replica (`--index`). */
  index?: number;
  /** How long to wait for a stopped container to start again before ending once no stream is left (ms). */
  graceMs?: number;
}

/**
 * Prints the logs of the containers `list` returns; with `follow`, also of the project's containers that
 * start later. `list` is called once the engine holds the event subscription, so a container started
 * between the two is not missed.
 */
export async function printLogs(
  runtime: Runtime,
  project: string,
  list: () => Promise<ProjectContainer[]>,
  o: LogPrintOptions,
): Promise<void> {
  let width = 0;
  const services: string[] = [];
  const streams = new Map<string, Promise<void>>();

  const lastPrinted = new Map<string, string>();
  // Just after the last line printed for a container, so a restart neither repeats nor skips a line.
  const resumeAt = (id: string): number | undefined => {
    const last = lastPrinted.get(id);
    return last ? unixSeconds(last) + 1e-6 : undefined;
  };
  const stop = new AbortController();
  const done = AbortSignal.any([o.signal, stop.signal]);
  const print = async (c: ProjectContainer, since: number | undefined, tail: number | undefined) => {
    if (!services.includes(c.service)) services.push(c.service);
    width = Math.max(width, shortName(c).length);
    const paint = servicePaint(services.indexOf(c.service));
    // Following asks for timestamps always: where a container's printed log ends, so a restart resumes there.
    const opts = { follow: o.follow, tail, since, until: o.until, timestamps: o.timestamps || o.follow };
    for await (const line of runtime.logs(c.summary.id, opts, done)) {
      if (line.time) lastPrinted.set(c.summary.id, line.time);
      const raw = o.prefix === false ? '' : `${shortName(c).padEnd(width)}  | `;
      const time = o.timestamps && line.time ? `${line.time} ` : '';
      await writeOut(o.out, `${o.color && raw ? paint(raw) : raw}${time}${line.message}\n`);
    }
  };

  // Prefix width and colour order from the listed containers (later ones extend them as they come).
  const take = async (): Promise<ProjectContainer[]> => {
    const all = await list();
    const containers = all.filter((c) => o.index === undefined || c.replica === o.index);
    if (containers.length === 0 && all.length > 0)
      throw new UsageError(
        `no container with index ${o.index} (indexes: ${[...new Set(all.map((c) => c.replica))].join(', ')})`,
      );
    width = Math.max(0, ...containers.map((c) => shortName(c).length));
    services.push(...[...new Set(containers.map((c) => c.service))].sort());
    return containers;
  };

  if (!o.follow) {
    await Promise.all((await take()).map((c) => print(c, o.since, o.tail)));
    return;
  }

  let graceTimer: NodeJS.Timeout | undefined;
  const restarted = new Map<string, number>();
  const died = new Map<string, number>();
  const followed = new Set<string>();
  // Whether a container stopped while followed: then wait a while for it (or another) to start again.
  let sawStop = false;
  const follow = (
    c: ProjectContainer,
    since: number | undefined,
    tail: number | undefined,
    live: boolean,
  ) => {
    clearTimeout(graceTimer);
    followed.add(c.summary.id);
    const p = print(c, since, tail)
      .catch((err: unknown) => {
        if (!o.signal.aborted) process.stderr.write(`${shortName(c)}: ${(err as Error).message}\n`);
      })
      .finally(() => {
        streams.delete(c.summary.id);
        // Started again while its old stream was still closing: follow the new run.
        const again = restarted.get(c.summary.id);
        restarted.delete(c.summary.id);
        if (again !== undefined && !done.aborted)
          return follow(c, resumeAt(c.summary.id) ?? again, undefined, true);
        sawStop ||= live;
        if (streams.size === 0)
          graceTimer = setTimeout(() => stop.abort(), sawStop ? (o.graceMs ?? 5000) : 0);
      });
    streams.set(c.summary.id, p);
  };

  // Subscribe, and list only once the engine holds the subscription: no start in between is missed.
  const { iter: events, first, ready } = subscribeEvents(runtime, { [LABEL.project]: project }, done);
  try {
    await ready;
    const containers = await take();
    for (const c of containers)
      follow(c, o.since, o.tail, c.summary.state === 'running' || c.summary.state === 'restarting');
    if (containers.length === 0) graceTimer = setTimeout(() => stop.abort(), 0);
    for (let r = await first; !r.done; r = await events.next()) {
      const e = r.value;
      if (e.type !== 'container') continue;
      if (e.action === 'die') died.set(e.id, e.time);
      if (e.action !== 'start') continue;
      // A container printed before and started again: only what the new run writes, from when the old
      // run died. One never seen (a new replica, a recreate): all of its log is new.
      const since = resumeAt(e.id) ?? (followed.has(e.id) ? (died.get(e.id) ?? e.time) / 1000 : undefined);
      if (streams.has(e.id)) {
        restarted.set(e.id, since ?? e.time / 1000);
        continue;
      }
      const summary = await runtime.inspectContainer(e.id).catch(() => undefined);
      if (!summary) continue;
      const c = projectContainer(summary);
      if (c.oneoff || (o.services.length > 0 && !o.services.includes(c.service))) continue;
      if (o.index !== undefined && c.replica !== o.index) continue;
      follow(c, since, undefined, true);
    }
  } finally {
    clearTimeout(graceTimer);
    stop.abort();
    await Promise.all(streams.values());
  }
}

/** An engine timestamp (RFC 3339 with nanoseconds) as Unix seconds, to the microsecond. */
export function unixSeconds(time: string): number {
  const m = /^(.*T\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$/.exec(time);
  if (!m) return Date.parse(time) / 1000;
  return Date.parse(`${m[1]}${m[3]}`) / 1000 + Number(`0${m[2] ?? ''}`);
}
