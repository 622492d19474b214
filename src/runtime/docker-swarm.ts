/**
 * DockerSwarmRuntime: the SwarmRuntime interface over the Docker Engine's swarm API (dockerode).
 * Mapping between tsstack's SwarmServiceSpec and the engine's ServiceSpec lives here and nowhere else.
 */
import type Docker from 'dockerode';
import DockerClient from './dockerode.js';
import { EngineError } from '../core/errors.js';
import { LogDemuxer } from './demux.js';
import { engineCall, engineLookup, toEngineError, untyped } from './docker-errors.js';
import { modemOptions, unreachableMessage, type EngineEndpoint } from './docker-endpoint.js';
import { labelFilters } from './docker-mapping.js';
import { negotiateApiVersion } from './docker.js';
import { RegistryAuth } from './registry-auth.js';
import type {
  LabelFilter,
  LogOptions,
  SwarmNode,
  SwarmLogLine,
  SwarmObjectSummary,
  SwarmPort,
  SwarmRuntime,
  SwarmServiceSpec,
  SwarmServiceSummary,
  SwarmState,
  SwarmTask,
  SwarmUpdateConfig,
} from './types.js';

type Json = Record<string, unknown>;
const NS = 1_000_000; // nanoseconds per millisecond

function updateBody(u: SwarmUpdateConfig | undefined): Json | undefined {
  if (!u) return undefined;
  return {
    Parallelism: u.parallelism,
    Delay: u.delay * NS,
    Order: u.order,
    FailureAction: u.failureAction,
    ...(u.monitor !== undefined ? { Monitor: u.monitor * NS } : {}),
    ...(u.maxFailureRatio !== undefined ? { MaxFailureRatio: u.maxFailureRatio } : {}),
  };
}

