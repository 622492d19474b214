/** Test glue: desired → observe → plan (→ apply) against a FakeRuntime. */
import { applyPlan, type ApplyResult } from '../../../src/scheduler/apply.js';
import { desired, type DesiredOptions } from '../../../src/reconciler/desired.js';
import { observe } from '../../../src/reconciler/observe.js';
import type { Plan } from '../../../src/model/plan.js';
import { planActions, type PlanOptions } from '../../../src/reconciler/plan.js';
import { renderPlan } from '../../../src/model/plan-text.js';
import type { FakeRuntime } from '../../../src/runtime/fake.js';
import type { Stack } from '../../../src/spec/types.js';

export async function planFor(
  fake: FakeRuntime,
  stack: Stack,
  options: PlanOptions = {},
  desiredOptions: DesiredOptions = {},
): Promise<Plan> {
  return planActions(desired(stack, desiredOptions), await observe(fake, stack.name), options);
}

export async function textFor(fake: FakeRuntime, stack: Stack, options: PlanOptions = {}): Promise<string> {
  return renderPlan(await planFor(fake, stack, options));
}

/** Plans and applies; returns the plan and the result. */
export async function up(
  fake: FakeRuntime,
  stack: Stack,
  options: PlanOptions = {},
  desiredOptions: DesiredOptions = {},
): Promise<{ plan: Plan; result: ApplyResult }> {
  const plan = await planFor(fake, stack, options, desiredOptions);
  const result = await applyPlan(fake, plan, { concurrency: 4 });
  return { plan, result };
}
