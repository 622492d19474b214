/**
 * `tsstack events`: the engine's container events for the project as they happen, one line each, in
 * Compose's text form or (`--json`) with Compose's field names: time, type, action, id, service, attributes.
 */
import { LABEL, projectFilter } from '../model/labels.js';
import { observe } from '../reconciler/observe.js';
import type { EngineEvent, Runtime } from '../runtime/types.js';
import type { Stack } from '../spec/types.js';
import { checkKnownServices } from './lifecycle.js';
import { refuseHostProcesses } from './processes.js';

export interface ComposeEvent {
  action: string;
  /** The engine's attributes without tsstack's own labels (Compose drops its `com.docker.compose.*`). */
  attributes: Record<string, string>;
  id: string;
  service: string;
  /** RFC 3339, UTC. */
  time: string;
  type: 'container';
}

/** The event as Compose reports it, or undefined for what Compose leaves out (other types, one-offs, other services). */
export function composeEvent(e: EngineEvent, services: string[]): ComposeEvent | undefined {
  if (e.type !== 'container') return undefined;
  if (e.attributes[LABEL.oneoff] === 'true') return undefined;
  const service = e.attributes[LABEL.service] ?? '';
  if (services.length > 0 && !services.includes(service)) return undefined;
  const attributes = Object.fromEntries(
    Object.entries(e.attributes).filter(([k]) => !k.startsWith('io.tsstack.')),
  );
  return {
    action: e.action,
    attributes,
    id: e.id,
    service,
    time: new Date(e.time).toISOString(),
    type: 'container',
  };
}

/** Compose's text line: `2024-05-01 10:00:00.123000 container start <id> (image=..., name=...)`. */
export function eventLine(e: ComposeEvent): string {
  const t = new Date(e.time);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const when = `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())} ${pad(t.getHours())}:${pad(t.getMinutes())}:${pad(t.getSeconds())}.${pad(t.getMilliseconds(), 3)}000`;
  const attrs = Object.entries(e.attributes)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  return `${when} container ${e.action} ${e.id} (${attrs})\n`;
}

/** Prints events until `signal` aborts or the engine ends the stream; an unknown service is refused first (exit 2). */
export async function printEvents(
  runtime: Runtime,
  stack: Stack,
  o: { services: string[]; json: boolean; signal: AbortSignal; out?: NodeJS.WritableStream },
): Promise<void> {
  refuseHostProcesses(stack, o.services, 'events');
  if (o.services.length > 0) checkKnownServices(stack, await observe(runtime, stack.name), o.services);
  const out = o.out ?? process.stdout;
  for await (const e of runtime.events(projectFilter(stack.name), o.signal)) {
    const c = composeEvent(e, o.services);
    if (c) out.write(o.json ? `${JSON.stringify(c)}\n` : eventLine(c));
  }
}