/** The engine's ServiceSpec for a tsstack SwarmServiceSpec. Pure. */
export function serviceSpecBody(s: SwarmServiceSpec): Json {
  const hc = s.healthcheck;
  const container: Json = {
    Image: s.image,
    Labels: s.containerLabels,
    ...(s.command ? { Command: s.command } : {}),
    ...(s.args ? { Args: s.args } : {}),
    Env: s.env,
    Dir: s.workingDir,
    User: s.user,
    Hostname: s.hostname,
    TTY: s.tty,
    OpenStdin: s.openStdin,
    ReadOnly: s.readOnly,
    Init: s.init,
    StopSignal: s.stopSignal,
    ...(s.stopGracePeriod !== undefined ? { StopGracePeriod: s.stopGracePeriod * NS } : {}),
    CapabilityAdd: s.capAdd,
    CapabilityDrop: s.capDrop,
    Hosts: s.extraHosts,
    Sysctls: s.sysctls,
    ...(s.dns || s.dnsSearch || s.dnsOptions
      ? { DNSConfig: { Nameservers: s.dns, Search: s.dnsSearch, Options: s.dnsOptions } }
      : {}),
    Mounts: s.mounts.map((m) => ({
      Type: m.type,
      Source: m.source,
      Target: m.target,
      ReadOnly: m.readOnly,
      ...(m.type === 'volume'
        ? { VolumeOptions: { NoCopy: m.noCopy ?? false, Labels: m.volumeLabels ?? {} } }
        : {}),
      ...(m.type === 'bind' && m.propagation ? { BindOptions: { Propagation: m.propagation } } : {}),
      ...(m.type === 'tmpfs' ? { TmpfsOptions: { SizeBytes: m.tmpfsSize, Mode: m.tmpfsMode } } : {}),
    })),
    ...(hc
      ? {
          HealthCheck: {
            Test: hc.test,
            Interval: hc.interval !== undefined ? hc.interval * NS : undefined,
            Timeout: hc.timeout !== undefined ? hc.timeout * NS : undefined,
            Retries: hc.retries,
            StartPeriod: hc.startPeriod !== undefined ? hc.startPeriod * NS : undefined,
          },
        }
      : {}),
    Secrets: s.secrets.map((r) => ({
      SecretID: r.id,
      SecretName: r.name,
      File: { Name: r.target, UID: r.uid, GID: r.gid, Mode: r.mode },
    })),
    Configs: s.configs.map((r) => ({
      ConfigID: r.id,
      ConfigName: r.name,
      File: { Name: r.target, UID: r.uid, GID: r.gid, Mode: r.mode },
    })),
  };
  const lim = s.resources.limits;
  const res = s.resources.reservations;
  const rp = s.restartPolicy;
  return {
    Name: s.name,
    Labels: s.labels,
    TaskTemplate: {
      ContainerSpec: container,
      Resources: {
        Limits: {
          ...(lim.cpus !== undefined ? { NanoCPUs: Math.round(lim.cpus * 1e9) } : {}),
          ...(lim.memory !== undefined ? { MemoryBytes: lim.memory } : {}),
          ...(lim.pids !== undefined ? { Pids: lim.pids } : {}),
        },
        Reservations: {
          ...(res.cpus !== undefined ? { NanoCPUs: Math.round(res.cpus * 1e9) } : {}),
          ...(res.memory !== undefined ? { MemoryBytes: res.memory } : {}),
        },
      },
      ...(rp
        ? {
            RestartPolicy: {
              Condition: rp.condition,
              ...(rp.delay !== undefined ? { Delay: rp.delay * NS } : {}),
              ...(rp.maxAttempts !== undefined ? { MaxAttempts: rp.maxAttempts } : {}),
              ...(rp.window !== undefined ? { Window: rp.window * NS } : {}),
            },
          }
        : {}),
      Placement: {
        Constraints: s.placement.constraints,
        Preferences: s.placement.spread.map((d) => ({ Spread: { SpreadDescriptor: d } })),
        ...(s.placement.maxReplicasPerNode !== undefined
          ? { MaxReplicas: s.placement.maxReplicasPerNode }
          : {}),
      },
      Networks: s.networks.map((n) => ({ Target: n.network, Aliases: n.aliases })),
      ...(s.logDriver ? { LogDriver: { Name: s.logDriver.name, Options: s.logDriver.options } } : {}),
    },
    Mode: s.mode.kind === 'global' ? { Global: {} } : { Replicated: { Replicas: s.mode.replicas } },
    UpdateConfig: updateBody(s.updateConfig),
    RollbackConfig: updateBody(s.rollbackConfig),
    EndpointSpec: {
      Mode: s.endpointMode,
      Ports: s.ports.map((p) => ({
        Protocol: p.protocol,
        TargetPort: p.target,
        PublishedPort: p.published,
        PublishMode: p.mode,
      })),
    },
  };
}

function portFrom(p: Json): SwarmPort {
  return {
    target: Number(p.TargetPort),
    published: p.PublishedPort !== undefined ? Number(p.PublishedPort) : undefined,
    protocol: (p.Protocol as SwarmPort['protocol']) ?? 'tcp',
    mode: p.PublishMode === 'host' ? 'host' : 'ingress',
  };
}

/** The tsstack summary of an engine Service object. Pure. */
export function serviceSummary(s: Json): SwarmServiceSummary {
  const spec = (s.Spec ?? {}) as Json;
  const mode = (spec.Mode ?? {}) as Json;
  const task = (spec.TaskTemplate ?? {}) as Json;
  const cs = (task.ContainerSpec ?? {}) as Json;
  const endpoint = (s.Endpoint ?? {}) as Json;
  const update = s.UpdateStatus as Json | undefined;
  return {
    id: String(s.ID),
    name: String(spec.Name ?? ''),
    version: Number((s.Version as Json | undefined)?.Index ?? 0),
    labels: (spec.Labels as Record<string, string>) ?? {},
    image: String(cs.Image ?? ''),
    mode: mode.Global
      ? { kind: 'global' }
      : { kind: 'replicated', replicas: Number((mode.Replicated as Json | undefined)?.Replicas ?? 0) },
    ports: ((endpoint.Ports as Json[] | undefined) ?? []).map(portFrom),
    ...(update?.State ? { updateState: String(update.State) } : {}),
  };
}

