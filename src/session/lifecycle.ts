/**
 * `start`, `stop`, `restart` and `down` with host processes in the project: the same plans, with the
 * processes observed through their supervisor (or the process table when none runs). Starting and
 * restarting processes takes a supervisor, so those start the detached one when none answers.
 */
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { projectFolder, runtimeDir } from '../core/dirs.js';
import type { ObservedState } from '../model/observed.js';
import type { Plan } from '../model/plan.js';
import { desired } from '../reconciler/desired.js';
import { observe } from '../reconciler/observe.js';
import { findInstances } from '../runtime/process/proc-table.js';
import { LocalProcessOs } from '../runtime/process/os.js';
import type { Runtime } from '../runtime/types.js';
import type { Stack } from '../spec/types.js';
import { applyWithProgress } from './apply-plan.js';
import { lookAtProcesses, shutDownSupervisor, superviseProcesses, type ProcessAccess } from './processes.js';

export type LifecycleVerb = 'start' | 'stop' | 'restart';

/** Plans with `plan` against what exists (containers and processes) and applies it with progress. */
export async function runLifecycle(
  runtime: Runtime,
  stack: Stack,
  verb: LifecycleVerb,
  plan: (observed: ObservedState) => Plan,
): Promise<void> {
  const access = await processAccess(stack, verb);
  try {
    const observed = await observe(runtime, stack.name, access?.host);
    if (verb === 'start') withRememberedSpecs(observed, stack);
    await applyWithProgress(runtime, plan(observed), { processes: access?.host });
  } finally {
    access?.close();
  }
}

/** `down`: the plan from `plan`, then the detached supervisor exits and the processes' files go. */
export async function runDown(
  runtime: Runtime,
  stack: Stack,
  plan: (observed: ObservedState) => Plan,
): Promise<void> {
  const access = await lookAtProcesses(stack.name);
  try {
    const observed = await observe(runtime, stack.name, access?.host);
    await applyWithProgress(runtime, plan(observed), { processes: access?.host });
    await shutDownSupervisor(access);
  } finally {
    access?.close();
  }
  if (access) removeProcessFiles(stack.name);
}

async function processAccess(stack: Stack, verb: LifecycleVerb): Promise<ProcessAccess | undefined> {
  const seen = await lookAtProcesses(stack.name);
  if (verb === 'stop' || seen?.supervised) return seen;
  const has = Object.keys(stack.processes).length > 0 || (seen && (await seen.host.list()).length > 0);
  seen?.close();
  return has ? superviseProcesses(stack.name) : undefined;
}

/**
 * A supervisor started after the processes stopped does not know how they were started; the stack file
 * does: its processes without a run are added as stopped, so `start` starts them.
 */
function withRememberedSpecs(observed: ObservedState, stack: Stack): void {
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
function removeProcessFiles(project: string): void {
  if (findInstances(project).length > 0) return;
  const os = new LocalProcessOs();
  for (const dir of [projectFolder(runtimeDir(), project), dirname(os.logPath(project, 'x', 1))])
    rmSync(dir, { recursive: true, force: true });
}
