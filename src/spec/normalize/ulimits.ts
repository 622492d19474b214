import type { PathSegment, UlimitSpec } from '../types.js';
import { isRecord, type NormalizeContext } from './context.js';

/** `ulimits`: a number (soft = hard) or `{soft, hard}` per name. */
export function normalizeUlimits(
  ctx: NormalizeContext,
  value: unknown,
  path: PathSegment[],
): Record<string, UlimitSpec> {
  const out: Record<string, UlimitSpec> = {};
  const u = ctx.record(value, path);
  if (!u) return out;
  for (const [name, v] of Object.entries(u)) {
    if (isRecord(v)) {
      const soft = ctx.int(v.soft, [...path, name, 'soft']);
      const hard = ctx.int(v.hard, [...path, name, 'hard']);
      if (soft !== undefined && hard !== undefined) out[name] = { soft, hard };
      else if (soft === undefined && hard === undefined) ctx.problem([...path, name], 'needs soft and hard');
    } else {
      const n = ctx.int(v, [...path, name]);
      if (n !== undefined) out[name] = { soft: n, hard: n };
    }
  }
  return out;
}
