/**
 * The normalized stack: every short syntax of the Compose format expanded to one long form.
 * Keys keep Compose's snake_case names so `tsstack config` prints a document Compose users recognize.
 * Durations are milliseconds, byte sizes are bytes; the printer turns them back into Compose strings.
 */

/** Where a value came from, for errors users can act on. */
export interface SourceLocation {
  file: string;
  line: number;
  col: number;
}

/** A step in a path into the document: a mapping key or a sequence index. */
export type PathSegment = string | number;

/** Records a problem at `path`, located at the value there, at its key, or at an explicit location. */
export type Report = (path: PathSegment[], message: string, at?: 'key' | 'value' | SourceLocation) => void;

export interface Stack {
  /** Project name, normalized as Compose does (lowercase, [a-z0-9_-], starts with a letter or digit). */
  name: string;
  /** Absolute folder that relative paths resolve against. */
  projectDir: string;
  /** Absolute paths of the files loaded, in merge order ('-' for stdin). */
  files: string[];
  /** Enabled profiles. */
  profiles: string[];
  /** Active services only (profiles applied), keyed by service name. */
  services: Record<string, ServiceSpec>;
  /**
   * Active host processes (`x-tsstack.processes`, profiles applied), keyed by name. Names are unique across
   * services and processes, so a dependency names either.
   */
  processes: Record<string, ProcessSpec>;
  networks: Record<string, NetworkSpec>;
  volumes: Record<string, VolumeSpec>;
  secrets: Record<string, SecretSpec>;
  configs: Record<string, ConfigSpec>;
  /** Top-level `x-*` extensions, including `x-tsstack`. */
  extensions: Record<string, unknown>;
  /** Between project, service and replica in container names: `-`, or `_` with `--compatibility` (Compose v1). */
  nameSeparator?: '-' | '_';
}

export type PullPolicy =
  | 'always'
  | 'never'
  | 'missing'
  | 'build'
  | 'if_not_present'
  | 'refresh'
  | 'daily'
  | 'weekly'
  | `every_${string}`;

export interface BuildSpec {
  /** Absolute path (or a URL for remote contexts). */
  context: string;
  dockerfile?: string;
  dockerfile_inline?: string;
  args: Record<string, string | null>;
  target?: string;
  labels: Record<string, string>;
  cache_from?: string[];
  network?: string;
  shm_size?: number;
  extra_hosts?: string[];
  pull?: boolean;
  no_cache?: boolean;
  platforms?: string[];
  tags?: string[];
  /** BuildKit only (below): secrets from top-level `secrets`, their build ID is `target`'s last part. */
  secrets?: FileReference[];
  /** `default` or `ID=PATH[,PATH]` (an agent socket or keys), as `docker buildx build --ssh` takes them. */
  ssh?: string[];
  /** Name → absolute folder, URL, `docker-image://REF` or `service:NAME` (another service's image). */
  additional_contexts?: Record<string, string>;
  cache_to?: string[];
  entitlements?: string[];
  privileged?: boolean;
  ulimits?: Record<string, UlimitSpec>;
}

export type DependencyCondition = 'service_started' | 'service_healthy' | 'service_completed_successfully';

export interface DependsOn {
  condition: DependencyCondition;
  /** `required: false` means a missing or failing dependency only warns. */
  required: boolean;
  /** Restart this service when the dependency is recreated or restarted. */
  restart: boolean;
}

export interface PortSpec {
  target: number;
  /** Host port or range ("8080", "8000-8010"); undefined means an ephemeral port. */
  published?: string;
  host_ip?: string;
  protocol: 'tcp' | 'udp' | 'sctp';
  mode?: 'ingress' | 'host';
  name?: string;
  app_protocol?: string;
}

export interface ServiceVolume {
  type: 'bind' | 'volume' | 'tmpfs' | 'npipe' | 'cluster' | 'image';
  /** Absolute host path for binds, volume name (unprefixed, as declared) for volumes, undefined for anonymous/tmpfs. */
  source?: string;
  target: string;
  read_only: boolean;
  bind?: { create_host_path: boolean; propagation?: string; selinux?: 'z' | 'Z' };
  volume?: { nocopy: boolean; subpath?: string };
  tmpfs?: { size?: number; mode?: number };
  consistency?: string;
}

