/**
 * DockerRuntime: the Runtime interface over the Docker Engine API (dockerode). Also speaks to Podman's
 * Docker-compatible socket. One keep-alive agent serves every call; the API version is negotiated once.
 */
import type { IncomingMessage } from 'node:http';
import type Docker from 'dockerode';
import DockerClient from './dockerode.js';
import { EngineError } from '../core/errors.js';
import { buildImageClassic, pullImage, pushImage } from './docker-images.js';
import { buildWithBuildx } from './buildx.js';
import { bakeable, bakeWithBuildx } from './buildx-bake.js';
import { checkBuildRequest, chooseBuilder, explainClassicFailure, type BuilderChoice } from './builder.js';
import { RegistryAuth } from './registry-auth.js';
import { engineCall, engineLookup, statusOf, toEngineError, untyped } from './docker-errors.js';
import { modemOptions, unreachableMessage, type EngineEndpoint } from './docker-endpoint.js';
import {
  imageFromInspect,
  imageFromList,
  networkCreateBody,
  networkSummary,
  volumeSummary,
} from './docker-objects.js';
import {
  compareApiVersions,
  containerCreateBody,
  endpointBody,
  labelFilters,
  laterNetworks,
  summaryFromInspect,
  summaryFromList,
} from './docker-mapping.js';
import { containerLogs, engineEvents, containerStats, statsOnce } from './docker-streams.js';
import { attachToContainer, execDetached, execInContainer } from './docker-sessions.js';
import { getArchive, putArchive, statPath } from './docker-archive.js';
import type {
  BuildOutcome,
  AttachRequest,
  BuildRequest,
  ContainerCreateSpec,
  ArchiveRead,
  ContainerStats,
  ContainerSummary,
  EngineEvent,
  EngineInfo,
  ExecRequest,
  ExecSession,
  ImageSummary,
  LabelFilter,
  LogLine,
  LogOptions,
  NetworkAttachment,
  NetworkCreateSpec,
  NetworkSummary,
  PathStat,
  ProcessList,
  ProgressEvent,
  PutArchiveOptions,
  RemoveOptions,
  Runtime,
  StreamSession,
  VolumeCreateSpec,
  VolumeSummary,
} from './types.js';

/** The newest API version tsstack speaks; an older engine is spoken to in its own version. */
export const MAX_API_VERSION = '1.45';
const CONNECT_TIMEOUT_MS = 5000;

type Json = Record<string, unknown>;

interface VersionAnswer {
  Version?: string;
  ApiVersion?: string;
  Os?: string;
  Arch?: string;
  Platform?: { Name?: string };
  Components?: { Name?: string }[];
}

/** 'podman' when the engine's /version names Podman among its components or platform. */
export function flavorOf(v: VersionAnswer): 'docker' | 'podman' {
  const names = [v.Platform?.Name ?? '', ...(v.Components ?? []).map((c) => c.Name ?? '')];
  return names.some((n) => /podman/i.test(n)) ? 'podman' : 'docker';
}

/** min(engine's version, ours). */
export function negotiateApiVersion(server: string | undefined): string {
  if (!server) return MAX_API_VERSION;
  return compareApiVersions(server, MAX_API_VERSION) < 0 ? server : MAX_API_VERSION;
}

/**
 * GET /_ping, unversioned: the engine's API version from the Api-Version header (Docker since API 1.25,
 * Podman's compatible API too), or undefined when the header is missing.
 */
function pingApiVersion(docker: Docker, signal: AbortSignal): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    docker.modem.dial(
      {
        path: '/_ping',
        method: 'GET',
        options: {},
        isStream: true,
        abortSignal: signal,
        statusCodes: { 200: true, 500: 'server error' },
      } as Parameters<typeof docker.modem.dial>[0],
      (err: unknown, res: unknown) => {
        if (err) return reject(err);
        const answer = res as IncomingMessage;
        answer.resume();
        const header = answer.headers['api-version'];
        resolve(typeof header === 'string' && /^\d+\.\d+$/.test(header) ? header : undefined);
      },
    );
  });
}

