/**
 * `tsstack cp`: files between a service's containers and the local filesystem through the engine's
 * archive API, following `docker cp`'s rules (see cp-args.ts). Into a service: every container of it
 * (or `--index N`); out of one: its first container (or `--index N`).
 */
import { lstat, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { extract, pack } from 'tar-fs';
import { EngineError, UsageError } from '../core/errors.js';
import type { PathStat, Runtime } from '../runtime/types.js';
import type { Stack } from '../spec/types.js';
import { copiesContents, parseCpArgs, placement, renameTop, type CpRequest } from './cp-args.js';
import { listProjectContainers, type ProjectContainer } from './project-containers.js';
import { refuseHostProcess } from './processes.js';

export interface CpOptions {
  /** `--index N`: only this replica. */
  index?: number;
  /** `--all`: also one-off (`run`) containers, when copying into a service. */
  all?: boolean;
  /** `-a`: keep uid/gid of what is copied in. */
  archive?: boolean;
  /** `-L`: follow a symbolic link given as the source. */
  followLink?: boolean;
  dryRun?: boolean;
  stdin?: NodeJS.ReadableStream;
  stdout?: NodeJS.WritableStream;
  /** Progress lines. */
  stderr?: NodeJS.WritableStream;
}

const DIR_BIT = 2 ** 31;
const LINK_BIT = 2 ** 27;

/** Copies as `tsstack cp SRC DEST` asks. */
export async function copy(
  runtime: Runtime,
  stack: Stack,
  source: string,
  dest: string,
  o: CpOptions,
): Promise<void> {
  const req = parseCpArgs(source, dest);
  refuseHostProcess(stack, req.service, 'cp');
  if (req.direction === 'from' && o.all) throw new UsageError('cannot use --all when copying from a service');
  const targets = await copyTargets(runtime, stack, req, o);
  const err = o.stderr ?? process.stderr;
  for (const c of targets) {
    const text =
      req.direction === 'from'
        ? `${c.summary.name}:${req.containerPath} to ${req.local}`
        : `${req.local} to ${c.summary.name}:${req.containerPath}`;
    if (o.dryRun) {
      (o.stdout ?? process.stdout).write(`copy ${text}\n`);
      continue;
    }
    const target = { id: c.summary.id, name: c.summary.name };
    if (req.direction === 'from') await copyOut(runtime, target, req.containerPath, req.local, o);
    else await copyIn(runtime, target, req.local, req.containerPath, o);
    if (req.local !== '-' || req.direction === 'to') err.write(` ✔ Copied ${text}\n`);
  }
}

async function copyTargets(
  runtime: Runtime,
  stack: Stack,
  req: CpRequest,
  o: CpOptions,
): Promise<ProjectContainer[]> {
  const found = await listProjectContainers(runtime, stack, {
    all: true,
    services: [req.service],
    oneoff: o.all === true,
  });
  if (o.index !== undefined) {
    const c = found.find((x) => !x.oneoff && x.replica === o.index);
    if (!c) {
      const have = found.filter((x) => !x.oneoff).map((x) => x.replica);
      throw new UsageError(
        `service "${req.service}" has no container with index ${o.index}${have.length > 0 ? ` (indexes: ${have.join(', ')})` : ''}`,
      );
    }
    return [c];
  }
  if (found.length === 0) throw new EngineError(`no container found for service "${req.service}"`);
  return req.direction === 'from' ? found.slice(0, 1) : found;
}

/** Go's FileMode is a uint32: its top bits do not survive JavaScript's 32-bit `&`. */
function hasBit(mode: number, bit: number): boolean {
  return Math.floor(mode / bit) % 2 === 1;
}

function kindOf(s: PathStat | undefined): 'dir' | 'file' | undefined {
  if (!s) return undefined;
  return hasBit(s.mode, DIR_BIT) ? 'dir' : 'file';
}

/** Out of a container: a tar to stdout (`-`), or extracted locally under docker cp's names. */
interface Target {
  id: string;
  name: string;
}

async function copyOut(
  runtime: Runtime,
  { id, name: container }: Target,
  src: string,
  local: string,
  o: CpOptions,
): Promise<void> {
  let from = src;
  if (o.followLink) {
    // The link's target is copied under the link's own name (placement uses `src`).
    const s = await runtime.statPath(id, src);
    if (s && hasBit(s.mode, LINK_BIT) && s.linkTarget)
      from = path.posix.isAbsolute(s.linkTarget)
        ? s.linkTarget
        : path.posix.join(path.posix.dirname(src), s.linkTarget);
  }
  const srcStat = await runtime.statPath(id, from);
  if (!srcStat) throw new EngineError(`could not find ${src} in container ${container}`);
  if (local === '-') {
    const { tar } = await runtime.getArchive(id, from);
    await pipeline(tar, o.stdout ?? process.stdout, { end: false });
    return;
  }
  const localKind = await localKindOf(local);
  const place = placement(
    { path: src, isDir: kindOf(srcStat) === 'dir' },
    { path: local, kind: localKind },
    'local',
  );
  if (localKind === undefined && !(await localKindOf(place.folder)))
    throw new UsageError(`local folder ${place.folder} does not exist`);
  const { tar } = await runtime.getArchive(id, from);
  const name = place.name;
  await pipeline(
    tar,
    extract(place.folder, {
      map: (h) => ({ ...h, name: renameTop(h.name, name) || '.' }),
      // Like docker cp: no chown to the container's users, modes kept as they are, links kept as links.
      chown: false,
      umask: 0,
      validateSymlinks: false,
    } as Parameters<typeof extract>[1]),
  );
}

/** Into a container: a tar from stdin (`-`) into a folder, or a local path packed under docker cp's names. */
async function copyIn(
  runtime: Runtime,
  { id, name: container }: Target,
  local: string,
  dest: string,
  o: CpOptions,
): Promise<void> {
  const put = { copyUidGid: o.archive === true, noOverwriteDirNonDir: true };
  const destStat = await runtime.statPath(id, dest);
  if (local === '-') {
    if (kindOf(destStat) !== 'dir')
      throw new EngineError(`destination ${dest} must be an existing folder in container ${container}`);
    await runtime.putArchive(id, dest, o.stdin ?? process.stdin, put);
    return;
  }
  let real = path.resolve(local);
  const info = await lstat(real).catch(() => undefined);
  if (!info) throw new UsageError(`${local}: no such file or directory`);
  if (info.isSymbolicLink() && o.followLink) real = await realpath(real);
  const isDir =
    (await stat(real).catch(() => info)).isDirectory() && (!info.isSymbolicLink() || o.followLink === true);
  const place = placement({ path: local, isDir }, { path: dest, kind: kindOf(destStat) });
  if (destStat === undefined && kindOf(await runtime.statPath(id, place.folder)) !== 'dir')
    throw new EngineError(`folder ${place.folder} does not exist in container ${container}`);
  const contents = copiesContents(local);
  const tar = contents
    ? pack(real, { map: (h) => ({ ...h, name: place.name ? `${place.name}/${h.name}` : h.name }) })
    : pack(path.dirname(real), {
        entries: [path.basename(real)],
        map: (h) => ({ ...h, name: renameTop(h.name, place.name) }),
      });
  await runtime.putArchive(id, place.folder, tar as unknown as NodeJS.ReadableStream, put);
}

async function localKindOf(p: string): Promise<'dir' | 'file' | undefined> {
  const s = await stat(p).catch(() => undefined);
  return s === undefined ? undefined : s.isDirectory() ? 'dir' : 'file';
}