function taskFrom(t: Json): SwarmTask {
  const status = (t.Status ?? {}) as Json;
  const cs = (status.ContainerStatus ?? {}) as Json;
  return {
    id: String(t.ID),
    serviceId: String(t.ServiceID ?? ''),
    nodeId: String(t.NodeID ?? ''),
    ...(t.Slot !== undefined ? { slot: Number(t.Slot) } : {}),
    desiredState: String(t.DesiredState ?? ''),
    state: String(status.State ?? ''),
    message: String(status.Message ?? ''),
    ...(status.Err ? { error: String(status.Err) } : {}),
    ...(cs.ContainerID ? { containerId: String(cs.ContainerID) } : {}),
    ...(status.Timestamp ? { updatedAt: String(status.Timestamp) } : {}),
    ...(typeof cs.ExitCode === 'number' ? { exitCode: cs.ExitCode } : {}),
  };
}

/**
 * A service log line asked for with `details`: the engine puts the line's attributes first, as
 * `k=v,k=v ` (URL-encoded, sorted), the swarm's node, service and task IDs among them. Pure.
 */
export function withDetails(text: string): { message: string; task?: string } {
  const space = text.indexOf(' ');
  // No attributes: the engine still writes the separating space.
  if (space === 0) return { message: text.slice(1) };
  const head = space < 0 ? text : text.slice(0, space);
  if (!head.includes('=')) return { message: text };
  const message = space < 0 ? '' : text.slice(space + 1);
  for (const pair of head.split(',')) {
    const eq = pair.indexOf('=');
    if (eq > 0 && decodeURIComponent(pair.slice(0, eq)) === 'com.docker.swarm.task.id')
      return { message, task: decodeURIComponent(pair.slice(eq + 1)) };
  }
  return { message };
}

function objectFrom(o: Json): SwarmObjectSummary {
  const spec = (o.Spec ?? {}) as Json;
  return {
    id: String(o.ID),
    name: String(spec.Name ?? ''),
    labels: (spec.Labels as Record<string, string>) ?? {},
  };
}

export class DockerSwarmRuntime implements SwarmRuntime {
  private readonly auth: RegistryAuth;

  private constructor(
    private readonly docker: Docker,
    readonly endpoint: string,
    env: Record<string, string | undefined>,
  ) {
    this.auth = new RegistryAuth(env);
  }

  /** Connects like DockerRuntime.connect: one version call, then the API version pinned. */
  static async connect(
    ep: EngineEndpoint,
    env: Record<string, string | undefined>,
  ): Promise<DockerSwarmRuntime> {
    let docker: Docker;
    try {
      docker = new DockerClient(modemOptions(ep, env));
    } catch (err) {
      throw new EngineError(`cannot use the container engine at ${ep.url}: ${(err as Error).message}`);
    }
    let version: { ApiVersion?: string };
    try {
      version = (await untyped(
        docker,
        'version',
      )({ abortSignal: AbortSignal.timeout(5000) })) as typeof version;
    } catch (err) {
      throw new EngineError(unreachableMessage(ep, toEngineError(err, 'GET /version').message, env));
    }
    (docker.modem as unknown as { version?: string }).version = `v${negotiateApiVersion(version.ApiVersion)}`;
    return new DockerSwarmRuntime(docker, ep.url, env);
  }

  async swarmState(): Promise<SwarmState> {
    const i = (await engineCall('engine info', () => this.docker.info())) as Json;
    const swarm = (i.Swarm ?? {}) as Json;
    return {
      localNodeState: String(swarm.LocalNodeState ?? 'inactive'),
      ...(swarm.NodeID ? { nodeId: String(swarm.NodeID) } : {}),
      isManager: swarm.ControlAvailable === true,
    };
  }

  async initSwarm(opts: { listenAddr: string; advertiseAddr: string }): Promise<string> {
    const id = await engineCall('initialise a swarm', () =>
      this.docker.swarmInit({ ListenAddr: opts.listenAddr, AdvertiseAddr: opts.advertiseAddr }),
    );
    return String(id);
  }

  async leaveSwarm(force: boolean): Promise<void> {
    await engineCall('leave the swarm', () => this.docker.swarmLeave({ force }));
  }

