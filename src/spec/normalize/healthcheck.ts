import type { HealthcheckSpec, PathSegment } from '../types.js';
import { describe, type NormalizeContext } from './context.js';

const TEST_KINDS = new Set(['NONE', 'CMD', 'CMD-SHELL']);

/** `healthcheck`: string test → ['CMD-SHELL', s]; `disable: true` → ['NONE']; durations in ms. */
export function normalizeHealthcheck(
  ctx: NormalizeContext,
  value: unknown,
  path: PathSegment[],
): HealthcheckSpec | undefined {
  const hc = ctx.record(value, path);
  if (!hc) return undefined;
  const disable = ctx.bool(hc.disable, [...path, 'disable']) ?? false;
  let test = disable ? ['NONE'] : normalizeTest(ctx, hc.test, [...path, 'test']);
  if (test[0] === 'NONE') test = ['NONE'];
  const spec: HealthcheckSpec = { test, disable: disable || test[0] === 'NONE' };
  for (const key of ['interval', 'timeout', 'start_period', 'start_interval'] as const) {
    const ms = ctx.duration(hc[key], [...path, key]);
    if (ms !== undefined) spec[key] = ms;
  }
  const retries = ctx.int(hc.retries, [...path, 'retries']);
  if (retries !== undefined) spec.retries = retries;
  return spec;
}

function normalizeTest(ctx: NormalizeContext, value: unknown, path: PathSegment[]): string[] {
  // No test: the image's own check, with the timings given here.
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return value.trim() === '' ? ['NONE'] : ['CMD-SHELL', value];
  if (!Array.isArray(value)) {
    ctx.problem(path, `expected a string or a list, got ${describe(value)}`);
    return [];
  }
  const test = ctx.strings(value, path);
  if (test.length === 0) return [];
  if (!TEST_KINDS.has(test[0] as string)) {
    ctx.problem(
      [...path, 0],
      `a test list starts with CMD, CMD-SHELL or NONE, not ${JSON.stringify(test[0])}`,
    );
    return [];
  }
  return test;
}
