/**
 * The Runtime interface: the only way tsstack speaks to a container engine.
 * Everything here is in tsstack's own types; no Docker (dockerode) type leaks above this folder.
 * Durations are milliseconds, sizes are bytes, CPU is a count of CPUs (1.5 = one and a half).
 */

export type Labels = Record<string, string>;

/** Match objects by label: a string value must equal, `true` means the label is present. */
export type LabelFilter = Record<string, string | true>;

export type ContainerState = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';
export type HealthState = 'starting' | 'healthy' | 'unhealthy';

export interface PublishedPort {
  target: number;
  protocol: 'tcp' | 'udp' | 'sctp';
  hostIp?: string;
  /** Undefined when the port is exposed but not published. */
  hostPort?: number;
}

export interface ContainerSummary {
  id: string;
  name: string;
  image: string;
  labels: Labels;
  state: ContainerState;
  /** Present when the container has a health check and is running. */
  health?: HealthState;
  /** Exit code of the last run, when exited. */
  exitCode?: number;
  /** ISO time, when known. */
  createdAt?: string;
  startedAt?: string;
  finishedAt?: string;
  restartCount?: number;
  /** The engine's own one-line status when listed ("Up 5 minutes (healthy)", "Exited (0) 2 seconds ago"). */
  status?: string;
  ports: PublishedPort[];
  /** Engine network names the container is attached to. */
  networks: string[];
}

export interface PortBinding {
  target: number;
  protocol: 'tcp' | 'udp' | 'sctp';
  hostIp?: string;
  /** Host port, a range ("8000-8010"), or undefined for an ephemeral port. */
  hostPort?: string;
}

export interface Mount {
  type: 'bind' | 'volume' | 'tmpfs';
  /** Host path (bind) or engine volume name (volume); undefined for anonymous volumes and tmpfs. */
  source?: string;
  target: string;
  readOnly: boolean;
  noCopy?: boolean;
  subpath?: string;
  propagation?: string;
  tmpfsSize?: number;
  tmpfsMode?: number;
}

export interface NetworkAttachment {
  /** Engine network name. */
  network: string;
  aliases: string[];
  ipv4Address?: string;
  ipv6Address?: string;
  macAddress?: string;
}

export interface HealthcheckConfig {
  /** ['NONE'] disables an image's health check; ['CMD', ...] or ['CMD-SHELL', 'cmd']. */
  test: string[];
  interval?: number;
  timeout?: number;
  retries?: number;
  startPeriod?: number;
  startInterval?: number;
}

export interface RestartPolicy {
  name: 'no' | 'always' | 'on-failure' | 'unless-stopped';
  maximumRetryCount?: number;
}

export interface ResourceConfig {
  /** CPUs (1.5 = one and a half); the engine's NanoCpus. */
  cpus?: number;
  cpuShares?: number;
  cpusetCpus?: string;
  memory?: number;
  memoryReservation?: number;
  memorySwap?: number;
  pidsLimit?: number;
  shmSize?: number;
  ulimits?: { name: string; soft: number; hard: number }[];
  oomScoreAdj?: number;
}