  async listNodes(): Promise<SwarmNode[]> {
    const nodes = (await engineCall('list swarm nodes', () => this.docker.listNodes())) as Json[];
    return nodes.map((n) => {
      const spec = (n.Spec ?? {}) as Json;
      const status = (n.Status ?? {}) as Json;
      const desc = (n.Description ?? {}) as Json;
      return {
        id: String(n.ID),
        hostname: String(desc.Hostname ?? ''),
        role: spec.Role === 'manager' ? 'manager' : 'worker',
        availability: String(spec.Availability ?? ''),
        state: String(status.State ?? ''),
        ...(status.Addr ? { addr: String(status.Addr) } : {}),
      };
    });
  }

  async listServices(filter: LabelFilter): Promise<SwarmServiceSummary[]> {
    const list = (await engineCall('list swarm services', () =>
      this.docker.listServices({ filters: labelFilters(filter) }),
    )) as unknown as Json[];
    return list.map(serviceSummary);
  }

  async inspectService(idOrName: string): Promise<SwarmServiceSummary | undefined> {
    const s = await engineLookup(
      `inspect service ${idOrName}`,
      () => this.docker.getService(idOrName).inspect() as Promise<Json>,
    );
    return s ? serviceSummary(s) : undefined;
  }

  /**
   * Created and updated with the registry credentials of the Docker config for the service's image, as
   * `docker stack deploy --with-registry-auth` does: the swarm hands them to the nodes that pull it.
   */
  async createService(spec: SwarmServiceSpec): Promise<string> {
    const auth = await this.auth.forImage(spec.image);
    const body = serviceSpecBody(spec);
    const r = (await engineCall(`create service ${spec.name}`, () =>
      auth
        ? (this.docker.createService(auth as never, body as never) as unknown as Promise<unknown>)
        : this.docker.createService(body as never),
    )) as { ID?: string; id?: string };
    return String(r.ID ?? r.id ?? '');
  }

  async updateService(id: string, version: number, spec: SwarmServiceSpec): Promise<void> {
    const auth = await this.auth.forImage(spec.image);
    const body = { ...serviceSpecBody(spec), version };
    await engineCall(`update service ${spec.name}`, () =>
      auth
        ? (this.docker.getService(id).update(auth as never, body as never) as unknown as Promise<unknown>)
        : this.docker.getService(id).update(body as never),
    );
  }

