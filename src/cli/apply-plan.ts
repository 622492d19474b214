/** Shared wiring for commands that apply a plan: a bus with progress printing, apply, errors, notes. */
import { EventBus } from '../events/bus.js';
import { applyPlan, throwIfFailed } from '../reconciler/apply.js';
import type { ObservedState } from '../reconciler/observe.js';
import { observe } from '../reconciler/observe.js';
import type { Plan } from '../reconciler/operations.js';
import type { Runtime } from '../runtime/types.js';
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { loadProjectAndConnect } from './context.js';
import { lockForCommand } from './lock.js';
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

export interface LifecycleCommand {
  name: string;
  description: string;
  /** Whether it takes `-t/--timeout` (stop and restart do). */
  timeout: boolean;
  plan(observed: ObservedState, opts: { services?: string[]; timeout?: number }): Plan;
}

/** `tsstack start|stop|restart [-t N] [SERVICE...]`: plan against what exists, under the project lock. */
export function registerLifecycleCommand(program: Command, c: LifecycleCommand): void {
  const command = program
    .command(c.name)
    .description(c.description)
    .argument('[services...]', 'only these services');
  if (c.timeout) command.option('-t, --timeout <seconds>', 'seconds to wait before killing');
  command.action(async (services: string[], opts: { timeout?: string }, cmd: Command) => {
    const timeout = parseTimeout(opts.timeout);
    const {
      loaded: { stack },
      runtime,
    } = await loadProjectAndConnect(cmd, { allowMissing: true });
    await lockForCommand(cmd, stack.name);
    const observed = await observe(runtime, stack.name);
    const plan = c.plan(observed, { services: services.length > 0 ? services : undefined, timeout });
    await applyWithProgress(runtime, plan);
  });
}