/** Everything needed to create one container. Built by the reconciler from a ServiceSpec. */
export interface ContainerCreateSpec {
  name: string;
  image: string;
  labels: Labels;
  command?: string[];
  entrypoint?: string[];
  /** KEY=VALUE pairs. */
  env: string[];
  workingDir?: string;
  user?: string;
  hostname?: string;
  domainname?: string;
  tty?: boolean;
  openStdin?: boolean;
  /** Close the container's stdin when the first attached client ends its input (`run -i`). */
  stdinOnce?: boolean;
  exposedPorts: { target: number; protocol: 'tcp' | 'udp' | 'sctp' }[];
  ports: PortBinding[];
  mounts: Mount[];
  /** `bridge`, `host`, `none`, `container:<id>`, or an engine network name (the primary one). */
  networkMode?: string;
  /** Networks to attach, the first at create time, the rest connected before start. */
  networks: NetworkAttachment[];
  restartPolicy?: RestartPolicy;
  /** The engine removes the container when it exits (`run -d --rm`). */
  autoRemove?: boolean;
  healthcheck?: HealthcheckConfig;
  resources?: ResourceConfig;
  stopSignal?: string;
  /** Seconds the engine waits before killing on stop. */
  stopTimeout?: number;
  init?: boolean;
  privileged?: boolean;
  readOnlyRootfs?: boolean;
  capAdd?: string[];
  capDrop?: string[];
  securityOpt?: string[];
  dns?: string[];
  dnsSearch?: string[];
  dnsOptions?: string[];
  extraHosts?: string[];
  sysctls?: Record<string, string>;
  devices?: string[];
  groupAdd?: string[];
  volumesFrom?: string[];
  pidMode?: string;
  ipcMode?: string;
  usernsMode?: string;
  platform?: string;
  logConfig?: { type: string; config: Record<string, string> };
}

export interface NetworkSummary {
  id: string;
  name: string;
  driver: string;
  labels: Labels;
  internal: boolean;
  attachable: boolean;
  /** Subnets from IPAM config. */
  subnets: string[];
  /** IDs of the containers with an endpoint on it (from an inspect only; lists leave it out). */
  containers?: string[];
}

export interface NetworkCreateSpec {
  name: string;
  driver: string;
  labels: Labels;
  options: Record<string, string>;
  internal: boolean;
  attachable: boolean;
  enableIPv6?: boolean;
  ipam?: {
    driver?: string;
    config: { subnet?: string; ipRange?: string; gateway?: string; auxAddresses?: Record<string, string> }[];
    options?: Record<string, string>;
  };
}

export interface VolumeSummary {
  name: string;
  driver: string;
  labels: Labels;
  mountpoint?: string;
}

export interface VolumeCreateSpec {
  name: string;
  driver: string;
  labels: Labels;
  options: Record<string, string>;
}

export interface ImageSummary {
  id: string;
  tags: string[];
  labels: Labels;
  size: number;
  createdAt?: string;
  /** When the engine last put a tag on this image (tsstack re-tags after a pull); for refresh policies. */
  lastTagTime?: string;
  /** `repo@sha256:...` references the image was pulled or pushed under (RepoDigests). */
  digests?: string[];
}

/** A build secret: its ID in `RUN --mount=type=secret,id=ID`, read from a file or an environment variable. */
export interface BuildSecret {
  id: string;
  file?: string;
  env?: string;
}

export interface BuildRequest {
  /** Absolute path of the build context folder. */
  context: string;
  dockerfile?: string;
  /** Dockerfile content given inline instead of a file. */
  dockerfileInline?: string;
  tags: string[];
  args: Record<string, string>;
  target?: string;
  labels: Labels;
  noCache?: boolean;
  pull?: boolean;
  network?: string;
  extraHosts?: string[];
  shmSize?: number;
  // BuildKit only (the classic builder refuses a request that sets one of these):
  secrets?: BuildSecret[];
  /** `default` or `ID=PATH[,PATH]`. */
  ssh?: string[];
  /** Name → absolute folder, URL, or `docker-image://REF`. */
  additionalContexts?: Record<string, string>;
  cacheFrom?: string[];
  cacheTo?: string[];
  /** `os/arch[/variant]`; one, as the engine's own builder builds for one platform at a time. */
  platforms?: string[];
  /** `network.host`, `security.insecure`. */
  entitlements?: string[];
  ulimits?: Record<string, { soft: number; hard: number }>;
  /** Memory limit of the build's containers (`build -m`), bytes. */
  memory?: number;
}

/** One build of a batch: the image ID, or what went wrong in the builder's words. */
export type BuildOutcome = { id: string } | { error: string };

/** Progress of a build, pull or push, one line or layer update at a time. */
export interface ProgressEvent {
  /** A layer or step id, when the engine gives one. */
  id?: string;
  message: string;
  current?: number;
  total?: number;
  /** A counter that replaces the previous one (bytes moved): shown live, not written as a line of its own. */
  transient?: boolean;
}

