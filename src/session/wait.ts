/**
 * `tsstack wait SERVICE...`: blocks until every running container of the services (one-off containers
 * too) has stopped, printing each exit, and returns the exit code of the last one to stop — Compose's
 * behaviour. `--down-project` then takes the project down (orphans included).
 */
import { EngineError } from '../core/errors.js';
import { planDown } from '../reconciler/lifecycle.js';
import { observe } from '../reconciler/observe.js';
import type { Runtime } from '../runtime/types.js';
import type { Stack } from '../spec/types.js';
import { applyOrPrint } from './apply-plan.js';
import { lockProject } from './lock.js';
import { listProjectContainers } from './project-containers.js';
import { refuseHostProcesses } from './processes.js';

export interface WaitOptions {
  services: string[];
  downProject?: boolean;
  dryRun?: boolean;
  lockWait?: boolean;
  out?: NodeJS.WritableStream;
  signal?: AbortSignal;
}

/** Waits; resolves with the exit code of the container that stopped last. */
export async function waitForExit(runtime: Runtime, stack: Stack, o: WaitOptions): Promise<number> {
  refuseHostProcesses(stack, o.services, 'wait');
  const out = o.out ?? process.stdout;
  const containers = await listProjectContainers(runtime, stack, {
    all: false,
    services: o.services,
    oneoff: true,
  });
  if (containers.length === 0) throw new EngineError(`no running containers for project "${stack.name}"`);
  let code = 0;
  await Promise.all(
    containers.map(async (c) => {
      const status = await runtime.waitContainer(c.summary.id, o.signal);
      out.write(`container "${c.summary.name}" exited with status code ${status}\n`);
      code = status;
    }),
  );
  if (o.downProject) {
    const unlock = o.dryRun ? () => undefined : await lockProject(stack.name, o.lockWait !== false);
    try {
      const plan = planDown(await observe(runtime, stack.name), { removeOrphans: true });
      await applyOrPrint(runtime, plan, { dryRun: o.dryRun });
    } finally {
      unlock();
    }
  }
  return code;
}
