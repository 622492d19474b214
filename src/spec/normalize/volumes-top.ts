import type { PathSegment, VolumeSpec } from '../types.js';
import type { NormalizeContext } from './context.js';

/** Top-level `volumes`: engine name `<project>_<key>` unless `name:`; external volumes keep their name. */
export function normalizeVolumes(ctx: NormalizeContext, value: unknown): Record<string, VolumeSpec> {
  const out: Record<string, VolumeSpec> = {};
  const vols = ctx.record(value, ['volumes']) ?? {};
  for (const [key, def] of Object.entries(vols)) {
    const at = ['volumes', key];
    const v = ctx.record(def, at) ?? {};
    const ext = externalOf(ctx, v, at);
    const spec: VolumeSpec = {
      name: ext.name ?? (ext.external ? key : `${ctx.raw.projectName}_${key}`),
      driver_opts: ctx.stringMap(v.driver_opts, [...at, 'driver_opts']),
      external: ext.external,
      labels: ctx.stringMap(v.labels, [...at, 'labels']),
    };
    const driver = ctx.str(v.driver, [...at, 'driver']);
    if (driver !== undefined) spec.driver = driver;
    const extensions = Object.fromEntries(Object.entries(v).filter(([k]) => k.startsWith('x-')));
    if (Object.keys(extensions).length > 0) spec.extensions = extensions;
    out[key] = spec;
  }
  return out;
}

/** `external: true`, or the legacy `external: {name: x}`, plus `name:`. */
export function externalOf(
  ctx: NormalizeContext,
  def: Record<string, unknown>,
  at: PathSegment[],
): { external: boolean; name?: string } {
  const name = ctx.str(def.name, [...at, 'name']);
  const ext = def.external;
  if (ext !== null && typeof ext === 'object' && !Array.isArray(ext)) {
    const legacy = ctx.str((ext as Record<string, unknown>).name, [...at, 'external', 'name']);
    const n = legacy ?? name;
    return n !== undefined ? { external: true, name: n } : { external: true };
  }
  const external = ctx.bool(ext, [...at, 'external']) ?? false;
  return name !== undefined ? { external, name } : { external };
}
