import type { BuildSpec, PathSegment } from '../types.js';
import { describe, isRecord, type NormalizeContext } from './context.js';
import { normalizeFileRefs } from './secrets.js';
import { normalizeUlimits } from './ulimits.js';

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
    args: withValues(ctx.keyValues<string | null>(b.args, [...path, 'args'], (k) => ctx.raw.env[k] ?? null)),
    labels: ctx.stringMap(b.labels, [...path, 'labels']),
  };
  for (const k of ['dockerfile', 'dockerfile_inline', 'target', 'network'] as const) {
    const v = ctx.str(b[k], [...path, k]);
    if (v !== undefined) spec[k] = v;
  }
  for (const k of ['cache_from', 'cache_to', 'platforms', 'tags', 'entitlements'] as const) {
    if (b[k] !== undefined && b[k] !== null) spec[k] = ctx.strings(b[k], [...path, k]);
  }
  if (b.extra_hosts !== undefined && b.extra_hosts !== null)
    spec.extra_hosts = normalizeExtraHosts(ctx, b.extra_hosts, [...path, 'extra_hosts']);
  const shm = ctx.bytes(b.shm_size, [...path, 'shm_size']);
  if (shm !== undefined) spec.shm_size = shm;
  if (b.secrets !== undefined && b.secrets !== null)
    spec.secrets = normalizeFileRefs(ctx, 'secrets', b.secrets, [...path, 'secrets']);
  if (b.ssh !== undefined && b.ssh !== null) spec.ssh = normalizeSsh(ctx, b.ssh, [...path, 'ssh']);
  if (b.additional_contexts !== undefined && b.additional_contexts !== null) {
    const named = ctx.keyValues<string>(b.additional_contexts, [...path, 'additional_contexts'], () => '');
    spec.additional_contexts = Object.fromEntries(
      Object.entries(named).map(([name, where]) => [name, resolveNamedContext(ctx, where)]),
    );
  }
  if (b.ulimits !== undefined && b.ulimits !== null)
    spec.ulimits = normalizeUlimits(ctx, b.ulimits, [...path, 'ulimits']);
  for (const k of ['pull', 'no_cache', 'privileged'] as const) {
    const v = ctx.bool(b[k], [...path, k]);
    if (v !== undefined) spec[k] = v;
  }
  return spec;
}

/** A bare build arg with no value in the environment is left out, as Compose does: the build never sees it. */
function withValues(args: Record<string, string | null>): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(args)) if (v !== null) out[k] = v;
  return out;
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

/** `ssh`: a list (`default`, `ID=PATH`) or a map (ID → PATH, an empty PATH for the agent). */
function normalizeSsh(ctx: NormalizeContext, value: unknown, path: PathSegment[]): string[] {
  if (isRecord(value)) {
    return Object.entries(value).map(([id, where]) => {
      const p = where === null || where === undefined ? '' : (ctx.str(where, [...path, id]) ?? '');
      return p === '' ? id : `${id}=${ctx.absPath(p)}`;
    });
  }
  return ctx.strings(value, path).map((entry) => {
    const eq = entry.indexOf('=');
    if (eq < 0) return entry;
    const paths = entry
      .slice(eq + 1)
      .split(',')
      .map((p) => ctx.absPath(p));
    return `${entry.slice(0, eq)}=${paths.join(',')}`;
  });
}

/** A named context: folders resolve against the project; `service:`, `target:` and URL forms are kept. */
function resolveNamedContext(ctx: NormalizeContext, where: string): string {
  if (/^(service|target):/.test(where) || /^[a-z][a-z0-9+.-]*:\/\//i.test(where)) return where;
  return resolveContext(ctx, where);
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