export type EngineEventType = 'container' | 'network' | 'volume' | 'image';

export interface EngineEvent {
  type: EngineEventType;
  /** Engine action: create, start, die, health_status: healthy, destroy, ... */
  action: string;
  id: string;
  /** Object attributes, including labels; `exitCode` on die, `name` on containers. */
  attributes: Record<string, string>;
  /** Unix time in milliseconds. */
  time: number;
}

export interface LogOptions {
  follow: boolean;
  /** Number of lines from the end, or undefined for all. */
  tail?: number;
  /** Unix seconds. */
  since?: number;
  until?: number;
  timestamps?: boolean;
}

export interface LogLine {
  stream: 'stdout' | 'stderr';
  /** One line without its trailing newline. */
  message: string;
  /** ISO time when `timestamps` was asked for. */
  time?: string;
}

export interface ExecRequest {
  cmd: string[];
  env?: string[];
  workingDir?: string;
  user?: string;
  privileged?: boolean;
  tty: boolean;
  /** Attach stdin (interactive). */
  stdin: boolean;
  /** The key sequence that detaches from a TTY session (`ctrl-p,ctrl-q` form); the engine's default when absent. */
  detachKeys?: string;
}

/**
 * A hijacked connection to a process's standard streams (an exec, or a container's main process). With a
 * TTY the engine sends one raw stream, given here as `stdout` (`stderr` stays empty).
 */
export interface StreamSession {
  tty: boolean;
  stdout: NodeJS.ReadableStream;
  stderr: NodeJS.ReadableStream;
  /** Present when stdin is attached. Ending it closes the process's stdin when it has no TTY. */
  stdin?: NodeJS.WritableStream;
  resize(rows: number, cols: number): Promise<void>;
  /** Resolves once the engine has closed the connection (the process ended, or the session was closed). */
  closed: Promise<void>;
  /** Drops the connection, leaving the process running (a detach). */
  close(): void;
}

/** A running exec: its streams, and a promise of its exit code (rejected when the session was closed). */
export interface ExecSession extends StreamSession {
  exitCode: Promise<number>;
}

export interface AttachRequest {
  /** Attach stdin, when the container keeps it open (`stdin_open`); the session has no `stdin` otherwise. */
  stdin: boolean;
  /** As in ExecRequest. */
  detachKeys?: string;
}

export interface ContainerStats {
  /** Percent of one CPU times CPUs, as `docker stats` prints it. */
  cpuPercent: number;
  memoryUsage: number;
  memoryLimit: number;
  time: number;
  /** Bytes received and sent on every network interface (absent when the engine gave no network stats). */
  netRx?: number;
  netTx?: number;
  /** Bytes read from and written to block devices. */
  blockRead?: number;
  blockWrite?: number;
  /** Processes and threads in the container. */
  pids?: number;
}

/** What the engine says of a path inside a container (from the archive API's stat header). */
export interface PathStat {
  name: string;
  size: number;
  /** Go's os.FileMode bits: the permission bits, plus 1<<31 for a folder and 1<<27 for a symlink. */
  mode: number;
  /** Where a symbolic link points (empty when the path is not one). */
  linkTarget: string;
}

/** A path of a container as a tar stream (its top entry is the path's base name), with its stat. */
export interface ArchiveRead {
  stat: PathStat;
  tar: NodeJS.ReadableStream;
}

export interface PutArchiveOptions {
  /** Keep the archive's uid/gid (`cp -a`); otherwise files belong to the container's root user. */
  copyUidGid?: boolean;
  /** Fail rather than replace a folder with a file or a file with a folder (`docker cp` does). */
  noOverwriteDirNonDir?: boolean;
}

/** `docker top`: the column titles and one row per process. */
export interface ProcessList {
  titles: string[];
  processes: string[][];
}