  /**
   * Reads the service's current spec and version, lets `change` edit the spec, and sends it back. The engine
   * refuses a stale version (something else updated the service in between): read and try again.
   */
  private async patchService<T>(id: string, what: string, change: (spec: Json) => T): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const current = await engineCall(`${what}: inspect service ${id}`, () =>
        this.docker.getService(id).inspect(),
      );
      const spec = structuredClone(((current as Json).Spec ?? {}) as Json);
      const version = Number(((current as Json).Version as Json | undefined)?.Index ?? 0);
      const result = change(spec);
      try {
        await engineCall(what, () =>
          this.docker.getService(id).update({ _query: { version }, _body: spec } as never),
        );
        return result;
      } catch (err) {
        if (attempt >= 3 || !/out of sequence/i.test((err as Error).message)) throw err;
      }
    }
  }

  async forceUpdateService(id: string): Promise<void> {
    await this.patchService(id, `force update of service ${id}`, (spec) => {
      const task = (spec.TaskTemplate ??= {}) as Json;
      task.ForceUpdate = Number(task.ForceUpdate ?? 0) + 1;
    });
  }

  async scaleService(id: string, replicas: number, labels?: Record<string, string | null>): Promise<number> {
    return this.patchService(id, `scale service ${id}`, (spec) => {
      const mode = (spec.Mode ?? {}) as Json;
      const replicated = mode.Replicated as Json | undefined;
      if (!replicated)
        throw new EngineError(`service ${String(spec.Name ?? id)} is not replicated: it cannot be scaled`);
      const before = Number(replicated.Replicas ?? 0);
      replicated.Replicas = replicas;
      if (labels) {
        const own = { ...((spec.Labels as Record<string, string> | undefined) ?? {}) };
        for (const [k, v] of Object.entries(labels))
          if (v === null) delete own[k];
          else own[k] = v;
        spec.Labels = own;
      }
      return before;
    });
  }

  async removeService(id: string): Promise<void> {
    await engineLookup(`remove service ${id}`, () => this.docker.getService(id).remove());
  }

  async listTasks(filter: {
    serviceId?: string;
    serviceIds?: string[];
    labels?: LabelFilter;
  }): Promise<SwarmTask[]> {
    const filters: Record<string, string[]> = {};
    const ids = [...(filter.serviceId ? [filter.serviceId] : []), ...(filter.serviceIds ?? [])];
    // Several values of one filter key match any of them.
    if (ids.length > 0) filters.service = ids;
    if (filter.labels) filters.label = labelFilters(filter.labels).label;
    const list = (await engineCall('list swarm tasks', () => this.docker.listTasks({ filters }))) as Json[];
    return list.map(taskFrom);
  }

  async *serviceLogs(
    id: string,
    opts: LogOptions & { details?: boolean },
    signal?: AbortSignal,
  ): AsyncIterable<SwarmLogLine> {
    const what = `read logs of service ${id}`;
    const query = {
      follow: opts.follow,
      stdout: true,
      stderr: true,
      timestamps: opts.timestamps ?? false,
      details: opts.details ?? false,
      tail: opts.tail !== undefined ? String(opts.tail) : 'all',
      ...(opts.since !== undefined ? { since: opts.since } : {}),
      abortSignal: signal,
    };
    let answer: unknown;
    try {
      answer = await untyped(this.docker.getService(id), 'logs')(query);
    } catch (err) {
      if (signal?.aborted) return;
      throw toEngineError(err, what);
    }
    const demux = new LogDemuxer(true);
    const chunks: AsyncIterable<unknown> | unknown[] = Buffer.isBuffer(answer)
      ? [answer]
      : (answer as NodeJS.ReadableStream);
    const line = (stream: 'stdout' | 'stderr', text: string): SwarmLogLine =>
      opts.details ? { stream, ...withDetails(text) } : { stream, message: text };
    try {
      for await (const chunk of chunks)
        for (const l of demux.push(chunk as Buffer)) yield line(l.stream, l.line);
      for (const l of demux.end()) yield line(l.stream, l.line);
    } catch (err) {
      if (signal?.aborted) return;
      throw toEngineError(err, what);
    }
  }

  async listSecrets(filter: LabelFilter): Promise<SwarmObjectSummary[]> {
    const list = (await engineCall('list secrets', () =>
      this.docker.listSecrets({ filters: labelFilters(filter) }),
    )) as unknown as Json[];
    return list.map(objectFrom);
  }

  async createSecret(spec: { name: string; labels: Record<string, string>; data: Buffer }): Promise<string> {
    const r = (await engineCall(`create secret ${spec.name}`, () =>
      this.docker.createSecret({ Name: spec.name, Labels: spec.labels, Data: spec.data.toString('base64') }),
    )) as unknown as { ID?: string; id?: string };
    return String(r.ID ?? r.id ?? '');
  }

  async removeSecret(id: string): Promise<void> {
    await engineLookup(`remove secret ${id}`, () => this.docker.getSecret(id).remove());
  }

  async listConfigs(filter: LabelFilter): Promise<SwarmObjectSummary[]> {
    const list = (await engineCall('list configs', () =>
      this.docker.listConfigs({ filters: labelFilters(filter) }),
    )) as unknown as Json[];
    return list.map(objectFrom);
  }

  async createConfig(spec: { name: string; labels: Record<string, string>; data: Buffer }): Promise<string> {
    const r = (await engineCall(`create config ${spec.name}`, () =>
      this.docker.createConfig({ Name: spec.name, Labels: spec.labels, Data: spec.data.toString('base64') }),
    )) as unknown as { ID?: string; id?: string };
    return String(r.ID ?? r.id ?? '');
  }

  async removeConfig(id: string): Promise<void> {
    await engineLookup(`remove config ${id}`, () => this.docker.getConfig(id).remove());
  }
}
