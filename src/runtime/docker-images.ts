/** Image builds and pulls through the Engine API, with progress from the engine's JSON stream. */
import type Docker from 'dockerode';
import { EngineError } from '../core/errors.js';
import { toEngineError } from './docker-errors.js';
import { jsonObjects } from './json-stream.js';
import type { BuildRequest, ProgressEvent } from './types.js';

type Json = Record<string, unknown>;

/** A progress message of a build or pull; undefined for lines with nothing to say. */
export function progressFrom(obj: Json): ProgressEvent | undefined {
  const detail = (obj.progressDetail ?? {}) as { current?: number; total?: number };
  const text = typeof obj.stream === 'string' ? obj.stream : typeof obj.status === 'string' ? obj.status : '';
  const message = text.replace(/\s+$/, '');
  if (!message) return undefined;
  return {
    ...(typeof obj.id === 'string' ? { id: obj.id } : {}),
    message,
    ...(typeof detail.current === 'number' ? { current: detail.current } : {}),
    ...(typeof detail.total === 'number' ? { total: detail.total } : {}),
  };
}

/** The error a stream reported in-band (the HTTP status is 200 by then). */
export function streamError(obj: Json): string | undefined {
  const detail = obj.errorDetail as { message?: string } | undefined;
  const msg = detail?.message ?? (typeof obj.error === 'string' ? obj.error : undefined);
  return msg?.trim();
}

/** Builds an image from a context folder; resolves with the image ID. Build failures carry the engine's words. */
export async function buildImage(
  docker: Docker,
  req: BuildRequest,
  onProgress?: (p: ProgressEvent) => void,
  signal?: AbortSignal,
): Promise<string> {
  const name = req.tags[0] ?? req.context;
  const what = `build image ${name}`;
  // tar-fs and the ignore matcher load only when something is built.
  const { buildContextTar } = await import('./build-context.js');
  const ctx = buildContextTar(req);
  const opts = {
    t: req.tags,
    dockerfile: ctx.dockerfile,
    buildargs: req.args,
    labels: req.labels,
    rm: true,
    forcerm: true,
    ...(req.target ? { target: req.target } : {}),
    ...(req.noCache ? { nocache: true } : {}),
    ...(req.pull ? { pull: 'true' } : {}),
    ...(req.network ? { networkmode: req.network } : {}),
    ...(req.extraHosts?.length ? { extrahosts: req.extraHosts.join(',') } : {}),
    ...(req.shmSize ? { shmsize: req.shmSize } : {}),
    ...(req.memory ? { memory: req.memory } : {}),
    abortSignal: signal,
  };
  let stream: NodeJS.ReadableStream;
  try {
    stream = await docker.buildImage(ctx.tar, opts as unknown as Docker.ImageBuildOptions);
  } catch (err) {
    throw toEngineError(err, what);
  }
  let imageId: string | undefined;
  for await (const obj of jsonObjects(stream, what, signal)) {
    const error = streamError(obj);
    if (error) throw new EngineError(`${what}: ${error}`);
    const aux = obj.aux as { ID?: string } | undefined;
    if (aux?.ID) imageId = aux.ID;
    const built = typeof obj.stream === 'string' ? /Successfully built ([0-9a-f]+)/.exec(obj.stream) : null;
    if (built?.[1] && !imageId) imageId = built[1];
    const p = progressFrom(obj);
    if (p && onProgress) onProgress(p);
  }
  if (signal?.aborted) throw new EngineError(`${what}: cancelled`);
  if (imageId) return imageId;
  // Podman and some builders report no ID in the stream: ask for the tag.
  const tag = req.tags[0];
  if (tag) {
    try {
      const i = await docker.getImage(tag).inspect();
      return i.Id;
    } catch (err) {
      throw toEngineError(err, what);
    }
  }
  throw new EngineError(`${what}: the engine finished without reporting an image`);
}

/** Pulls an image; an unknown image or unreachable registry is one EngineError with the engine's words. */
export async function pullImage(
  docker: Docker,
  ref: string,
  onProgress?: (p: ProgressEvent) => void,
  signal?: AbortSignal,
): Promise<void> {
  const what = `pull image ${ref}`;
  let stream: NodeJS.ReadableStream;
  try {
    stream = (await docker.pull(ref, { abortSignal: signal })) as NodeJS.ReadableStream;
  } catch (err) {
    throw toEngineError(err, what);
  }
  for await (const obj of jsonObjects(stream, what, signal)) {
    const error = streamError(obj);
    if (error) throw new EngineError(`${what}: ${error}`);
    const p = progressFrom(obj);
    if (p && onProgress) onProgress(p);
  }
  if (signal?.aborted) throw new EngineError(`${what}: cancelled`);
}