function connectCause(err: unknown): string {
  const e = err as { name?: string; message?: string; code?: string };
  if (e?.name === 'AbortError' || e?.name === 'TimeoutError')
    return `no answer within ${CONNECT_TIMEOUT_MS / 1000} s`;
  return String(e?.message ?? err).trim();
}

export class DockerRuntime implements Runtime {
  private readonly auth: RegistryAuth;
  private builder: Promise<BuilderChoice> | undefined;

  private constructor(
    private readonly docker: Docker,
    readonly endpoint: string,
    readonly apiVersion: string,
    private version: VersionAnswer | Promise<VersionAnswer> | undefined,
    private readonly env: Record<string, string | undefined>,
  ) {
    this.auth = new RegistryAuth(env);
  }

  /**
   * Connects and negotiates the API version from one GET /_ping (its Api-Version header); throws
   * EngineError when nothing answers. Not /version: Docker 20.10 answers it by asking containerd and
   * running runc and docker-init for their versions, 7–25 ms measured here against ~1 ms for /_ping,
   * on every command's start. /version is asked only when its details are wanted (`info()`), or when
   * an old engine's ping names no API version.
   */
  static async connect(
    ep: EngineEndpoint,
    env: Record<string, string | undefined>,
    abort?: AbortSignal,
  ): Promise<DockerRuntime> {
    let docker: Docker;
    try {
      docker = new DockerClient(modemOptions(ep, env));
    } catch (err) {
      // Unreadable TLS certificates, or docker-modem rejecting the process's own DOCKER_HOST.
      throw new EngineError(`cannot use the container engine at ${ep.url}: ${(err as Error).message}`);
    }
    let pinged: string | undefined;
    let version: VersionAnswer | undefined;
    try {
      const timeout = AbortSignal.timeout(CONNECT_TIMEOUT_MS);
      const signal = abort ? AbortSignal.any([timeout, abort]) : timeout;
      pinged = await pingApiVersion(docker, signal);
      if (pinged === undefined)
        version = (await untyped(docker, 'version')({ abortSignal: signal })) as VersionAnswer;
    } catch (err) {
      const cause = statusOf(err) ? toEngineError(err, 'GET /_ping').message : connectCause(err);
      throw new EngineError(unreachableMessage(ep, cause, env));
    }
    const api = negotiateApiVersion(pinged ?? version?.ApiVersion);
    // Pin the version in the URL path so no later call negotiates again.
    (docker.modem as unknown as { version?: string }).version = `v${api}`;
    return new DockerRuntime(docker, ep.url, api, version, env);
  }

  /** The engine's /version answer, asked once when first wanted. */
  private versionAnswer(): Promise<VersionAnswer> {
    this.version ??= (untyped(this.docker, 'version')({}) as Promise<VersionAnswer>).catch(() => ({}));
    return Promise.resolve(this.version);
  }

  async ping(signal?: AbortSignal): Promise<void> {
    await engineCall(`ping ${this.endpoint}`, () => untyped(this.docker, 'ping')({ abortSignal: signal }));
  }

  async info(): Promise<EngineInfo> {
    const [i, v] = await Promise.all([
      engineCall('engine info', () => this.docker.info()) as Promise<Json>,
      this.versionAnswer(),
    ]);
    const swarm = (i.Swarm ?? {}) as Json;
    return {
      name: String(i.Name ?? ''),
      version: String(v.Version ?? i.ServerVersion ?? ''),
      apiVersion: this.apiVersion,
      os: String(i.OSType ?? v.Os ?? ''),
      arch: String(i.Architecture ?? v.Arch ?? ''),
      cpus: Number(i.NCPU ?? 0),
      memory: Number(i.MemTotal ?? 0),
      flavor: flavorOf(v),
      ...(swarm.LocalNodeState === 'active'
        ? {
            swarm: {
              nodeId: String(swarm.NodeID ?? ''),
              state: String(swarm.LocalNodeState),
              isManager: Boolean(swarm.ControlAvailable),
            },
          }
        : {}),
    };
  }

  // ---- containers

  async listContainers(filter: LabelFilter, opts: { all?: boolean } = {}): Promise<ContainerSummary[]> {
    const list = await engineCall('list containers', () =>
      this.docker.listContainers({ all: opts.all ?? false, filters: labelFilters(filter) }),
    );
    return (list as unknown as Json[]).map(summaryFromList);
  }