export interface EngineInfo {
  name: string;
  version: string;
  apiVersion: string;
  os: string;
  arch: string;
  cpus: number;
  memory: number;
  /** 'docker' or 'podman'. */
  flavor: 'docker' | 'podman';
  swarm?: { nodeId: string; state: string; isManager: boolean };
}

export interface RemoveOptions {
  force?: boolean;
  /** Also remove anonymous volumes. */
  volumes?: boolean;
}

/** The engine as tsstack sees it. Every method may throw EngineError with the engine's own words. */
export interface Runtime {
  /** Where this runtime connects (for messages): `unix:///var/run/docker.sock`, `tcp://...`. */
  readonly endpoint: string;

  ping(signal?: AbortSignal): Promise<void>;
  info(): Promise<EngineInfo>;

  listContainers(filter: LabelFilter, opts?: { all?: boolean }): Promise<ContainerSummary[]>;
  /** Undefined when no such container exists. */
  inspectContainer(idOrName: string): Promise<ContainerSummary | undefined>;
  createContainer(spec: ContainerCreateSpec): Promise<string>;
  startContainer(id: string): Promise<void>;
  /** Sends the stop signal, waits up to `timeoutSeconds`, then kills. */
  stopContainer(id: string, timeoutSeconds?: number): Promise<void>;
  killContainer(id: string, signal?: string): Promise<void>;
  pauseContainer(id: string): Promise<void>;
  unpauseContainer(id: string): Promise<void>;
  /** The processes running in a container (`ps` inside its namespace, run by the engine). */
  topContainer(id: string, psArgs?: string): Promise<ProcessList>;
  restartContainer(id: string, timeoutSeconds?: number): Promise<void>;
  removeContainer(id: string, opts?: RemoveOptions): Promise<void>;
  renameContainer(id: string, name: string): Promise<void>;
  /** Resolves with the exit code once the container is not running. */
  waitContainer(id: string, signal?: AbortSignal): Promise<number>;
  connectNetwork(containerId: string, attachment: NetworkAttachment): Promise<void>;
  disconnectNetwork(containerId: string, network: string): Promise<void>;

  listNetworks(filter: LabelFilter): Promise<NetworkSummary[]>;
  inspectNetwork(name: string): Promise<NetworkSummary | undefined>;
  createNetwork(spec: NetworkCreateSpec): Promise<string>;
  removeNetwork(idOrName: string): Promise<void>;

  listVolumes(filter: LabelFilter): Promise<VolumeSummary[]>;
  inspectVolume(name: string): Promise<VolumeSummary | undefined>;
  createVolume(spec: VolumeCreateSpec): Promise<void>;
  removeVolume(name: string, force?: boolean): Promise<void>;

  listImages(filter: LabelFilter): Promise<ImageSummary[]>;
  inspectImage(ref: string): Promise<ImageSummary | undefined>;
  buildImage(
    req: BuildRequest,
    onProgress?: (p: ProgressEvent) => void,
    signal?: AbortSignal,
  ): Promise<string>;
  /**
   * Several builds at once, in one BuildKit session where the builder allows it; each request's outcome
   * in order (a failure does not reject the whole batch).
   */
  buildImages(
    reqs: BuildRequest[],
    onProgress?: (index: number, p: ProgressEvent) => void,
    signal?: AbortSignal,
  ): Promise<BuildOutcome[]>;
  /** Pulls with the registry credentials the Docker CLI would use; stamps the image's last tag time. */
  pullImage(ref: string, onProgress?: (p: ProgressEvent) => void, signal?: AbortSignal): Promise<void>;
  /** Pushes a local image to its registry, with the Docker CLI's credentials for it. */
  pushImage(ref: string, onProgress?: (p: ProgressEvent) => void, signal?: AbortSignal): Promise<void>;
  removeImage(ref: string, force?: boolean): Promise<void>;

