import type { BuildSpec, PathSegment } from '../types.js';
import { describe, isRecord, type NormalizeContext } from './context.js';

/** `build`: a string is the context; context resolved against the project folder (URLs kept); args list or map. */
export function normalizeBuild(
  ctx: NormalizeContext,
  value: unknown,
  path: PathSegment[],
): BuildSpec | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return { context: resolveContext(ctx, value), args: {}, labels: {} };
  if (!isRecord(value)) {
    ctx.problem(path, `expected a context path or a mapping, got ${describe(value)}`);
    return undefined;
  }
  const b = value;
  const spec: BuildSpec = {
    context: resolveContext(ctx, ctx.str(b.context, [...path, 'context']) ?? '.'),
    args: ctx.keyValues<string | null>(b.args, [...path, 'args'], (k) => ctx.raw.env[k] ?? null),
    labels: ctx.stringMap(b.labels, [...path, 'labels']),
  };
  for (const k of ['dockerfile', 'dockerfile_inline', 'target', 'network'] as const) {
    const v = ctx.str(b[k], [...path, k]);
    if (v !== undefined) spec[k] = v;
  }
  for (const k of ['cache_from', 'platforms', 'tags'] as const) {
    if (b[k] !== undefined && b[k] !== null) spec[k] = ctx.strings(b[k], [...path, k]);
  }
  if (b.extra_hosts !== undefined && b.extra_hosts !== null)
    spec.extra_hosts = normalizeExtraHosts(ctx, b.extra_hosts, [...path, 'extra_hosts']);
  const shm = ctx.bytes(b.shm_size, [...path, 'shm_size']);
  if (shm !== undefined) spec.shm_size = shm;
  for (const k of ['pull', 'no_cache'] as const) {
    const v = ctx.bool(b[k], [...path, k]);
    if (v !== undefined) spec[k] = v;
  }
  return spec;
}

/** `extra_hosts` list (`host:ip`, `host=ip`) or map → `host:ip` strings. */
export function normalizeExtraHosts(ctx: NormalizeContext, value: unknown, path: PathSegment[]): string[] {
  if (isRecord(value)) {
    const out: string[] = [];
    for (const [host, ip] of Object.entries(value)) {
      const ips = Array.isArray(ip) ? ctx.strings(ip, [...path, host]) : [ctx.str(ip, [...path, host]) ?? ''];
      for (const one of ips) out.push(`${host}:${one}`);
    }
    return out;
  }
  return ctx.strings(value, path).map((h) => {
    const eq = h.indexOf('=');
    return eq > 0 ? `${h.slice(0, eq)}:${h.slice(eq + 1)}` : h;
  });
}

function resolveContext(ctx: NormalizeContext, context: string): string {
  // Remote contexts (git URLs, tarball URLs) are passed to the engine as written.
  if (
    /^[a-z][a-z0-9+.-]*:\/\//i.test(context) ||
    context.startsWith('git@') ||
    context.startsWith('github.com/')
  )
    return context;
  return ctx.outPath(context);
}