  async inspectContainer(idOrName: string): Promise<ContainerSummary | undefined> {
    const c = await engineLookup(`inspect container ${idOrName}`, () =>
      this.docker.getContainer(idOrName).inspect(),
    );
    return c ? summaryFromInspect(c as unknown as Json) : undefined;
  }

  async createContainer(spec: ContainerCreateSpec): Promise<string> {
    const body = containerCreateBody(spec, this.apiVersion);
    const query = { name: spec.name, ...(spec.platform ? { platform: spec.platform } : {}) };
    // _query/_body keep the body out of the URL (dockerode otherwise sends it as query parameters too).
    const opts = { _query: query, _body: body } as unknown as Docker.ContainerCreateOptions;
    const created = await engineCall(`create container ${spec.name}`, () =>
      this.docker.createContainer(opts),
    );
    try {
      for (const a of laterNetworks(spec)) await this.connectNetwork(created.id, a);
    } catch (err) {
      await this.removeContainer(created.id, { force: true }).catch(() => undefined);
      throw err;
    }
    return created.id;
  }

  async startContainer(id: string): Promise<void> {
    await this.tolerate([304], `start container ${id}`, () => this.docker.getContainer(id).start());
  }

  async stopContainer(id: string, timeoutSeconds?: number): Promise<void> {
    // The engine sends the stop signal, waits `t` seconds, then kills.
    const opts = timeoutSeconds !== undefined ? { t: Math.max(0, Math.round(timeoutSeconds)) } : {};
    await this.tolerate([304], `stop container ${id}`, () => this.docker.getContainer(id).stop(opts));
  }

  async killContainer(id: string, signal?: string): Promise<void> {
    await engineCall(`kill container ${id}`, () =>
      this.docker.getContainer(id).kill(signal ? { signal } : {}),
    );
  }

  async pauseContainer(id: string): Promise<void> {
    await engineCall(`pause container ${id}`, () => this.docker.getContainer(id).pause());
  }

  async unpauseContainer(id: string): Promise<void> {
    await engineCall(`unpause container ${id}`, () => this.docker.getContainer(id).unpause());
  }

  async topContainer(id: string, psArgs?: string): Promise<ProcessList> {
    const r = (await engineCall(`list processes of container ${id}`, () =>
      this.docker.getContainer(id).top(psArgs ? { ps_args: psArgs } : {}),
    )) as { Titles?: string[] | null; Processes?: string[][] | null };
    return { titles: r.Titles ?? [], processes: r.Processes ?? [] };
  }

  async restartContainer(id: string, timeoutSeconds?: number): Promise<void> {
    const opts = timeoutSeconds !== undefined ? { t: Math.max(0, Math.round(timeoutSeconds)) } : {};
    await engineCall(`restart container ${id}`, () => this.docker.getContainer(id).restart(opts));
  }

  async removeContainer(id: string, opts: RemoveOptions = {}): Promise<void> {
    await this.tolerate([404], `remove container ${id}`, () =>
      this.docker.getContainer(id).remove({ force: opts.force ?? false, v: opts.volumes ?? false }),
    );
  }

  async renameContainer(id: string, name: string): Promise<void> {
    await engineCall(`rename container ${id} to ${name}`, () =>
      this.docker.getContainer(id).rename({ name }),
    );
  }

  async waitContainer(id: string, signal?: AbortSignal): Promise<number> {
    const r = (await engineCall(`wait for container ${id}`, () =>
      this.docker.getContainer(id).wait({ abortSignal: signal }),
    )) as { StatusCode?: number };
    return Number(r.StatusCode ?? 0);
  }

  async connectNetwork(containerId: string, a: NetworkAttachment): Promise<void> {
    await engineCall(`connect container ${containerId} to network ${a.network}`, () =>
      this.docker.getNetwork(a.network).connect({ Container: containerId, EndpointConfig: endpointBody(a) }),
    );
  }

  async disconnectNetwork(containerId: string, network: string): Promise<void> {
    await engineCall(`disconnect container ${containerId} from network ${network}`, () =>
      this.docker.getNetwork(network).disconnect({ Container: containerId, Force: false }),
    );
  }