  /**
   * Engine events from now on, filtered by label; ends when `signal` aborts or the connection drops.
   * `onSubscribed` is called once the engine has taken the subscription (its answer's headers arrived):
   * from then on no event is missed.
   */
  events(filter: LabelFilter, signal: AbortSignal, onSubscribed?: () => void): AsyncIterable<EngineEvent>;
  logs(id: string, opts: LogOptions, signal?: AbortSignal): AsyncIterable<LogLine>;
  exec(id: string, req: ExecRequest): Promise<ExecSession>;
  /** Starts a command in the container and returns at once, without its streams or exit code (`exec -d`). */
  execDetached(id: string, req: ExecRequest): Promise<void>;
  /**
   * Connects to the standard streams of a container's main process, from now on (no earlier output). Attach
   * before starting a container to see all of its output.
   */
  attachContainer(id: string, req: AttachRequest): Promise<StreamSession>;
  stats(id: string, signal: AbortSignal): AsyncIterable<ContainerStats>;
  /** One sample with its CPU delta filled in (the engine takes two readings about a second apart). */
  statsOnce(id: string, signal?: AbortSignal): Promise<ContainerStats>;
  /** Extracts a tar archive into the folder `path` inside the container (watch sync, `cp`). */
  putArchive(
    id: string,
    path: string,
    tar: NodeJS.ReadableStream | Buffer,
    opts?: PutArchiveOptions,
  ): Promise<void>;
  /** A path inside a container as a tar stream; EngineError with status 404 when it does not exist. */
  getArchive(id: string, path: string, signal?: AbortSignal): Promise<ArchiveRead>;
  /** The stat of a path inside a container, or undefined when it does not exist. */
  statPath(id: string, path: string): Promise<PathStat | undefined>;
}

// ---- Docker Swarm (tsstack up --target swarm): a separate interface, in tsstack's own types. ----

export interface SwarmPort {
  target: number;
  /** Undefined lets the swarm pick a port (30000+). */
  published?: number;
  protocol: 'tcp' | 'udp' | 'sctp';
  /** ingress: the routing mesh on every node; host: only on the nodes running a task. */
  mode: 'ingress' | 'host';
}

export interface SwarmFileRef {
  /** Engine object ID and name (both are needed by the API). */
  id: string;
  name: string;
  target: string;
  uid: string;
  gid: string;
  mode: number;
}

export interface SwarmUpdateConfig {
  parallelism: number;
  /** Milliseconds. */
  delay: number;
  order: 'stop-first' | 'start-first';
  failureAction: 'pause' | 'continue' | 'rollback';
  monitor?: number;
  maxFailureRatio?: number;
}

/** Everything needed to create or update one Swarm service. Built by src/swarm/desired.ts. */
export interface SwarmServiceSpec {
  name: string;
  labels: Labels;
  image: string;
  containerLabels: Labels;
  command?: string[];
  args?: string[];
  /** KEY=VALUE pairs. */
  env: string[];
  workingDir?: string;
  user?: string;
  hostname?: string;
  tty?: boolean;
  openStdin?: boolean;
  readOnly?: boolean;
  init?: boolean;
  stopSignal?: string;
  stopGracePeriod?: number;
  capAdd?: string[];
  capDrop?: string[];
  dns?: string[];
  dnsSearch?: string[];
  dnsOptions?: string[];
  extraHosts?: string[];
  sysctls?: Record<string, string>;
  /** Volume mounts carry the labels the engine puts on a volume it creates for the task. */
  mounts: (Mount & { volumeLabels?: Labels })[];
  healthcheck?: HealthcheckConfig;
  secrets: SwarmFileRef[];
  configs: SwarmFileRef[];
  resources: {
    limits: { cpus?: number; memory?: number; pids?: number };
    reservations: { cpus?: number; memory?: number };
  };
  restartPolicy?: {
    condition: 'none' | 'on-failure' | 'any';
    delay?: number;
    maxAttempts?: number;
    window?: number;
  };
  placement: { constraints: string[]; spread: string[]; maxReplicasPerNode?: number };
  /** Engine network names (overlay) with the service's aliases on each. */
  networks: { network: string; aliases: string[] }[];
  mode: { kind: 'replicated'; replicas: number } | { kind: 'global' };
  updateConfig?: SwarmUpdateConfig;
  rollbackConfig?: SwarmUpdateConfig;
  endpointMode: 'vip' | 'dnsrr';
  ports: SwarmPort[];
  logDriver?: { name: string; options: Record<string, string> };
}

