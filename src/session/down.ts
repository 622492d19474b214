/**
 * `tsstack down [SERVICE...]`: stop and remove the project's containers and host processes, then its
 * networks (and volumes, images).
 */
import { serviceImage } from '../reconciler/desired.js';
import { planDown } from '../reconciler/lifecycle.js';
import { observe } from '../reconciler/observe.js';
import { applyOrPrint } from './apply-plan.js';
import { checkKnownServices } from './lifecycle.js';
import { removeProcessFiles } from './process-lifecycle.js';
import { lookAtProcesses, shutDownSupervisor } from './processes.js';
import { lockProject } from './lock.js';
import { loadProjectAndConnect, type GlobalOptions } from './project.js';

export interface DownOptions {
  services: string[];
  volumes?: boolean;
  removeOrphans?: boolean;
  /** `--rmi local`: images built for services without an `image:` name; `all`: every service's image. */
  rmi?: 'local' | 'all';
  timeout?: number;
}

/** Plans the teardown from what the engine has and applies it (or prints it with `--dry-run`). */
export async function runDown(g: GlobalOptions, o: DownOptions): Promise<void> {
  const {
    loaded: { stack },
    runtime,
  } = await loadProjectAndConnect(g, { allowMissing: true });
  const unlock = g.dryRun ? () => undefined : await lockProject(stack.name, g.lockWait !== false);
  const access = await lookAtProcesses(stack.name);
  try {
    const observed = await observe(runtime, stack.name, access?.host);
    checkKnownServices(stack, observed, o.services);
    const services = Object.values(stack.services);
    const imagesOf = services.filter(
      (s) =>
        (o.services.length === 0 || o.services.includes(s.name)) &&
        (o.rmi === 'all' || (o.rmi === 'local' && !s.image)),
    );
    const images: string[] = [];
    for (const ref of new Set(imagesOf.map((s) => serviceImage(stack, s))))
      if (await runtime.inspectImage(ref)) images.push(ref);
    const names = [...services.map((s) => s.name), ...Object.keys(stack.processes)];
    const plan = planDown(observed, {
      volumes: o.volumes,
      specServices: names.length > 0 ? names : undefined,
      removeOrphans: o.removeOrphans,
      timeout: o.timeout,
      images,
      services: o.services,
    });
    await applyOrPrint(runtime, plan, { dryRun: g.dryRun, processes: access?.host });
    // The whole project went: the detached supervisor exits, and the processes' files go.
    if (!g.dryRun && o.services.length === 0) await shutDownSupervisor(access);
  } finally {
    access?.close();
    unlock();
  }
  if (access && !g.dryRun && o.services.length === 0) removeProcessFiles(stack.name);
}