export interface HealthcheckSpec {
  /** ['NONE'] when disabled; else ['CMD', ...] or ['CMD-SHELL', 'string']. */
  test: string[];
  interval?: number;
  timeout?: number;
  retries?: number;
  start_period?: number;
  start_interval?: number;
  disable: boolean;
}

export interface ServiceNetworkAttachment {
  aliases: string[];
  ipv4_address?: string;
  ipv6_address?: string;
  priority?: number;
  mac_address?: string;
}

export interface ResourceSpec {
  cpus?: number;
  memory?: number;
  pids?: number;
}

export interface UpdateConfig {
  parallelism: number;
  delay: number;
  order: 'stop-first' | 'start-first';
  failure_action: 'rollback' | 'pause' | 'continue';
  monitor?: number;
  max_failure_ratio?: number;
}

export interface DeploySpec {
  mode?: 'replicated' | 'global';
  replicas?: number;
  labels: Record<string, string>;
  resources: { limits: ResourceSpec; reservations: ResourceSpec & { devices?: unknown[] } };
  restart_policy?: {
    condition?: 'none' | 'on-failure' | 'any';
    delay?: number;
    max_attempts?: number;
    window?: number;
  };
  update_config?: UpdateConfig;
  rollback_config?: UpdateConfig;
  placement?: { constraints: string[]; preferences: { spread: string }[]; max_replicas_per_node?: number };
  endpoint_mode?: 'vip' | 'dnsrr';
}

export interface WatchRule {
  action: 'sync' | 'rebuild' | 'restart' | 'sync+restart' | 'sync+exec';
  /** Absolute host path. */
  path: string;
  target?: string;
  ignore: string[];
  include?: string[];
  initial_sync?: boolean;
  exec?: {
    command: string[];
    user?: string;
    privileged?: boolean;
    working_dir?: string;
    environment?: Record<string, string>;
  };
}

export interface FileReference {
  /** Secret or config name as declared at top level. */
  source: string;
  target: string;
  uid?: string;
  gid?: string;
  mode?: number;
}

export interface UlimitSpec {
  soft: number;
  hard: number;
}

export interface ServiceSpec {
  name: string;
  image?: string;
  build?: BuildSpec;
  /** `every_<duration>` (and `daily`, `weekly`, `refresh`) pull again once the local image is that old. */
  pull_policy?: PullPolicy;
  command?: string[] | null;
  entrypoint?: string[] | null;
  environment: Record<string, string | null>;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  ports: PortSpec[];
  expose: string[];
  volumes: ServiceVolume[];
  volumes_from: string[];
  tmpfs: string[];
  networks: Record<string, ServiceNetworkAttachment>;
  network_mode?: string;
  depends_on: Record<string, DependsOn>;
  links: string[];
  external_links: string[];
  healthcheck?: HealthcheckSpec;
  restart?: 'no' | 'always' | 'on-failure' | 'unless-stopped' | `on-failure:${number}`;
  deploy?: DeploySpec;
  /** Desired replica count after `scale`, `deploy.replicas` and CLI overrides (default 1). */
  replicas: number;
  profiles: string[];
  container_name?: string;
  hostname?: string;
  domainname?: string;
  user?: string;
  working_dir?: string;
  stdin_open?: boolean;
  tty?: boolean;
  init?: boolean;
  privileged?: boolean;
  read_only?: boolean;
  stop_signal?: string;
  stop_grace_period?: number;
  cap_add: string[];
  cap_drop: string[];
  security_opt: string[];
  dns: string[];
  dns_search: string[];
  dns_opt: string[];
  extra_hosts: string[];
  sysctls: Record<string, string>;
  ulimits: Record<string, UlimitSpec>;
  devices: string[];
  group_add: string[];
  shm_size?: number;
  mem_limit?: number;
  mem_reservation?: number;
  memswap_limit?: number;
  cpus?: number;
  cpu_shares?: number;
  cpuset?: string;
  pids_limit?: number;
  oom_score_adj?: number;
  pid?: string;
  ipc?: string;
  userns_mode?: string;
  platform?: string;
  logging?: { driver?: string; options: Record<string, string> };
  secrets: FileReference[];
  configs: FileReference[];
  develop?: { watch: WatchRule[] };
  /** `x-tsstack.depends_on`: host processes this service waits for (the file stays valid for Compose). */
  process_depends_on: Record<string, DependsOn>;
  /** Keys tsstack accepts but does not act on (yet) are kept here and reported as warnings. */
  extensions: Record<string, unknown>;
}