export interface SwarmServiceSummary {
  id: string;
  name: string;
  /** The object version an update must name. */
  version: number;
  labels: Labels;
  image: string;
  mode: { kind: 'replicated'; replicas: number } | { kind: 'global' };
  /** Published ports as the swarm assigned them. */
  ports: SwarmPort[];
  /** updating, paused, completed, rollback_started, ... when an update has run. */
  updateState?: string;
}

export interface SwarmTask {
  id: string;
  serviceId: string;
  nodeId: string;
  slot?: number;
  desiredState: string;
  /** new, pending, assigned, preparing, starting, running, complete, failed, shutdown, rejected, ... */
  state: string;
  message: string;
  error?: string;
  containerId?: string;
  /** ISO time of the last state change. */
  updatedAt?: string;
  /** The container's exit code, once it has exited. */
  exitCode?: number;
}

/** A service log line; with `details`, the task that wrote it (from the engine's log attributes). */
export interface SwarmLogLine extends LogLine {
  task?: string;
}

/** A secret or config object (its content is never read back). */
export interface SwarmObjectSummary {
  id: string;
  name: string;
  labels: Labels;
}

export interface SwarmNode {
  id: string;
  hostname: string;
  role: 'manager' | 'worker';
  availability: string;
  state: string;
  addr?: string;
}

export interface SwarmState {
  /** inactive, pending, active, error, locked */
  localNodeState: string;
  nodeId?: string;
  isManager: boolean;
}

export interface SwarmRuntime {
  readonly endpoint: string;
  swarmState(): Promise<SwarmState>;
  initSwarm(opts: { listenAddr: string; advertiseAddr: string }): Promise<string>;
  leaveSwarm(force: boolean): Promise<void>;
  listNodes(): Promise<SwarmNode[]>;

  listServices(filter: LabelFilter): Promise<SwarmServiceSummary[]>;
  inspectService(idOrName: string): Promise<SwarmServiceSummary | undefined>;
  createService(spec: SwarmServiceSpec): Promise<string>;
  /** Replaces the service's spec; `version` is the one last observed (the engine refuses a stale one). */
  updateService(id: string, version: number, spec: SwarmServiceSpec): Promise<void>;
  removeService(id: string): Promise<void>;
  /**
   * `docker service update --force`: the service's current spec with `TaskTemplate.ForceUpdate` incremented,
   * so the swarm replaces every task (following the service's update config).
   */
  forceUpdateService(id: string): Promise<void>;
  /**
   * `docker service scale`: a replicated service's current spec with `replicas` (throws for a global one).
   * `labels` are set in the same update (`null` removes one). Resolves with the replica count it had.
   */
  scaleService(id: string, replicas: number, labels?: Record<string, string | null>): Promise<number>;
  /** Tasks of one service, of several (`serviceIds`: one call), or by labels. */
  listTasks(filter: {
    serviceId?: string;
    serviceIds?: string[];
    labels?: LabelFilter;
  }): Promise<SwarmTask[]>;
  serviceLogs(
    id: string,
    opts: LogOptions & { details?: boolean },
    signal?: AbortSignal,
  ): AsyncIterable<SwarmLogLine>;

  listSecrets(filter: LabelFilter): Promise<SwarmObjectSummary[]>;
  createSecret(spec: { name: string; labels: Labels; data: Buffer }): Promise<string>;
  removeSecret(id: string): Promise<void>;
  listConfigs(filter: LabelFilter): Promise<SwarmObjectSummary[]>;
  createConfig(spec: { name: string; labels: Labels; data: Buffer }): Promise<string>;
  removeConfig(id: string): Promise<void>;
}
