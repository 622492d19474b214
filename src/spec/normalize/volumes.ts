import path from 'node:path';
import type { PathSegment, ServiceVolume } from '../types.js';
import { describe, isRecord, type NormalizeContext } from './context.js';
import { setOrigin } from './origin.js';

const TYPES = new Set<ServiceVolume['type']>(['bind', 'volume', 'tmpfs', 'npipe', 'cluster', 'image']);
const PROPAGATION = new Set(['shared', 'slave', 'private', 'rshared', 'rslave', 'rprivate']);
const CONSISTENCY = new Set(['consistent', 'cached', 'delegated']);

/** `volumes:` of a service (short strings or long mappings) → ServiceVolume[], bind sources made absolute. */
export function normalizeServiceVolumes(
  ctx: NormalizeContext,
  value: unknown,
  path: PathSegment[],
): ServiceVolume[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    ctx.problem(path, `expected a list of volumes, got ${describe(value)}`);
    return [];
  }
  const out: ServiceVolume[] = [];
  value.forEach((item, i) => {
    const at = [...path, i];
    const vol =
      typeof item === 'string'
        ? volumeShort(ctx, item, at)
        : isRecord(item)
          ? volumeLong(ctx, item, at)
          : (ctx.problem(at, `expected a volume string or mapping, got ${describe(item)}`), undefined);
    if (vol) out.push(setOrigin(vol, i));
  });
  return out;
}

/**
 * A container path spelled one way, as Compose does (Go's `path.Clean`): `/var/www/html/` and `/a//b/../c`
 * name the same place as `/var/www/html` and `/a/c`, so they must not differ in the stack or its hash.
 */
export function cleanTarget(target: string): string {
  const clean = path.posix.normalize(target);
  return clean.length > 1 && clean.endsWith('/') ? clean.slice(0, -1) : clean;
}

/** True when a short-syntax source is a host path rather than a volume name. */
export function isPathSource(source: string): boolean {
  return source.startsWith('.') || source.startsWith('/') || source.startsWith('~');
}

function volumeShort(ctx: NormalizeContext, text: string, at: PathSegment[]): ServiceVolume | undefined {
  const vol = parseVolumeShort(text, (p) => ctx.outPath(p));
  if (typeof vol === 'string') {
    ctx.problem(at, vol);
    return undefined;
  }
  return vol;
}

/**
 * Compose's short volume syntax `[SOURCE:]TARGET[:MODE]` (also `run --volume`); a host path source is made
 * absolute by `absPath`. Returns the volume, or a message saying what is wrong.
 */
export function parseVolumeShort(text: string, absPath: (p: string) => string): ServiceVolume | string {
  const parts = text.split(':');
  if (parts.length > 3 || parts.some((p) => p === ''))
    return `${JSON.stringify(text)} is not a volume (expected [SOURCE:]TARGET[:MODE])`;
  const [source, written, mode] = (parts.length === 1 ? ['', parts[0]] : parts) as [string, string, string?];
  if (!written.startsWith('/'))
    return `${JSON.stringify(text)}: the container path "${written}" must be absolute`;
  const target = cleanTarget(written);
  // A lone container path is an anonymous volume.
  if (source === '') return { type: 'volume', target, read_only: false };
  const bind = isPathSource(source);
  const vol: ServiceVolume = bind
    ? {
        type: 'bind',
        source: absPath(source),
        target,
        read_only: false,
        bind: { create_host_path: true },
      }
    : { type: 'volume', source, target, read_only: false };
  for (const opt of mode ? mode.split(',') : []) {
    if (opt === 'ro' || opt === 'rw') vol.read_only = opt === 'ro';
    else if (opt === 'z' || opt === 'Z') {
      if (!vol.bind) return `"${opt}" applies to bind mounts only`;
      vol.bind.selinux = opt;
    } else if (PROPAGATION.has(opt)) {
      if (!vol.bind) return `"${opt}" applies to bind mounts only`;
      vol.bind.propagation = opt;
    } else if (opt === 'nocopy') {
      if (vol.type !== 'volume') return `"nocopy" applies to named volumes only`;
      vol.volume = { nocopy: true };
    } else if (CONSISTENCY.has(opt)) {
      // Accepted and dropped, as Compose does in short syntax: it means nothing to a Linux engine.
    } else return `${JSON.stringify(text)} has an unknown mode "${opt}" (expected ro, rw, z, Z, nocopy, ...)`;
  }
  return vol;
}

function volumeLong(
  ctx: NormalizeContext,
  item: Record<string, unknown>,
  at: PathSegment[],
): ServiceVolume | undefined {
  const type = ctx.str(item.type, [...at, 'type']) ?? 'volume';
  if (!TYPES.has(type as ServiceVolume['type'])) {
    ctx.problem([...at, 'type'], `unknown volume type "${type}" (expected bind, volume, tmpfs, ...)`);
    return undefined;
  }
  const target = ctx.str(item.target, [...at, 'target']);
  if (target === undefined || target === '') {
    ctx.problem(at, 'a volume needs a target (the container path)');
    return undefined;
  }
  const vol: ServiceVolume = {
    type: type as ServiceVolume['type'],
    target: cleanTarget(target),
    read_only: false,
  };
  const source = ctx.str(item.source, [...at, 'source']);
  if (source !== undefined && source !== '') vol.source = type === 'bind' ? ctx.absPath(source) : source;
  else if (type === 'bind') ctx.problem(at, 'a bind mount needs a source (the host path)');
  vol.read_only = ctx.bool(item.read_only, [...at, 'read_only']) ?? false;
  const bind = ctx.record(item.bind, [...at, 'bind']);
  if (bind || type === 'bind') {
    vol.bind = {
      create_host_path: ctx.bool(bind?.create_host_path, [...at, 'bind', 'create_host_path']) ?? false,
    };
    const prop = ctx.str(bind?.propagation, [...at, 'bind', 'propagation']);
    if (prop !== undefined) vol.bind.propagation = prop;
    const selinux = ctx.str(bind?.selinux, [...at, 'bind', 'selinux']);
    if (selinux === 'z' || selinux === 'Z') vol.bind.selinux = selinux;
    else if (selinux !== undefined)
      ctx.problem([...at, 'bind', 'selinux'], `expected z or Z, got "${selinux}"`);
  }
  const volume = ctx.record(item.volume, [...at, 'volume']);
  if (volume) {
    vol.volume = { nocopy: ctx.bool(volume.nocopy, [...at, 'volume', 'nocopy']) ?? false };
    const subpath = ctx.str(volume.subpath, [...at, 'volume', 'subpath']);
    if (subpath !== undefined) vol.volume.subpath = subpath;
  }
  const tmpfs = ctx.record(item.tmpfs, [...at, 'tmpfs']);
  if (tmpfs) {
    vol.tmpfs = {};
    const size = ctx.bytes(tmpfs.size, [...at, 'tmpfs', 'size']);
    if (size !== undefined) vol.tmpfs.size = size;
    const mode = ctx.fileMode(tmpfs.mode, [...at, 'tmpfs', 'mode']);
    if (mode !== undefined) vol.tmpfs.mode = mode;
  }
  const consistency = ctx.str(item.consistency, [...at, 'consistency']);
  if (consistency !== undefined) vol.consistency = consistency;
  return vol;
}
