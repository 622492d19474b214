/** The Engine API's archive endpoints: a container path as a tar stream, its stat, and extracting into it. */
import type { IncomingMessage } from 'node:http';
import type Docker from 'dockerode';
import { EngineError } from '../core/errors.js';
import { engineCall, statusOf, toEngineError } from './docker-errors.js';
import type { ArchiveRead, PathStat, PutArchiveOptions } from './types.js';

/** The `X-Docker-Container-Path-Stat` header: base64 of JSON `{name, size, mode, mtime, linkTarget}`. */
export function pathStatFrom(header: string | string[] | undefined): PathStat | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  try {
    const json = JSON.parse(Buffer.from(value, 'base64').toString('utf8')) as Record<string, unknown>;
    return {
      name: String(json.name ?? ''),
      size: Number(json.size ?? 0),
      mode: Number(json.mode ?? 0),
      linkTarget: String(json.linkTarget ?? ''),
    };
  } catch {
    return undefined;
  }
}

/** HEAD /containers/{id}/archive: the path's stat, or undefined when it does not exist. */
export async function statPath(docker: Docker, id: string, path: string): Promise<PathStat | undefined> {
  let res: IncomingMessage;
  try {
    res = (await docker.getContainer(id).infoArchive({ path })) as unknown as IncomingMessage;
  } catch (err) {
    if (statusOf(err) === 404) {
      // A HEAD answer has no body: tell a missing container from a missing path.
      await engineCall(`inspect container ${id}`, () => docker.getContainer(id).inspect());
      return undefined;
    }
    throw toEngineError(err, `stat ${path} in container ${id}`);
  }
  res.resume();
  return pathStatFrom(res.headers['x-docker-container-path-stat']);
}

/** GET /containers/{id}/archive: a tar of the path, its top entry named after the path's base name. */
export async function getArchive(
  docker: Docker,
  id: string,
  path: string,
  signal?: AbortSignal,
): Promise<ArchiveRead> {
  const what = `copy ${path} from container ${id}`;
  const res = (await engineCall(what, () =>
    docker.getContainer(id).getArchive({ path, abortSignal: signal } as { path: string }),
  )) as unknown as IncomingMessage;
  const stat = pathStatFrom(res.headers['x-docker-container-path-stat']);
  if (!stat) {
    res.destroy();
    throw new EngineError(`${what}: the engine sent no stat of the path`);
  }
  return { stat, tar: res };
}

/** PUT /containers/{id}/archive: extracts `tar` into the folder `path`. */
export async function putArchive(
  docker: Docker,
  id: string,
  path: string,
  tar: NodeJS.ReadableStream | Buffer,
  opts: PutArchiveOptions = {},
): Promise<void> {
  const query = {
    path,
    ...(opts.noOverwriteDirNonDir ? { noOverwriteDirNonDir: 'true' } : {}),
    ...(opts.copyUidGid ? { copyUIDGID: 'true' } : {}),
  };
  await engineCall(`copy files into container ${id} at ${path}`, () =>
    docker.getContainer(id).putArchive(tar as NodeJS.ReadableStream, query),
  );
}
