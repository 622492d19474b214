/** Image builds and pulls through the Engine API, with progress from the engine's JSON stream. */
import type Docker from 'dockerode';
import { EngineError } from '../core/errors.js';
import { toEngineError } from './docker-errors.js';
import { jsonObjects } from './json-stream.js';
import { LayerProgress } from './layer-progress.js';
import type { RegistryCredentials } from './registry-auth.js';
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

/** Builds an image with the engine's classic builder; resolves with the image ID. Failures carry its words. */
export async function buildImageClassic(
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
    ...(req.cacheFrom?.length ? { cachefrom: JSON.stringify(req.cacheFrom) } : {}),
    ...(req.platforms?.length === 1 ? { platform: req.platforms[0] } : {}),
    ...(req.ulimits && Object.keys(req.ulimits).length
      ? {
          ulimits: JSON.stringify(
            Object.entries(req.ulimits).map(([Name, u]) => ({ Name, Soft: u.soft, Hard: u.hard })),
          ),
        }
      : {}),
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
  auth: RegistryCredentials | undefined,
  onProgress?: (p: ProgressEvent) => void,
  signal?: AbortSignal,
): Promise<void> {
  const what = `pull image ${ref}`;
  let stream: NodeJS.ReadableStream;
  try {
    stream = (await docker.pull(ref, {
      abortSignal: signal,
      ...(auth ? { authconfig: auth } : {}),
    })) as NodeJS.ReadableStream;
  } catch (err) {
    throw toEngineError(err, what);
  }
  await followLayers(stream, what, 'pull', onProgress, signal);
  // Stamps the image's LastTagTime (a pull leaves it as it was): `pull_policy: daily` and its kin compare
  // against it. A digest reference has no tag to stamp.
  if (ref.includes('@')) return;
  const { repository, tag } = splitTag(ref);
  try {
    await docker.getImage(ref).tag({ repo: repository, tag });
  } catch (err) {
    throw toEngineError(err, `tag image ${ref}`);
  }
}

/** Pushes one tag of a local image. */
export async function pushImage(
  docker: Docker,
  ref: string,
  auth: RegistryCredentials | undefined,
  onProgress?: (p: ProgressEvent) => void,
  signal?: AbortSignal,
): Promise<void> {
  const what = `push image ${ref}`;
  const { repository, tag } = splitTag(ref);
  let stream: NodeJS.ReadableStream;
  try {
    // Always with a tag: without one the engine pushes every tag of the repository.
    const image = docker.getImage(repository) as unknown as { push(o: unknown): Promise<unknown> };
    stream = (await image.push({
      tag,
      abortSignal: signal,
      ...(auth ? { authconfig: auth } : {}),
    })) as NodeJS.ReadableStream;
  } catch (err) {
    throw toEngineError(err, what);
  }
  await followLayers(stream, what, 'push', onProgress, signal);
}

/** `repo[:tag]` → repository and tag (default `latest`); a registry port is not a tag. */
export function splitTag(ref: string): { repository: string; tag: string } {
  const at = ref.indexOf('@');
  const name = at >= 0 ? ref.slice(0, at) : ref;
  const colon = name.lastIndexOf(':');
  if (colon > name.lastIndexOf('/')) return { repository: name.slice(0, colon), tag: name.slice(colon + 1) };
  return { repository: name, tag: 'latest' };
}

async function followLayers(
  stream: NodeJS.ReadableStream,
  what: string,
  verb: 'pull' | 'push',
  onProgress: ((p: ProgressEvent) => void) | undefined,
  signal: AbortSignal | undefined,
): Promise<void> {
  const layers = new LayerProgress(verb);
  for await (const obj of jsonObjects(stream, what, signal)) {
    const error = streamError(obj);
    if (error) throw new EngineError(`${what}: ${error}`);
    const p = layers.feed(obj);
    if (p && onProgress) onProgress(p);
  }
  if (signal?.aborted) throw new EngineError(`${what}: cancelled`);
}