/** How tsstack looks at a host process's health: a command on the host, an HTTP GET, or a TCP connect. */
export type ProcessProbe =
  | { kind: 'command'; command: string[] }
  | { kind: 'http'; url: string }
  | { kind: 'tcp'; host: string; port: number };

export interface ProcessHealthcheck {
  /** Undefined when disabled. */
  probe?: ProcessProbe;
  interval?: number;
  timeout?: number;
  retries?: number;
  start_period?: number;
  start_interval?: number;
  disable: boolean;
}

/** A port a host process will listen on: checked free before it starts, shown in `ps` and the UI. */
export interface ProcessPort {
  port: number;
  host_ip?: string;
}

/** One entry of `x-tsstack.processes`: a program run on the host, supervised like a container. */
export interface ProcessSpec {
  name: string;
  /** The argv run without a shell; a string command is `['/bin/sh', '-c', string]`. */
  command: string[];
  /** Absolute folder the command runs in (default: the project folder). */
  working_dir: string;
  environment: Record<string, string | null>;
  /** Services or other processes, with the same conditions as services. */
  depends_on: Record<string, DependsOn>;
  healthcheck?: ProcessHealthcheck;
  restart: 'no' | 'always' | 'on-failure' | 'unless-stopped' | `on-failure:${number}`;
  /** Signal name sent to the process group on stop (default SIGTERM). */
  stop_signal: string;
  /** Milliseconds between the stop signal and SIGKILL (default 10 s). */
  stop_grace_period: number;
  ports: ProcessPort[];
  replicas: number;
  profiles: string[];
  /** `develop.watch` rules; their actions are `restart` and `rebuild`. */
  develop?: { watch: WatchRule[] };
  /** The command `rebuild` runs before restarting (argv; a string runs through `/bin/sh -c`). */
  build?: string[];
  extensions: Record<string, unknown>;
}

export interface IpamConfig {
  subnet?: string;
  ip_range?: string;
  gateway?: string;
  aux_addresses?: Record<string, string>;
}

export interface NetworkSpec {
  /** Engine name: `<project>_<key>` unless `name:` or external. */
  name: string;
  driver?: string;
  driver_opts: Record<string, string>;
  ipam?: { driver?: string; config: IpamConfig[]; options?: Record<string, string> };
  external: boolean;
  internal: boolean;
  attachable: boolean;
  enable_ipv6?: boolean;
  labels: Record<string, string>;
}

export interface VolumeSpec {
  /** Engine name: `<project>_<key>` unless `name:` or external. */
  name: string;
  driver?: string;
  driver_opts: Record<string, string>;
  external: boolean;
  labels: Record<string, string>;
  /** The volume's `x-*` keys, e.g. `x-tsstack: { size: 10Gi, storage_class: fast }` for `tsstack export kubernetes`. */
  extensions?: Record<string, unknown>;
}

export interface SecretSpec {
  name: string;
  /** Absolute path. */
  file?: string;
  environment?: string;
  content?: string;
  external: boolean;
  labels: Record<string, string>;
}

export type ConfigSpec = SecretSpec;

/** A problem that does not stop loading, shown to the user (for example a key tsstack does not implement yet). */
export interface SpecWarning {
  location?: SourceLocation;
  path: string;
  message: string;
}

/**
 * Where a stack will run, which decides the checks that only hold on one of them: `local` is one Docker
 * Engine (one container per replica, host ports bound on this machine), `swarm` is `--target swarm`
 * (services whose published ports Swarm's routing mesh serves for any number of replicas).
 */
export type Target = 'local' | 'swarm';
