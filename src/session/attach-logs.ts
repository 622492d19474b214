/**
 * Attached `up`: follows the logs of every container, each line prefixed like Compose (`web-1  | `) in
 * its service's colour, until every stream ends or the signal aborts. Its own module so the UI can take
 * its place later.
 */
import type { Runtime } from '../runtime/types.js';
import { servicePaint } from './project-containers.js';

export interface AttachTarget {
  /** Container id or name. */
  id: string;
  service: string;
  replica: number;
}

export interface AttachOptions {
  signal: AbortSignal;
  out?: NodeJS.WritableStream;
  color?: boolean;
  /** Only lines from now on (default: the whole log, as Compose shows when attaching). */
  tail?: number;
  /** No prefix; stderr lines go to stderr (for `run`, whose output is the command's own). */
  raw?: boolean;
}

/** `web-1` for replica 1 of web, or the service name for one-off containers (replica 0). */
export function prefixName(t: AttachTarget): string {
  return t.replica > 0 ? `${t.service}-${t.replica}` : t.service;
}

/** Follows all logs; resolves when every stream has ended (containers stopped) or on abort. */
export async function attachLogs(
  runtime: Runtime,
  targets: AttachTarget[],
  opts: AttachOptions,
): Promise<void> {
  const out = opts.out ?? process.stdout;
  const width = Math.max(0, ...targets.map((t) => prefixName(t).length));
  const services = [...new Set(targets.map((t) => t.service))].sort();
  await Promise.all(
    targets.map(async (t) => {
      const paint = servicePaint(services.indexOf(t.service));
      const raw = `${prefixName(t).padEnd(width)}  | `;
      const prefix = opts.color ? paint(raw) : raw;
      try {
        for await (const line of runtime.logs(t.id, { follow: true, tail: opts.tail }, opts.signal))
          if (!opts.raw) out.write(`${prefix}${line.message}\n`);
          else (line.stream === 'stderr' ? process.stderr : out).write(`${line.message}\n`);
      } catch (err) {
        if (!opts.signal.aborted) out.write(`${prefix}(log stream ended: ${(err as Error).message})\n`);
      }
    }),
  );
}