  // ---- networks

  async listNetworks(filter: LabelFilter): Promise<NetworkSummary[]> {
    const list = await engineCall('list networks', () =>
      this.docker.listNetworks({ filters: labelFilters(filter) }),
    );
    return (list as unknown as Json[]).map(networkSummary);
  }

  async inspectNetwork(name: string): Promise<NetworkSummary | undefined> {
    const n = await engineLookup(`inspect network ${name}`, () => this.docker.getNetwork(name).inspect());
    if (!n) return undefined;
    // Only an inspect lists the endpoints (keyed by container ID, or `ep-...` for a container already gone).
    const containers = Object.keys((n as { Containers?: Record<string, unknown> | null }).Containers ?? {});
    return { ...networkSummary(n as unknown as Json), containers };
  }

  async createNetwork(spec: NetworkCreateSpec): Promise<string> {
    const body = networkCreateBody(spec);
    const n = await engineCall(`create network ${spec.name}`, () =>
      this.docker.createNetwork(body as unknown as Docker.NetworkCreateOptions),
    );
    return n.id;
  }

  async removeNetwork(idOrName: string): Promise<void> {
    await this.tolerate([404], `remove network ${idOrName}`, () => this.docker.getNetwork(idOrName).remove());
  }

  // ---- volumes

  async listVolumes(filter: LabelFilter): Promise<VolumeSummary[]> {
    const r = (await engineCall('list volumes', () =>
      this.docker.listVolumes({ filters: labelFilters(filter) }),
    )) as unknown as { Volumes?: Json[] | null };
    return (r.Volumes ?? []).map(volumeSummary);
  }

  async inspectVolume(name: string): Promise<VolumeSummary | undefined> {
    const v = await engineLookup(`inspect volume ${name}`, () => this.docker.getVolume(name).inspect());
    return v ? volumeSummary(v as unknown as Json) : undefined;
  }

  async createVolume(spec: VolumeCreateSpec): Promise<void> {
    await engineCall(`create volume ${spec.name}`, () =>
      this.docker.createVolume({
        Name: spec.name,
        Driver: spec.driver,
        DriverOpts: spec.options,
        Labels: spec.labels,
      }),
    );
  }

  async removeVolume(name: string, force = false): Promise<void> {
    await this.tolerate([404], `remove volume ${name}`, () => this.docker.getVolume(name).remove({ force }));
  }

  // ---- images

  async listImages(filter: LabelFilter): Promise<ImageSummary[]> {
    const list = await engineCall('list images', () =>
      this.docker.listImages({ filters: labelFilters(filter) }),
    );
    return (list as unknown as Json[]).map(imageFromList);
  }

  async inspectImage(ref: string): Promise<ImageSummary | undefined> {
    const i = (await engineLookup(`inspect image ${ref}`, () => this.docker.getImage(ref).inspect())) as
      Json | undefined;
    return i ? imageFromInspect(i) : undefined;
  }

  /** BuildKit (buildx) or the classic builder, by the rule in builder.ts; chosen once per runtime. */
  builderChoice(): Promise<BuilderChoice> {
    this.builder ??= this.versionAnswer().then((v) => chooseBuilder(this.env, flavorOf(v)));
    return this.builder;
  }

  async buildImage(
    req: BuildRequest,
    onProgress?: (p: ProgressEvent) => void,
    signal?: AbortSignal,
  ): Promise<string> {
    const choice = await this.builderChoice();
    checkBuildRequest(req, choice);
    if (choice.kind === 'buildkit')
      return buildWithBuildx(
        choice.buildx,
        { ...this.env, DOCKER_HOST: this.endpoint },
        req,
        onProgress,
        signal,
      );
    try {
      return await buildImageClassic(this.docker, req, onProgress, signal);
    } catch (err) {
      if (err instanceof EngineError) throw new EngineError(explainClassicFailure(err.message, choice));
      throw err;
    }
  }

