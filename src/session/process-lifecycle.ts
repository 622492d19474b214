/**
 * Host processes in the commands that act on what exists (start, stop, restart, kill, pause, rm, down,
 * and the container-only ones): how each reaches the processes (their supervisor, or the process table
 * when none runs), what a supervisor started after they stopped needs to know, signals to their process
 * groups, and one-line refusals where a command does not apply to a process.
 */
import { rmSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { dirname } from 'node:path';
import { projectFolder, runtimeDir } from '../core/dirs.js';
import { UsageError } from '../core/errors.js';
import type { ObservedState } from '../model/observed.js';
import { desired } from '../reconciler/desired.js';
import { findInstances } from '../runtime/process/proc-table.js';
import { LocalProcessOs } from '../runtime/process/os.js';
import { trySignal } from '../runtime/process/signals.js';
import type { Stack } from '../spec/types.js';
import { lookAtProcesses, superviseProcesses, type ProcessAccess } from './processes.js';

/** Which commands take a supervisor (they start processes), and which only look or signal. */
export type ProcessVerb = 'start' | 'restart' | 'look';

/**
 * How a command reaches the project's processes: `start` and `restart` need a supervisor (the detached
 * one is started when none answers and there is a process to act on); the others look and signal.
 */
export async function processAccess(stack: Stack, verb: ProcessVerb): Promise<ProcessAccess | undefined> {
  const seen = await lookAtProcesses(stack.name);
  if (verb === 'look' || seen?.supervised) return seen;
  const has = Object.keys(stack.processes).length > 0 || (seen && (await seen.host.list()).length > 0);
  seen?.close();
  return has ? superviseProcesses(stack.name) : undefined;
}

/**
 * A supervisor started after the processes stopped does not know how they were started; the stack file
 * does: its processes without a run are added as stopped, so `start` starts them.
 */
export function withRememberedSpecs(observed: ObservedState, stack: Stack): void {
  if (Object.keys(stack.processes).length === 0) return;
  const known = new Set(observed.processes.map((p) => p.name));
  for (const svc of Object.values(desired(stack).processes))
    for (const want of svc.processes) {
      if (known.has(want.name)) continue;
      observed.processes.push({
        name: want.name,
        project: stack.name,
        service: want.service,
        replica: want.replica,
        hash: want.hash,
        instance: '',
        pid: 0,
        phase: 'stopped',
        restarts: 0,
        supervision: want.spec,
        spec: want.spec,
      });
    }
}

/** After `down`: the output pipes and log files of a project none of whose processes runs any more. */
export function removeProcessFiles(project: string): void {
  if (findInstances(project).length > 0) return;
  const os = new LocalProcessOs();
  for (const dir of [projectFolder(runtimeDir(), project), dirname(os.logPath(project, 'x', 1))]) {
    try {
      // The supervisor that was just told to exit may still be writing the last lines its processes left
      // in their pipes, so a file can appear while the folder is removed (ENOTEMPTY): try again a while.
      rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    } catch (err) {
      // Everything ran is gone; only files are left, and the next down removes them.
      process.stderr.write(`warning: could not remove ${dir}: ${(err as Error).message}\n`);
    }
  }
}

/** The process services among `services` (from the stack file, or the process table without one). */
export function processServices(stack: Stack, observed: ObservedState, services: string[]): string[] {
  const known = new Set([...Object.keys(stack.processes), ...observed.processes.map((p) => p.service)]);
  return services.filter((s) => known.has(s) && !Object.hasOwn(stack.services, s));
}

/** A command that acts inside containers names a host process: one line, exit 2. */
export function refuseProcesses(
  stack: Stack,
  observed: ObservedState,
  services: string[],
  command: string,
): void {
  const named = processServices(stack, observed, services);
  if (named.length === 0) return;
  const which = named.map((n) => `"${n}"`).join(', ');
  throw new UsageError(
    `${which} ${named.length === 1 ? 'is a host process' : 'are host processes'}, not ${named.length === 1 ? 'a container' : 'containers'}: ${command} does not apply`,
  );
}

/**
 * `kill`: the signal to the whole process group of every running replica of the named (or all) process
 * services, as a container's kill reaches its whole cgroup. Their supervisor then sees the exit and
 * applies the restart policy. Returns one line per process signalled.
 */
export function killProcesses(observed: ObservedState, services: string[], signal: string): string[] {
  const only = services.length > 0 ? new Set(services) : undefined;
  const targets = observed.processes.filter(
    (p) => p.phase === 'running' && p.pid > 0 && (!only || only.has(p.service)),
  );
  const numeric = /^\d+$/.test(signal);
  if (targets.length > 0 && !numeric && !(signal in osConstants.signals))
    throw new UsageError(`-s ${signal}: this signal cannot be sent to a host process (use a number)`);
  const sig = (numeric ? Number(signal) : signal) as NodeJS.Signals;
  const lines: string[] = [];
  for (const p of targets) {
    if (trySignal(-p.pid, sig)) lines.push(`kill -s ${signal} process ${p.name} (process group ${p.pid})`);
  }
  return lines;
}
