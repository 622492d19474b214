/**
 * The control protocol of a project's supervisor: JSON, one message a line, over a unix socket in the
 * user's runtime folder (only its owner can connect). A request carries an id; its one answer carries the
 * same id. A `wait` stays open until its condition holds or fails, or the client hangs up.
 */
import { join } from 'node:path';
import { projectFolder, runtimeDir } from '../core/dirs.js';
import type { ProcessCondition } from '../model/process-host.js';
import type { ProcessCreateSpec } from '../runtime/process/types.js';

export type Request =
  | { id: number; op: 'hello' }
  | { id: number; op: 'list' }
  | { id: number; op: 'start'; spec: ProcessCreateSpec; env: Record<string, string | undefined> }
  | { id: number; op: 'stop' | 'remove' | 'restart'; name: string; timeoutMs?: number }
  | { id: number; op: 'wait'; service: string; condition: ProcessCondition }
  /** Exit: `release` leaves the processes running (another supervisor takes them over); `shutdown` after down. */
  | { id: number; op: 'shutdown' | 'release' };

export type Response = { id: number; ok: true; result?: unknown } | { id: number; ok: false; error: string };

/** Who answers on the socket. */
export interface Hello {
  pid: number;
  project: string;
  /** `detached` (the background supervisor) or `attached` (an `up` in a terminal). */
  mode: 'detached' | 'attached';
}

/** The control socket of a project: `<runtime dir>/tsstack/<project>/supervisor.sock`. */
export function socketPath(project: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(projectFolder(runtimeDir(env), project), 'supervisor.sock');
}

/** Splits a stream of text into lines, calling `onLine` for each complete one. */
export function lineReader(onLine: (line: string) => void): (chunk: string) => void {
  let partial = '';
  return (chunk) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    for (const p of parts) if (p.trim() !== '') onLine(p);
  };
}
