/**
 * `tsstack cp` arguments and `docker cp`'s path rules, pure: which side is the container, what the
 * container path is, and under which name the copied entry lands.
 */
import path from 'node:path';
import { UsageError } from '../core/errors.js';

export type CpRequest =
  | { direction: 'from'; service: string; containerPath: string; local: string }
  | { direction: 'to'; service: string; containerPath: string; local: string };

/** `SERVICE:PATH` or a local path (`-` is stdin/stdout); a path starting with `/` or `.` is always local. */
export function splitCpArg(arg: string): { service?: string; path: string } {
  if (arg.startsWith('/')) return { path: arg };
  const colon = arg.indexOf(':');
  if (colon < 0 || arg.startsWith('.')) return { path: arg };
  return { service: arg.slice(0, colon), path: arg.slice(colon + 1) };
}

/**
 * A container path as the engine takes it: relative paths are relative to the container's root, as
 * `docker cp` has it. A path that climbs above the root (`../etc`) is refused: it names nothing in the
 * container's filesystem. A trailing `/` or `/.` is kept, since it changes what is copied.
 */
export function containerPath(raw: string): string {
  if (raw === '') throw new UsageError('the container path is empty');
  let depth = 0;
  for (const part of raw.split('/')) {
    if (part === '..') depth--;
    else if (part !== '' && part !== '.') depth++;
    if (depth < 0)
      throw new UsageError(`container path "${raw}" climbs above the container's root directory`);
  }
  const tail = raw.endsWith('/.') ? '/.' : raw.endsWith('/') ? '/' : '';
  const clean = path.posix.join('/', raw);
  return clean === '/' ? '/' : `${clean.replace(/\/$/, '')}${tail}`;
}

/** Parses `cp SRC DEST`: exactly one side names a service (exit 2 otherwise). */
export function parseCpArgs(source: string, destination: string): CpRequest {
  const src = splitCpArg(source);
  const dst = splitCpArg(destination);
  if (src.service !== undefined && dst.service !== undefined)
    throw new UsageError('copying between services is not supported');
  if (src.service === undefined && dst.service === undefined)
    throw new UsageError('one of the two paths must name a service: SERVICE:PATH');
  const service = (src.service ?? dst.service) as string;
  if (service === '')
    throw new UsageError(`"${src.service !== undefined ? source : destination}" names no service`);
  if (src.service !== undefined) {
    if (dst.path === '') throw new UsageError('the local destination path is empty');
    return { direction: 'from', service, containerPath: containerPath(src.path), local: dst.path };
  }
  if (src.path === '') throw new UsageError('the local source path is empty');
  return { direction: 'to', service, containerPath: containerPath(dst.path), local: src.path };
}

/** `dir/.`: copy the folder's contents rather than the folder itself. */
export function copiesContents(p: string): boolean {
  return p === '.' || p.endsWith('/.');
}

/** The entry's new top name in `name` (`''` drops the top folder: its contents land in place). */
export function renameTop(name: string, to: string): string {
  // The top is the first segment, `.` included: the engine names the entries of `dir/.` `./`, `./a`.
  const slash = name.indexOf('/');
  const rest = slash < 0 ? '' : name.slice(slash + 1);
  if (to === '') return rest;
  return rest === '' ? to : `${to}/${rest}`;
}

export interface Placement {
  /** The existing folder the archive is extracted into. */
  folder: string;
  /** The name the copied entry takes in it ('' = its contents go straight into `folder`). */
  name: string;
}

/**
 * Where a copy lands, by `docker cp`'s rules: into an existing folder under the source's own name (or
 * its contents, for `SRC/.`); over an existing file; or as a new entry named after the destination, whose
 * parent must exist. `dest` is the destination's kind, `undefined` when it does not exist.
 */
export function placement(
  src: { path: string; isDir: boolean },
  dst: { path: string; kind: 'dir' | 'file' | undefined },
  sep: 'posix' | 'local' = 'posix',
): Placement {
  const p = sep === 'posix' ? path.posix : path;
  const base = p.basename(src.path.replace(/\/\.?$/, '')) || p.basename(src.path);
  const trailing = dst.path.endsWith('/') || dst.path.endsWith('/.');
  const destPath = dst.path.replace(/\/\.?$/, '') || '/';
  if (dst.kind === 'dir') return { folder: destPath, name: copiesContents(src.path) ? '' : base };
  if (dst.kind === 'file') {
    if (src.isDir) throw new UsageError(`cannot copy a directory to a file: ${dst.path}`);
    if (trailing) throw new UsageError(`destination ${dst.path} is a file, not a directory`);
    return { folder: p.dirname(destPath), name: p.basename(destPath) };
  }
  if (trailing && !src.isDir) throw new UsageError(`destination directory ${dst.path} must exist`);
  return { folder: p.dirname(destPath), name: p.basename(destPath) };
}
