/** Turns whatever dockerode throws into an EngineError carrying the engine's own words and status code. */
import { EngineError } from '../core/errors.js';

interface ModemError {
  statusCode?: number;
  json?: unknown;
  message?: string;
  code?: string;
}

/** The engine's message from a dockerode error: `json.message` when the engine answered, else the socket error. */
export function engineWords(err: unknown): string {
  const e = (err ?? {}) as ModemError;
  const json = e.json;
  if (json && typeof json === 'object' && 'message' in json && typeof json.message === 'string')
    return json.message.trim();
  if (typeof json === 'string' && json.trim()) return json.trim();
  if (Buffer.isBuffer(json) && json.length > 0) return json.toString('utf8').trim();
  // dockerode's own text looks like "(HTTP code 404) no such container - <engine words> "; keep the engine part.
  const msg = String(e.message ?? err).trim();
  const m = /^\(HTTP code \d+\) [^-]+ - (.*)$/s.exec(msg);
  return (m?.[1] ?? msg).trim();
}

export function statusOf(err: unknown): number | undefined {
  const code = (err as ModemError | undefined)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

/** `what` says which step failed ("create container demo-web-1"); the engine's words follow. */
export function toEngineError(err: unknown, what: string): EngineError {
  if (err instanceof EngineError) return err;
  return new EngineError(`${what}: ${engineWords(err)}`, statusOf(err));
}

/** Runs an engine call, converting its failure into an EngineError. */
export async function engineCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw toEngineError(err, what);
  }
}

/** Like engineCall, but a 404 (no such object) resolves to undefined. */
export async function engineLookup<T>(what: string, call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (err) {
    if (statusOf(err) === 404) return undefined;
    throw toEngineError(err, what);
  }
}

/** Calls a dockerode method with options its typings leave out (abortSignal, query-only fields). */
export function untyped<T extends object>(obj: T, method: keyof T): (opts: object) => Promise<unknown> {
  return (obj[method] as unknown as (opts: object) => Promise<unknown>).bind(obj);
}
