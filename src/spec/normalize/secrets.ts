import type { FileReference, PathSegment, SecretSpec } from '../types.js';
import { describe, isRecord, type NormalizeContext } from './context.js';
import { setOrigin } from './origin.js';
import { externalOf } from './volumes-top.js';

/** Top-level `secrets` or `configs`: file paths made absolute. */
export function normalizeSecrets(
  ctx: NormalizeContext,
  kind: 'secrets' | 'configs',
  value: unknown,
): Record<string, SecretSpec> {
  const out: Record<string, SecretSpec> = {};
  const defs = ctx.record(value, [kind]) ?? {};
  for (const [key, def] of Object.entries(defs)) {
    const at = [kind, key];
    const d = ctx.record(def, at) ?? {};
    const ext = externalOf(ctx, d, at);
    const spec: SecretSpec = {
      name: ext.name ?? (ext.external ? key : `${ctx.raw.projectName}_${key}`),
      external: ext.external,
      labels: ctx.stringMap(d.labels, [...at, 'labels']),
    };
    const file = ctx.str(d.file, [...at, 'file']);
    if (file !== undefined) spec.file = ctx.outPath(file);
    const env = ctx.str(d.environment, [...at, 'environment']);
    if (env !== undefined) spec.environment = env;
    const content = ctx.str(d.content, [...at, 'content']);
    if (content !== undefined) spec.content = content;
    if (!spec.external && file === undefined && env === undefined && content === undefined)
      ctx.problem(at, `needs one of file, environment, content or external`);
    out[key] = spec;
  }
  return out;
}

/** A service's `secrets` / `configs`: short names or long mappings; targets made absolute as Compose mounts them. */
export function normalizeFileRefs(
  ctx: NormalizeContext,
  kind: 'secrets' | 'configs',
  value: unknown,
  path: PathSegment[],
): FileReference[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    ctx.problem(path, `expected a list, got ${describe(value)}`);
    return [];
  }
  const targetOf = (t: string): string =>
    t.startsWith('/') ? t : kind === 'secrets' ? `/run/secrets/${t}` : `/${t}`;
  const out: FileReference[] = [];
  value.forEach((item, i) => {
    const at = [...path, i];
    if (typeof item === 'string') return out.push(setOrigin({ source: item, target: targetOf(item) }, i));
    if (!isRecord(item)) return ctx.problem(at, `expected a name or a mapping, got ${describe(item)}`);
    const source = ctx.str(item.source, [...at, 'source']);
    if (source === undefined) return ctx.problem(at, 'needs a source');
    const ref: FileReference = {
      source,
      target: targetOf(ctx.str(item.target, [...at, 'target']) ?? source),
    };
    for (const k of ['uid', 'gid'] as const) {
      const v = ctx.str(item[k], [...at, k]);
      if (v !== undefined) ref[k] = v;
    }
    const mode = ctx.fileMode(item.mode, [...at, 'mode']);
    if (mode !== undefined) ref.mode = mode;
    out.push(setOrigin(ref, i));
  });
  return out;
}
