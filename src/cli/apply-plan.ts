/** Shared wiring for commands that apply a plan: a bus with progress printing, apply, errors, notes. */
import { EventBus } from '../events/bus.js';
import { applyPlan, throwIfFailed } from '../reconciler/apply.js';
import type { Plan } from '../reconciler/operations.js';
import type { Runtime } from '../runtime/types.js';
import { UsageError } from '../errors.js';
import { printProgress } from './progress.js';

/** Applies `plan` printing progress to stderr; throws EngineError (exit 1) when an operation failed. */
export async function applyWithProgress(runtime: Runtime, plan: Plan, signal?: AbortSignal): Promise<void> {
  const bus = new EventBus();
  const stop = printProgress(bus);
  try {
    for (const note of plan.notes) bus.emit({ kind: 'warning', message: note });
    throwIfFailed(await applyPlan(runtime, plan, { bus, signal }));
  } finally {
    stop();
  }
}

/** Parses `-t/--timeout` seconds. */
export function parseTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new UsageError(`--timeout must be a whole number of seconds, not "${value}"`);
  return n;
}