  async buildImages(
    reqs: BuildRequest[],
    onProgress?: (index: number, p: ProgressEvent) => void,
    signal?: AbortSignal,
  ): Promise<BuildOutcome[]> {
    const choice = await this.builderChoice();
    const out: BuildOutcome[] = reqs.map(() => ({ error: 'not built' }));
    const words = (err: unknown) => (err instanceof Error ? err.message : String(err));
    // One bake for what it can express and the builder accepts; each of the rest alone (a refusal then
    // fails only its own request).
    const accepted = (req: BuildRequest) => {
      try {
        checkBuildRequest(req, choice);
        return true;
      } catch {
        return false;
      }
    };
    const baked = reqs.flatMap((req, i) =>
      choice.kind === 'buildkit' && bakeable(req) && accepted(req) ? [i] : [],
    );
    const single = reqs.flatMap((_, i) => (baked.length > 1 && baked.includes(i) ? [] : [i]));
    const bake = async () => {
      if (choice.kind !== 'buildkit' || baked.length < 2) return;
      const env = { ...this.env, DOCKER_HOST: this.endpoint };
      const batch = baked.map((i) => reqs[i] as BuildRequest);
      try {
        const results = await bakeWithBuildx(
          choice.buildx,
          env,
          batch,
          (j, p) => onProgress?.(baked[j] as number, p),
          signal,
        );
        results.forEach((r, j) => (out[baked[j] as number] = r));
      } catch (err) {
        for (const i of baked) out[i] = { error: words(err) };
      }
    };
    await Promise.all([
      bake(),
      ...single.map(async (i) => {
        try {
          out[i] = { id: await this.buildImage(reqs[i] as BuildRequest, (p) => onProgress?.(i, p), signal) };
        } catch (err) {
          out[i] = { error: words(err) };
        }
      }),
    ]);
    return out;
  }

  async pullImage(ref: string, onProgress?: (p: ProgressEvent) => void, signal?: AbortSignal): Promise<void> {
    return pullImage(this.docker, ref, await this.auth.forImage(ref), onProgress, signal);
  }

  async pushImage(ref: string, onProgress?: (p: ProgressEvent) => void, signal?: AbortSignal): Promise<void> {
    return pushImage(this.docker, ref, await this.auth.forImage(ref), onProgress, signal);
  }

  async removeImage(ref: string, force = false): Promise<void> {
    await this.tolerate([404], `remove image ${ref}`, () => this.docker.getImage(ref).remove({ force }));
  }

  // ---- streams

  events(filter: LabelFilter, signal: AbortSignal, onSubscribed?: () => void): AsyncIterable<EngineEvent> {
    return engineEvents(this.docker, filter, signal, onSubscribed);
  }

  logs(id: string, opts: LogOptions, signal?: AbortSignal): AsyncIterable<LogLine> {
    return containerLogs(this.docker, id, opts, signal);
  }

  exec(id: string, req: ExecRequest): Promise<ExecSession> {
    return execInContainer(this.docker, id, req);
  }

  execDetached(id: string, req: ExecRequest): Promise<void> {
    return execDetached(this.docker, id, req);
  }

  attachContainer(id: string, req: AttachRequest): Promise<StreamSession> {
    return attachToContainer(this.docker, id, req);
  }

  stats(id: string, signal: AbortSignal): AsyncIterable<ContainerStats> {
    return containerStats(this.docker, id, signal);
  }

  statsOnce(id: string, signal?: AbortSignal): Promise<ContainerStats> {
    return statsOnce(this.docker, id, signal);
  }

  putArchive(
    id: string,
    path: string,
    tar: NodeJS.ReadableStream | Buffer,
    opts?: PutArchiveOptions,
  ): Promise<void> {
    return putArchive(this.docker, id, path, tar, opts);
  }

  getArchive(id: string, path: string, signal?: AbortSignal): Promise<ArchiveRead> {
    return getArchive(this.docker, id, path, signal);
  }

  statPath(id: string, path: string): Promise<PathStat | undefined> {
    return statPath(this.docker, id, path);
  }

  /** Runs a call; the listed status codes (already done, already gone) count as success. */
  private async tolerate(codes: number[], what: string, call: () => Promise<unknown>): Promise<void> {
    try {
      await call();
    } catch (err) {
      const code = statusOf(err);
      if (code !== undefined && codes.includes(code)) return;
      throw toEngineError(err, what);
    }
  }
}
