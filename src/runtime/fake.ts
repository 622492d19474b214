/**
 * FakeRuntime: an in-memory engine for fast reconciler and scheduler tests. Deterministic (ids are
 * counters), strict like the real engine where ordering matters (name conflicts, missing images or
 * networks, removing a running container or a network in use all fail), with fault injection and a
 * log of every call so tests can assert what was (not) done.
 */
import { EventEmitter } from 'eventemitter3';
import { EngineError } from '../core/errors.js';
import type {
  BuildOutcome,
  AttachRequest,
  ArchiveRead,
  BuildRequest,
  ContainerCreateSpec,
  ContainerStats,
  ContainerSummary,
  EngineEvent,
  EngineInfo,
  ExecRequest,
  ExecSession,
  HealthState,
  ImageSummary,
  LabelFilter,
  Labels,
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

export interface FakeCall {
  method: string;
  args: unknown[];
}

interface FakeContainer {
  summary: ContainerSummary;
  spec: ContainerCreateSpec;
  logs: LogLine[];
}

/** Methods that change engine state; `mutatingCalls()` returns only these. */
export const MUTATING_METHODS = new Set([
  'createContainer',
  'startContainer',
  'stopContainer',
  'killContainer',
  'pauseContainer',
  'unpauseContainer',
  'restartContainer',
  'removeContainer',
  'renameContainer',
  'connectNetwork',
  'disconnectNetwork',
  'createNetwork',
  'removeNetwork',
  'createVolume',
  'removeVolume',
  'buildImage',
  'pullImage',
  'pushImage',
  'removeImage',
]);

function matches(labels: Labels, filter: LabelFilter): boolean {
  return Object.entries(filter).every(([k, v]) => (v === true ? k in labels : labels[k] === v));
}

export class FakeRuntime implements Runtime {
  readonly endpoint = 'fake://';
  readonly calls: FakeCall[] = [];
  private readonly containers = new Map<string, FakeContainer>();
  private readonly networks = new Map<string, NetworkSummary>();
  private readonly volumes = new Map<string, VolumeSummary>();
  private readonly images = new Map<string, ImageSummary>();
  /** Images a `pullImage` can fetch: ref → image id. */
  readonly registry = new Map<string, string>();
  private readonly faults: { method: string; message: string; remaining: number }[] = [];
  /** Endpoints left on a network after their container went (network name → container IDs). */
  private readonly lingering = new Map<string, Set<string>>();
  /** Endpoint counts that drifted (network name → extra count), with no endpoint behind them. */
  private readonly staleCounts = new Map<string, number>();
  private readonly bus = new EventEmitter<{ event: [EngineEvent] }>();
  /**
   * What a started container does on its own (exit with a code, report a health status), applied just
   * after `start`/`restart` returns. Off by default; `simulateCommands` gives `true`/`false` meaning.
   */
  simulate?: (spec: ContainerCreateSpec) => { exitCode?: number; health?: HealthState } | undefined;
  private nextId = 1;
  private nextPort = 49153;
  private clock = Date.UTC(2026, 0, 1);

  // ---- fault injection and test helpers ----

  /** The `nth` next call (1 = the very next) of `method` throws an EngineError with `message`. */
  failNext(method: string, message = `${method} failed (injected)`, nth = 1): void {
    this.faults.push({ method, message, remaining: nth });
  }

  /**
   * A removal someone else started and the engine is still working on (as a SIGKILLed `down` leaves it):
   * the container shows `removing` and another remove meets the engine's 409 until `finish` deletes it;
   * `finish({ failed: true })` ends the removal without removing it (the engine leaves it `dead`), and
   * `finish({ lingerOn })` leaves its endpoints on those networks until `releaseEndpoints`.
   */
  beginRemoval(idOrName: string): { finish(opts?: { failed?: boolean; lingerOn?: string[] }): void } {
    const c = this.mustFind(idOrName);
    c.summary.state = 'removing';
    return {
      finish: (opts = {}) => {
        if (opts.failed) {
          c.summary.state = 'dead';
          return;
        }
        for (const n of opts.lingerOn ?? [])
          this.lingering.set(n, new Set([...(this.lingering.get(n) ?? []), c.summary.id]));
        this.containers.delete(c.summary.id);
        this.emitEvent('container', 'destroy', c);
      },
    };
  }

  /**
   * The engine's endpoint count for `network` drifts by `n` (Docker 20.10, moby/moby#42119): removing it
   * fails with "has active endpoints" although it lists none, until `staleEndpointCount(network, 0)`.
   */
  staleEndpointCount(network: string, n: number): void {
    if (n > 0) this.staleCounts.set(network, n);
    else this.staleCounts.delete(network);
  }

  /** The engine detaches the endpoints that `beginRemoval(...).finish({ lingerOn })` left on `network`. */
  releaseEndpoints(network: string): void {
    this.lingering.delete(network);
  }

  /** The container stops on its own with `code` (a crash, or a one-shot finishing). */
  exitContainer(idOrName: string, code: number): void {
    const c = this.mustFind(idOrName);
    c.summary.state = 'exited';
    c.summary.exitCode = code;
    c.summary.health = undefined;
    this.emitEvent('container', 'die', c, { exitCode: String(code) });
  }

  setHealth(idOrName: string, health: HealthState): void {
    const c = this.mustFind(idOrName);
    c.summary.health = health;
    this.emitEvent('container', `health_status: ${health}`, c);
  }

  addImage(ref: string, id = `sha256:${ref.replace(/[^a-z0-9]/g, '')}`, labels: Labels = {}): string {
    const full = normalizeRef(ref);
    const existing = this.images.get(id);
    if (existing) existing.tags.push(full);
    else this.images.set(id, { id, tags: [full], labels, size: 1000 });
    return id;
  }

  /** Adds a container as if someone else (or an older tsstack) created it. */
  seedContainer(spec: ContainerCreateSpec, state: ContainerSummary['state'] = 'running'): string {
    const id = this.insertContainer(spec);
    (this.containers.get(id) as FakeContainer).summary.state = state;
    return id;
  }

  appendLog(idOrName: string, line: LogLine): void {
    this.mustFind(idOrName).logs.push(line);
  }

  /** The create spec a container was made from. */
  specOf(idOrName: string): ContainerCreateSpec {
    return this.mustFind(idOrName).spec;
  }

  mutatingCalls(): FakeCall[] {
    return this.calls.filter((c) => MUTATING_METHODS.has(c.method));
  }

  clearCalls(): void {
    this.calls.length = 0;
  }

  // ---- Runtime ----

  async ping(): Promise<void> {
    this.record('ping', []);
  }

  async info(): Promise<EngineInfo> {
    this.record('info', []);
    return {
      name: 'fake',
      version: '0.0.0',
      apiVersion: '1.41',
      os: 'linux',
      arch: 'x86_64',
      cpus: 4,
      memory: 8 * 2 ** 30,
      flavor: 'docker',
    };
  }

  async listContainers(filter: LabelFilter, opts: { all?: boolean } = {}): Promise<ContainerSummary[]> {
    this.record('listContainers', [filter, opts]);
    return [...this.containers.values()]
      .filter((c) => matches(c.summary.labels, filter) && (opts.all || c.summary.state === 'running'))
      .map((c) => structuredClone(c.summary));
  }

  async inspectContainer(idOrName: string): Promise<ContainerSummary | undefined> {
    this.record('inspectContainer', [idOrName]);
    const c = this.find(idOrName);
    return c && structuredClone(c.summary);
  }

  async createContainer(spec: ContainerCreateSpec): Promise<string> {
    this.record('createContainer', [spec]);
    if (this.find(spec.name))
      throw new EngineError(`Conflict. The container name "/${spec.name}" is already in use`, 409);
    if (!this.findImage(spec.image)) throw new EngineError(`No such image: ${spec.image}`, 404);
    for (const n of spec.networks)
      if (!this.networks.has(n.network)) throw new EngineError(`network ${n.network} not found`, 404);
    for (const m of spec.mounts)
      if (m.type === 'volume' && m.source && !this.volumes.has(m.source))
        this.volumes.set(m.source, { name: m.source, driver: 'local', labels: {} });
    return this.insertContainer(spec);
  }

  async startContainer(id: string): Promise<void> {
    this.record('startContainer', [id]);
    const c = this.mustFind(id);
    for (const n of c.spec.networks)
      if (!this.networks.has(n.network)) throw new EngineError(`network ${n.network} not found`, 404);
    if (c.summary.state === 'running') return;
    c.summary.state = 'running';
    c.summary.exitCode = undefined;
    c.summary.startedAt = this.now();
    if (c.spec.healthcheck && c.spec.healthcheck.test[0] !== 'NONE') c.summary.health = 'starting';
    this.emitEvent('container', 'start', c);
    this.runSimulation(c);
  }

  async stopContainer(id: string, timeoutSeconds?: number): Promise<void> {
    this.record('stopContainer', [id, timeoutSeconds]);
    const c = this.mustFind(id);
    if (c.summary.state !== 'running') return;
    c.summary.state = 'exited';
    c.summary.exitCode = 137;
    c.summary.health = undefined;
    this.emitEvent('container', 'die', c, { exitCode: '137' });
  }

  async killContainer(id: string, signal?: string): Promise<void> {
    this.record('killContainer', [id, signal]);
    const c = this.mustFind(id);
    if (c.summary.state !== 'running') throw new EngineError(`Container ${id} is not running`, 409);
    c.summary.state = 'exited';
    c.summary.exitCode = 137;
    this.emitEvent('container', 'die', c, { exitCode: '137' });
  }

  async pauseContainer(id: string): Promise<void> {
    this.record('pauseContainer', [id]);
    const c = this.mustFind(id);
    if (c.summary.state !== 'running') throw new EngineError(`Container ${id} is not running`, 409);
    c.summary.state = 'paused';
    this.emitEvent('container', 'pause', c);
  }

  async unpauseContainer(id: string): Promise<void> {
    this.record('unpauseContainer', [id]);
    const c = this.mustFind(id);
    if (c.summary.state !== 'paused') throw new EngineError(`Container ${id} is not paused`, 409);
    c.summary.state = 'running';
    this.emitEvent('container', 'unpause', c);
  }

  async topContainer(id: string): Promise<ProcessList> {
    this.record('topContainer', [id]);
    const c = this.mustFind(id);
    if (c.summary.state !== 'running') throw new EngineError(`Container ${id} is not running`, 409);
    return { titles: ['PID', 'CMD'], processes: [['1', (c.spec.command ?? []).join(' ')]] };
  }

  async restartContainer(id: string, timeoutSeconds?: number): Promise<void> {
    this.record('restartContainer', [id, timeoutSeconds]);
    const c = this.mustFind(id);
    c.summary.state = 'running';
    c.summary.exitCode = undefined;
    c.summary.restartCount = (c.summary.restartCount ?? 0) + 1;
    this.emitEvent('container', 'restart', c);
    this.runSimulation(c);
  }

  async removeContainer(id: string, opts: RemoveOptions = {}): Promise<void> {
    this.record('removeContainer', [id, opts]);
    const c = this.mustFind(id);
    if (c.summary.state === 'removing')
      throw new EngineError(`removal of container ${id} is already in progress`, 409);
    if (c.summary.state === 'running' && !opts.force)
      throw new EngineError(
        `You cannot remove a running container ${c.summary.id}. Stop the container before attempting removal or force remove`,
        409,
      );
    this.containers.delete(c.summary.id);
    this.emitEvent('container', 'destroy', c);
  }

  async renameContainer(id: string, name: string): Promise<void> {
    this.record('renameContainer', [id, name]);
    const c = this.mustFind(id);
    if (this.find(name))
      throw new EngineError(`Conflict. The container name "/${name}" is already in use`, 409);
    c.summary.name = name;
    c.spec = { ...c.spec, name };
  }

  async waitContainer(id: string, signal?: AbortSignal): Promise<number> {
    this.record('waitContainer', [id]);
    const c = this.mustFind(id);
    if (c.summary.state !== 'running') return c.summary.exitCode ?? 0;
    return new Promise((resolve, reject) => {
      const onEvent = (e: EngineEvent): void => {
        if (e.id === c.summary.id && e.action === 'die') {
          this.bus.off('event', onEvent);
          resolve(Number(e.attributes.exitCode ?? 0));
        }
      };
      this.bus.on('event', onEvent);
      signal?.addEventListener('abort', () => {
        this.bus.off('event', onEvent);
        reject(signal.reason);
      });
    });
  }

  async connectNetwork(containerId: string, attachment: NetworkAttachment): Promise<void> {
    this.record('connectNetwork', [containerId, attachment]);
    const c = this.mustFind(containerId);
    if (!this.networks.has(attachment.network))
      throw new EngineError(`network ${attachment.network} not found`, 404);
    if (!c.summary.networks.includes(attachment.network)) c.summary.networks.push(attachment.network);
  }

  async disconnectNetwork(containerId: string, network: string): Promise<void> {
    this.record('disconnectNetwork', [containerId, network]);
    const c = this.mustFind(containerId);
    c.summary.networks = c.summary.networks.filter((n) => n !== network);
  }

  async listNetworks(filter: LabelFilter): Promise<NetworkSummary[]> {
    this.record('listNetworks', [filter]);
    return [...this.networks.values()]
      .filter((n) => matches(n.labels, filter))
      .map((n) => structuredClone(n));
  }

  async inspectNetwork(name: string): Promise<NetworkSummary | undefined> {
    this.record('inspectNetwork', [name]);
    const n = this.networks.get(name);
    return n && { ...structuredClone(n), containers: this.endpointsOn(n.name) };
  }

  /** IDs with an endpoint on the network: its containers', and lingering ones of containers gone. */
  private endpointsOn(network: string): string[] {
    const attached = [...this.containers.values()]
      .filter((c) => c.summary.networks.includes(network))
      .map((c) => c.summary.id);
    return [...new Set([...attached, ...(this.lingering.get(network) ?? [])])];
  }

  async createNetwork(spec: NetworkCreateSpec): Promise<string> {
    this.record('createNetwork', [spec]);
    if (this.networks.has(spec.name))
      throw new EngineError(`network with name ${spec.name} already exists`, 409);
    const id = this.newId('net');
    this.networks.set(spec.name, {
      id,
      name: spec.name,
      driver: spec.driver,
      labels: { ...spec.labels },
      internal: spec.internal,
      attachable: spec.attachable,
      subnets: (spec.ipam?.config ?? []).flatMap((c) => (c.subnet ? [c.subnet] : [])),
    });
    return id;
  }

  async removeNetwork(idOrName: string): Promise<void> {
    this.record('removeNetwork', [idOrName]);
    const n = [...this.networks.values()].find((x) => x.name === idOrName || x.id === idOrName);
    if (!n) throw new EngineError(`network ${idOrName} not found`, 404);
    if (this.endpointsOn(n.name).length > 0 || this.staleCounts.has(n.name))
      throw new EngineError(
        `error while removing network: network ${n.name} id ${n.id} has active endpoints`,
        403,
      );
    this.networks.delete(n.name);
  }

  async listVolumes(filter: LabelFilter): Promise<VolumeSummary[]> {
    this.record('listVolumes', [filter]);
    return [...this.volumes.values()].filter((v) => matches(v.labels, filter)).map((v) => structuredClone(v));
  }

  async inspectVolume(name: string): Promise<VolumeSummary | undefined> {
    this.record('inspectVolume', [name]);
    const v = this.volumes.get(name);
    return v && structuredClone(v);
  }

  async createVolume(spec: VolumeCreateSpec): Promise<void> {
    this.record('createVolume', [spec]);
    if (!this.volumes.has(spec.name))
      this.volumes.set(spec.name, { name: spec.name, driver: spec.driver, labels: { ...spec.labels } });
  }

  async removeVolume(name: string, force?: boolean): Promise<void> {
    this.record('removeVolume', [name, force]);
    if (!this.volumes.has(name)) throw new EngineError(`get ${name}: no such volume`, 404);
    const inUse = [...this.containers.values()].some((c) =>
      c.spec.mounts.some((m) => m.type === 'volume' && m.source === name),
    );
    if (inUse && !force) throw new EngineError(`remove ${name}: volume is in use`, 409);
    this.volumes.delete(name);
  }

  async listImages(filter: LabelFilter): Promise<ImageSummary[]> {
    this.record('listImages', [filter]);
    return [...this.images.values()].filter((i) => matches(i.labels, filter)).map((i) => structuredClone(i));
  }

  async inspectImage(ref: string): Promise<ImageSummary | undefined> {
    this.record('inspectImage', [ref]);
    const i = this.findImage(ref);
    return i && structuredClone(i);
  }

  async buildImage(req: BuildRequest, onProgress?: (p: ProgressEvent) => void): Promise<string> {
    this.record('buildImage', [req]);
    onProgress?.({ message: `Step 1/1 : building ${req.tags.join(', ')}` });
    const id = `sha256:built${this.nextId++}`;
    for (const tag of req.tags) {
      this.untag(tag);
      this.addImage(tag, id, req.labels);
    }
    return id;
  }

  async buildImages(
    reqs: BuildRequest[],
    onProgress?: (index: number, p: ProgressEvent) => void,
  ): Promise<BuildOutcome[]> {
    return Promise.all(
      reqs.map(async (req, i) => {
        try {
          return { id: await this.buildImage(req, (p) => onProgress?.(i, p)) };
        } catch (err) {
          return { error: (err as Error).message };
        }
      }),
    );
  }

  async pullImage(ref: string, onProgress?: (p: ProgressEvent) => void): Promise<void> {
    this.record('pullImage', [ref]);
    const id = this.registry.get(normalizeRef(ref));
    if (!id) throw new EngineError(`pull access denied for ${ref}, repository does not exist`, 404);
    onProgress?.({ message: `Pulling ${ref}` });
    this.untag(ref);
    this.addImage(ref, id);
    // As the Docker runtime stamps it after a pull.
    (this.images.get(id) as ImageSummary).lastTagTime = new Date(this.clock).toISOString();
  }

  /** Pushing puts the image into the fake registry, so a later pull finds it. */
  async pushImage(ref: string, onProgress?: (p: ProgressEvent) => void): Promise<void> {
    this.record('pushImage', [ref]);
    const i = this.findImage(ref);
    if (!i) throw new EngineError(`An image does not exist locally with the tag: ${ref}`, 404);
    onProgress?.({ message: `Pushing ${ref}` });
    this.registry.set(normalizeRef(ref), i.id);
  }

  async removeImage(ref: string): Promise<void> {
    this.record('removeImage', [ref]);
    const i = this.findImage(ref);
    if (!i) throw new EngineError(`No such image: ${ref}`, 404);
    this.images.delete(i.id);
  }

  events(filter: LabelFilter, signal: AbortSignal, onSubscribed?: () => void): AsyncIterable<EngineEvent> {
    this.record('events', [filter]);
    const queue: EngineEvent[] = [];
    let wake: (() => void) | undefined;
    const onEvent = (e: EngineEvent): void => {
      if (matches(e.attributes, filter)) {
        queue.push(e);
        wake?.();
      }
    };
    this.bus.on('event', onEvent);
    onSubscribed?.();
    const bus = this.bus;
    return {
      async *[Symbol.asyncIterator]() {
        try {
          while (!signal.aborted) {
            const e = queue.shift();
            if (e) {
              yield e;
              continue;
            }
            await new Promise<void>((resolve) => {
              const onAbort = (): void => resolve();
              wake = () => {
                signal.removeEventListener('abort', onAbort);
                resolve();
              };
              signal.addEventListener('abort', onAbort, { once: true });
            });
          }
        } finally {
          bus.off('event', onEvent);
        }
      },
    };
  }

  async *logs(id: string, opts: LogOptions): AsyncIterable<LogLine> {
    this.record('logs', [id, opts]);
    const lines = this.mustFind(id).logs;
    yield* opts.tail === undefined ? lines : lines.slice(-opts.tail);
  }

  async exec(id: string, req: ExecRequest): Promise<ExecSession> {
    this.record('exec', [id, req]);
    throw new EngineError('exec is not supported by the fake runtime', 501);
  }

  async execDetached(id: string, req: ExecRequest): Promise<void> {
    this.record('execDetached', [id, req]);
    throw new EngineError('exec is not supported by the fake runtime', 501);
  }

  async attachContainer(id: string, req: AttachRequest): Promise<StreamSession> {
    this.record('attachContainer', [id, req]);
    throw new EngineError('attach is not supported by the fake runtime', 501);
  }

  async *stats(id: string): AsyncIterable<ContainerStats> {
    this.record('stats', [id]);
    yield { cpuPercent: 0, memoryUsage: 0, memoryLimit: 0, time: this.clock };
  }

  async statsOnce(id: string): Promise<ContainerStats> {
    this.record('statsOnce', [id]);
    this.mustFind(id);
    return { cpuPercent: 0, memoryUsage: 0, memoryLimit: 0, time: this.clock };
  }

  async putArchive(id: string, path: string, _tar?: unknown, opts?: PutArchiveOptions): Promise<void> {
    this.record('putArchive', [id, path, opts]);
  }

  async getArchive(id: string, path: string): Promise<ArchiveRead> {
    this.record('getArchive', [id, path]);
    throw new EngineError('copying out of a container is not supported by the fake runtime', 501);
  }

  async statPath(id: string, path: string): Promise<PathStat | undefined> {
    this.record('statPath', [id, path]);
    this.mustFind(id);
    return undefined;
  }

  // ---- internals ----

  private runSimulation(c: FakeContainer): void {
    const outcome = this.simulate?.(c.spec);
    if (!outcome) return;
    const startedAt = c.summary.startedAt;
    setTimeout(() => {
      const now = this.find(c.summary.id);
      if (!now || now.summary.state !== 'running' || now.summary.startedAt !== startedAt) return;
      if (outcome.health) this.setHealth(c.summary.id, outcome.health);
      if (outcome.exitCode !== undefined) this.exitContainer(c.summary.id, outcome.exitCode);
    }, 0);
  }

  private record(method: string, args: unknown[]): void {
    this.calls.push({ method, args });
    const i = this.faults.findIndex((f) => f.method === method);
    if (i < 0) return;
    const fault = this.faults[i] as (typeof this.faults)[number];
    fault.remaining--;
    if (fault.remaining > 0) return;
    this.faults.splice(i, 1);
    throw new EngineError(fault.message, 500);
  }

  private insertContainer(spec: ContainerCreateSpec): string {
    const id = this.newId('c');
    this.containers.set(id, {
      spec: structuredClone(spec),
      logs: [],
      summary: {
        id,
        name: spec.name,
        image: spec.image,
        labels: { ...spec.labels },
        state: 'created',
        createdAt: this.now(),
        restartCount: 0,
        networks: spec.networks.map((n) => n.network),
        ports: spec.ports.map((p) => ({
          target: p.target,
          protocol: p.protocol,
          hostIp: p.hostIp ?? '0.0.0.0',
          hostPort: p.hostPort ? Number.parseInt(p.hostPort, 10) : this.nextPort++,
        })),
      },
    });
    this.emitEvent('container', 'create', this.containers.get(id) as FakeContainer);
    return id;
  }

  private find(idOrName: string): FakeContainer | undefined {
    const byId = this.containers.get(idOrName);
    if (byId) return byId;
    const name = idOrName.replace(/^\//, '');
    return [...this.containers.values()].find((c) => c.summary.name === name);
  }

  private mustFind(idOrName: string): FakeContainer {
    const c = this.find(idOrName);
    if (!c) throw new EngineError(`No such container: ${idOrName}`, 404);
    return c;
  }

  private findImage(ref: string): ImageSummary | undefined {
    if (this.images.has(ref)) return this.images.get(ref);
    const full = normalizeRef(ref);
    return [...this.images.values()].find((i) => i.tags.includes(full));
  }

  private untag(ref: string): void {
    const full = normalizeRef(ref);
    for (const i of this.images.values()) i.tags = i.tags.filter((t) => t !== full);
  }

  private newId(prefix: string): string {
    return `${prefix}${String(this.nextId++).padStart(6, '0')}`;
  }

  private now(): string {
    this.clock += 1000;
    return new Date(this.clock).toISOString();
  }

  private emitEvent(
    type: EngineEvent['type'],
    action: string,
    c: FakeContainer,
    extra: Record<string, string> = {},
  ): void {
    this.bus.emit('event', {
      type,
      action,
      id: c.summary.id,
      attributes: { ...c.summary.labels, name: c.summary.name, ...extra },
      time: this.clock,
    });
  }
}

/** `busybox` → `busybox:latest`; refs with a tag or digest are kept. */
export function normalizeRef(ref: string): string {
  const lastSlash = ref.lastIndexOf('/');
  const tail = ref.slice(lastSlash + 1);
  return tail.includes(':') || tail.includes('@') ? ref : `${ref}:latest`;
}

/** A `simulate` hook: command `true` exits 0, `false` exits 1, `sh -c 'exit N'` exits N; a health check
 * test of `true` / `exit 0` turns healthy, `false` / `exit N` unhealthy; anything else keeps running. */
export function simulateCommands(spec: ContainerCreateSpec): { exitCode?: number; health?: HealthState } {
  const code = (argv: string[] | undefined): number | undefined => {
    if (!argv || argv.length === 0) return undefined;
    const script = argv[0] === 'sh' && argv[1] === '-c' ? (argv[2] ?? '') : argv.join(' ');
    if (script === 'true') return 0;
    if (script === 'false') return 1;
    const m = /^exit (\d+)$/.exec(script.trim());
    return m ? Number(m[1]) : undefined;
  };
  const test = spec.healthcheck?.test ?? [];
  const probe =
    test[0] === 'CMD' ? code(test.slice(1)) : test[0] === 'CMD-SHELL' ? code([test[1] ?? '']) : undefined;
  return {
    exitCode: code(spec.command),
    health: probe === undefined ? undefined : probe === 0 ? 'healthy' : 'unhealthy',
  };
}
