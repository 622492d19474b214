import type { DependencyCondition, DependsOn, PathSegment } from '../types.js';
import { describe, isRecord, type NormalizeContext } from './context.js';

const CONDITIONS = new Set<DependencyCondition>([
  'service_started',
  'service_healthy',
  'service_completed_successfully',
]);

/** `depends_on` list or map → map with condition (default service_started), required (true), restart (false). */
export function normalizeDependsOn(
  ctx: NormalizeContext,
  value: unknown,
  path: PathSegment[],
): Record<string, DependsOn> {
  const out: Record<string, DependsOn> = {};
  if (value === undefined || value === null) return out;
  const started = (): DependsOn => ({ condition: 'service_started', required: true, restart: false });
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      const name = ctx.str(item, [...path, i]);
      if (name !== undefined) out[name] = started();
    });
    return out;
  }
  if (!isRecord(value)) {
    ctx.problem(path, `expected a list of services or a mapping, got ${describe(value)}`);
    return out;
  }
  for (const [name, entry] of Object.entries(value)) {
    const at = [...path, name];
    const dep = started();
    const e = ctx.record(entry, at);
    if (e) {
      const condition = ctx.str(e.condition, [...at, 'condition']);
      if (condition !== undefined) {
        if (CONDITIONS.has(condition as DependencyCondition))
          dep.condition = condition as DependencyCondition;
        else
          ctx.problem(
            [...at, 'condition'],
            `unknown condition "${condition}" (expected service_started, service_healthy or service_completed_successfully)`,
          );
      }
      dep.required = ctx.bool(e.required, [...at, 'required']) ?? true;
      dep.restart = ctx.bool(e.restart, [...at, 'restart']) ?? false;
    }
    out[name] = dep;
  }
  return out;
}
