/** Applying a plan the way one-shot commands do: a bus with progress printing, apply, errors, notes. */
import { EventBus } from '../events/bus.js';
import { renderPlan } from '../model/plan-text.js';
import { applyPlan, throwIfFailed } from '../scheduler/apply.js';
import type { Plan } from '../model/plan.js';
import type { ProcessHost } from '../model/process-host.js';
import type { Runtime } from '../runtime/types.js';
import { printProgress } from './progress.js';

/** Applies `plan` printing progress to stderr; throws EngineError (exit 1) when an operation failed. */
export async function applyWithProgress(
  runtime: Runtime,
  plan: Plan,
  o: { signal?: AbortSignal; processes?: ProcessHost } = {},
): Promise<void> {
  const bus = new EventBus();
  const stop = printProgress(bus);
  try {
    for (const note of plan.notes) bus.emit({ kind: 'warning', message: note });
    throwIfFailed(await applyPlan(runtime, plan, { bus, signal: o.signal, processes: o.processes }));
  } finally {
    stop();
  }
}

/** `--dry-run`: the plan on stdout, one engine call a line; otherwise applies it with progress. */
export async function applyOrPrint(
  runtime: Runtime,
  plan: Plan,
  o: { dryRun?: boolean; out?: NodeJS.WritableStream; processes?: ProcessHost } = {},
): Promise<void> {
  if (o.dryRun) {
    (o.out ?? process.stdout).write(renderPlan(plan));
    return;
  }
  await applyWithProgress(runtime, plan, { processes: o.processes });
}
