/**
 * `tsstack scale SERVICE=N...`: converge the named services to N replicas. Replica numbers stay stable:
 * scaling up fills the lowest free numbers, scaling down removes the highest. Like Compose, the count
 * holds until the next `up` without `--scale` applies the file's count again.
 */
import { EventBus } from '../events/bus.js';
import { renderPlan } from '../model/plan-text.js';
import { converge } from '../reconciler/converge.js';
import { parseScale, withScale } from '../scheduler/scale.js';
import { requireServices } from '../spec/no-services.js';
import { lockProject } from './lock.js';
import { printProgress } from './progress.js';
import { loadProject, runtimeFromEnv, type GlobalOptions } from './project.js';

export interface ScaleOptions {
  /** Stop timeout (seconds) for removed replicas. */
  timeout?: number;
  /** Only the named services, not what they depend on. */
  noDeps?: boolean;
}

export async function runScale(g: GlobalOptions, scales: string[], o: ScaleOptions): Promise<void> {
  const project = await loadProject(g);
  requireServices(project, 'scale');
  const { stack: loaded } = project;
  const scale = parseScale(loaded, scales);
  const stack = withScale(loaded, scale);
  const runtime = await runtimeFromEnv();
  const common = { services: Object.keys(scale), noDeps: o.noDeps, timeout: o.timeout };
  if (g.dryRun) {
    const { plan } = await converge(runtime, stack, { ...common, dryRun: true });
    process.stdout.write(renderPlan(plan));
    return;
  }
  const unlock = await lockProject(stack.name, g.lockWait !== false);
  const bus = new EventBus();
  const stop = printProgress(bus);
  try {
    // The named services and what they depend on (unless --no-deps), as `up SERVICE...` would.
    await converge(runtime, stack, { ...common, bus });
  } finally {
    stop();
    unlock();
  }
}
