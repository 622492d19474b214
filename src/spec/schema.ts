/**
 * tsstack's JSON Schema (draft-07) of the Compose file format, applied after interpolation and merging.
 *
 * Choices that shape the error messages users see:
 * - Values Compose accepts as "string or number/boolean" use a union `type` plus a `pattern` that only applies
 *   to strings, so `replicas: "3"` passes (interpolation produces strings) and `replicas: three` fails once.
 * - Short and long syntaxes (`ports`, `volumes`, `depends_on`, ...) are one schema with a union `type` rather
 *   than `oneOf` branches: ajv then reports one precise error instead of a cascade per branch.
 * - Every mapping Compose defines is closed (`additionalProperties: false`) except for `x-*` keys, so a
 *   misspelled key is an error with a suggestion.
 * - Value-level checks that need context (port mappings, volume strings, durations' range, references) belong
 *   to normalize and check, not here.
 */

/** Names of services, networks, volumes, secrets, configs and models. */
export const NAME_PATTERN = '^[a-zA-Z0-9._-]+$';
/** Strings Compose casts to booleans (Go's strconv.ParseBool, plus YAML 1.1 words). */
export const BOOL_STRING =
  '^(1|0|t|f|T|F|true|false|True|False|TRUE|FALSE|yes|no|Yes|No|YES|NO|on|off|On|Off|ON|OFF)$';
/** Strings Compose casts to integers. */
export const INT_STRING = '^[+-]?[0-9]+$';
/** Strings Compose casts to numbers. */
export const NUMBER_STRING = '^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)$';
/** Go durations (`1m30s`, `500ms`, `1.5h`); a bare `0` is allowed as Compose does. */
export const DURATION_STRING = '^[+-]?(0|([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+)$';
/** Byte sizes as Docker reads them (`512m`, `1.5g`, `2GB`, `1024`). */
export const BYTES_STRING = '^[0-9]+(\\.[0-9]+)? ?([kKmMgGtTpP][iI]?[bB]?|[bB])?$';

/** `memswap_limit` also takes -1 (unlimited swap). */
export const SWAP_STRING = `${BYTES_STRING}|^-1$`;
export const RESTART_STRING = '^(no|always|unless-stopped|on-failure(:[0-9]+)?)$';
/** A port a host process listens on: `3000` or `127.0.0.1:3000`. */
export const PROCESS_PORT_STRING = '^(([0-9.]+|\\[[0-9a-fA-F:]+\\]|localhost):)?[0-9]+$';
/** A TCP probe's target: `3000` or `host:3000`. */
export const TCP_PROBE_STRING = '^([^:/\\s]+:)?[0-9]+$';
export const PULL_POLICY_STRING =
  '^(always|never|build|if_not_present|missing|refresh|daily|weekly|every_([0-9]+[wdhms])+)$';

/** Human wording of the patterns above, for error messages. */
export const PATTERN_DESCRIPTIONS: Record<string, string> = {
  [NAME_PATTERN]: 'a name made of letters, digits, ".", "_" and "-"',
  [BOOL_STRING]: 'a boolean (true or false)',
  [INT_STRING]: 'an integer',
  [NUMBER_STRING]: 'a number',
  [DURATION_STRING]: 'a duration like 30s, 1m30s or 500ms',
  [BYTES_STRING]: 'a byte size like 512m, 1g or 1024',
  [SWAP_STRING]: 'a byte size like 1g, or -1 for unlimited swap',
  [RESTART_STRING]: 'one of: no, always, unless-stopped, on-failure, on-failure:<max retries>',
  [PULL_POLICY_STRING]:
    'one of: always, never, missing, build, if_not_present, daily, weekly, every_<duration>',
  [PROCESS_PORT_STRING]: 'a port (3000) or an address and port (127.0.0.1:3000)',
  [TCP_PROBE_STRING]: 'a port (3000) or a host and port (localhost:3000)',
  '^all$': '"all" or a list of GPU requests',
  '^([+-]?[0-9]+|all)$': 'an integer or "all"',
};

/** The words of the enumeration-like patterns, for "did you mean". */
export const PATTERN_CHOICES: Record<string, readonly string[]> = {
  [RESTART_STRING]: ['no', 'always', 'unless-stopped', 'on-failure'],
  [PULL_POLICY_STRING]: ['always', 'never', 'missing', 'build', 'if_not_present', 'daily', 'weekly'],
};

const X = { '^x-': {} } as const;
/**
 * A pointer into `definitions`. Shared pieces are referenced rather than repeated so the generated validator
 * has one function per piece (compiled once by V8) instead of one huge function with every copy inlined.
 */
function ref<N extends string>(name: N) {
  return { $ref: `#/definitions/${name}` } as const;
}
const str = { type: 'string' } as const;
const bool = { type: ['boolean', 'string'], pattern: BOOL_STRING } as const;
const int = { type: ['integer', 'string'], pattern: INT_STRING } as const;
const num = { type: ['number', 'string'], pattern: NUMBER_STRING } as const;
const duration = { type: 'string', pattern: DURATION_STRING } as const;
const bytes = { type: ['integer', 'string'], pattern: BYTES_STRING } as const;
const scalar = { type: ['string', 'number', 'boolean', 'null'] } as const;
const listOfStrings = { type: 'array', items: str, uniqueItems: true } as const;
const stringOrList = { type: ['string', 'array'], items: str, uniqueItems: true } as const;
/** `KEY=value` list or mapping (environment, labels, args, sysctls, ...). */
const listOrDict = {
  type: ['object', 'array'],
  patternProperties: { '.+': scalar },
  additionalProperties: false,
  items: str,
  uniqueItems: true,
} as const;
const stringMap = { type: 'object', patternProperties: { '.+': { type: ['string', 'number'] } } } as const;
/** Shell string, exec list, or null (reset to the image's default). */
const command = { type: ['null', 'string', 'array'], items: str } as const;

/** A closed mapping: only the listed keys and `x-*` extensions. */
function closed<P extends Record<string, unknown>>(properties: P, required?: readonly string[]) {
  return {
    type: 'object',
    properties,
    patternProperties: X,
    additionalProperties: false,
    ...(required ? { required } : {}),
  } as const;
}

const extraHosts = {
  type: ['object', 'array'],
  patternProperties: { '.+': { type: ['string', 'array'], items: str } },
  additionalProperties: false,
  items: str,
  uniqueItems: true,
} as const;

const ulimits = {
  type: 'object',
  patternProperties: {
    '^[a-z]+$': {
      type: ['integer', 'string', 'object'],
      pattern: INT_STRING,
      properties: { soft: int, hard: int },
      patternProperties: X,
      additionalProperties: false,
      required: ['soft', 'hard'],
    },
  },
  additionalProperties: false,
} as const;

/** `secrets:` / `configs:` entries of a service, and build secrets. */
const fileReferences = {
  type: 'array',
  items: {
    type: ['string', 'object'],
    properties: { source: str, target: str, uid: str, gid: str, mode: { type: ['number', 'string'] } },
    patternProperties: X,
    additionalProperties: false,
    required: ['source'],
  },
} as const;

/** `post_start`, `pre_stop` and `develop.watch[].exec`. */
const serviceHook = closed(
  {
    command: ref('command'),
    user: str,
    privileged: bool,
    working_dir: str,
    environment: ref('list_or_dict'),
  },
  ['command'],
);

const deviceRequest = closed({
  capabilities: ref('list_of_strings'),
  count: { type: ['integer', 'string'], pattern: '^([+-]?[0-9]+|all)$' },
  device_ids: ref('list_of_strings'),
  driver: str,
  options: ref('list_or_dict'),
});

const updateConfig = closed({
  parallelism: int,
  delay: duration,
  failure_action: { type: 'string', enum: ['continue', 'rollback', 'pause'] },
  monitor: duration,
  max_failure_ratio: num,
  order: { type: 'string', enum: ['start-first', 'stop-first'] },
});

const resources = closed({ cpus: num, memory: bytes, pids: int });

const build = {
  type: ['string', 'object'],
  properties: {
    context: str,
    dockerfile: str,
    dockerfile_inline: str,
    entitlements: { type: 'array', items: str },
    args: ref('list_or_dict'),
    ssh: ref('list_or_dict'),
    labels: ref('list_or_dict'),
    cache_from: { type: 'array', items: str },
    cache_to: { type: 'array', items: str },
    no_cache: bool,
    additional_contexts: ref('list_or_dict'),
    network: str,
    pull: bool,
    target: str,
    shm_size: bytes,
    extra_hosts: ref('extra_hosts'),
    isolation: str,
    privileged: bool,
    secrets: ref('file_references'),
    tags: { type: 'array', items: str },
    ulimits: ref('ulimits'),
    platforms: { type: 'array', items: str },
  },
  patternProperties: X,
  additionalProperties: false,
} as const;

const healthcheck = closed({
  disable: bool,
  interval: duration,
  retries: int,
  test: { type: ['string', 'array'], items: str },
  timeout: duration,
  start_period: duration,
  start_interval: duration,
});

const deploy = {
  ...closed({
    mode: { type: 'string', enum: ['replicated', 'global', 'replicated-job', 'global-job'] },
    endpoint_mode: { type: 'string', enum: ['vip', 'dnsrr'] },
    replicas: int,
    labels: ref('list_or_dict'),
    rollback_config: ref('update_config'),
    update_config: ref('update_config'),
    resources: closed({
      limits: ref('resources'),
      reservations: closed({
        cpus: num,
        memory: bytes,
        pids: int,
        generic_resources: {
          type: 'array',
          items: closed({ discrete_resource_spec: closed({ kind: str, value: num }) }),
        },
        devices: { type: 'array', items: { ...deviceRequest, required: ['capabilities'] } },
      }),
    }),
    restart_policy: closed({
      condition: { type: 'string', enum: ['none', 'on-failure', 'any'] },
      delay: duration,
      max_attempts: int,
      window: duration,
    }),
    placement: closed({
      constraints: { type: 'array', items: str },
      preferences: { type: 'array', items: closed({ spread: str }) },
      max_replicas_per_node: int,
    }),
  }),
  type: ['object', 'null'],
} as const;

const develop = {
  ...closed({
    watch: {
      type: 'array',
      items: closed(
        {
          ignore: ref('string_or_list'),
          include: ref('string_or_list'),
          path: str,
          action: { type: 'string', enum: ['rebuild', 'sync', 'restart', 'sync+restart', 'sync+exec'] },
          target: str,
          exec: ref('service_hook'),
          initial_sync: bool,
        },
        ['path', 'action'],
      ),
    },
  }),
  type: ['object', 'null'],
} as const;

const serviceNetworks = {
  type: ['array', 'object'],
  items: str,
  uniqueItems: true,
  patternProperties: {
    [NAME_PATTERN]: {
      ...closed({
        aliases: ref('list_of_strings'),
        interface_name: str,
        ipv4_address: str,
        ipv6_address: str,
        link_local_ips: ref('list_of_strings'),
        mac_address: str,
        driver_opts: ref('string_map'),
        priority: { type: 'number' },
        gw_priority: { type: 'number' },
      }),
      type: ['object', 'null'],
    },
  },
  additionalProperties: false,
} as const;

const serviceVolume = {
  type: ['string', 'object'],
  properties: {
    type: { type: 'string', enum: ['bind', 'volume', 'tmpfs', 'cluster', 'npipe', 'image'] },
    source: str,
    target: str,
    read_only: bool,
    consistency: str,
    bind: closed({
      propagation: { type: 'string', enum: ['shared', 'slave', 'private', 'rshared', 'rslave', 'rprivate'] },
      create_host_path: bool,
      recursive: { type: 'string', enum: ['enabled', 'disabled', 'writable', 'readonly'] },
      selinux: { type: 'string', enum: ['z', 'Z'] },
    }),
    volume: closed({ labels: ref('list_or_dict'), nocopy: bool, subpath: str }),
    tmpfs: closed({ size: bytes, mode: { type: ['number', 'string'] } }),
    image: closed({ subpath: str }),
  },
  patternProperties: X,
  additionalProperties: false,
  required: ['type', 'target'],
} as const;

const port = {
  type: ['number', 'string', 'object'],
  properties: {
    name: str,
    mode: { type: 'string', enum: ['host', 'ingress'] },
    host_ip: str,
    target: int,
    published: { type: ['string', 'integer'] },
    protocol: { type: 'string', enum: ['tcp', 'udp', 'sctp'] },
    app_protocol: str,
  },
  patternProperties: X,
  additionalProperties: false,
  required: ['target'],
} as const;

/** `depends_on` of a service or a host process: a list of names, or conditions by name. */
const dependsOn = {
  type: ['array', 'object'],
  items: str,
  uniqueItems: true,
  patternProperties: {
    [NAME_PATTERN]: closed(
      {
        condition: {
          type: 'string',
          enum: ['service_started', 'service_healthy', 'service_completed_successfully'],
        },
        required: bool,
        restart: bool,
      },
      ['condition'],
    ),
  },
  additionalProperties: false,
} as const;

const envFile = {
  type: ['string', 'array'],
  items: {
    type: ['string', 'object'],
    properties: { path: str, format: str, required: bool },
    additionalProperties: false,
    required: ['path'],
  },
} as const;

/** A host process's health check: a command run on the host, an HTTP GET or a TCP connect. */
const processHealthcheck = closed({
  disable: bool,
  test: { type: ['string', 'array'], items: str },
  http_get: {
    type: ['string', 'object'],
    properties: {
      port: int,
      path: str,
      host: str,
      scheme: { type: 'string', enum: ['http', 'https'] },
    },
    patternProperties: X,
    additionalProperties: false,
    required: ['port'],
  },
  tcp: {
    type: ['integer', 'string', 'object'],
    pattern: TCP_PROBE_STRING,
    properties: { port: int, host: str },
    patternProperties: X,
    additionalProperties: false,
    required: ['port'],
  },
  interval: duration,
  retries: int,
  timeout: duration,
  start_period: duration,
  start_interval: duration,
});

/** One entry of `x-tsstack.processes`: a program run on the host, in the same graph as the containers. */
const hostProcess = closed(
  {
    command: { type: ['string', 'array'], items: str },
    working_dir: str,
    environment: ref('list_or_dict'),
    env_file: ref('env_file'),
    depends_on: ref('depends_on'),
    healthcheck: ref('process_healthcheck'),
    restart: { type: 'string', pattern: RESTART_STRING },
    stop_signal: str,
    stop_grace_period: duration,
    ports: {
      type: 'array',
      items: { type: ['integer', 'string'], pattern: PROCESS_PORT_STRING },
      uniqueItems: true,
    },
    replicas: int,
    profiles: ref('list_of_strings'),
    develop: {
      ...closed({
        watch: {
          type: 'array',
          items: closed(
            {
              path: str,
              action: { type: 'string', enum: ['restart', 'rebuild'] },
              ignore: ref('string_or_list'),
              include: ref('string_or_list'),
            },
            ['path', 'action'],
          ),
        },
      }),
      type: ['object', 'null'],
    },
    build: { type: ['string', 'array'], items: str },
  },
  ['command'],
);

/** Options tsstack reads both at top level and per service. */
const xTsstackShared = {
  restart_on_unhealthy: bool,
  watch: {
    type: 'object',
    properties: {
      trigger: { type: 'string', enum: ['auto', 'manual'] },
      debounce: duration,
    },
  },
} as const;

/** tsstack's own top-level options. Unknown keys here are warnings, not errors. */
const xTsstack = {
  type: 'object',
  properties: {
    ...xTsstackShared,
    processes: {
      type: 'object',
      patternProperties: { [NAME_PATTERN]: ref('host_process') },
      additionalProperties: false,
    },
  },
} as const;

/** tsstack's own options of a service. Unknown keys here are warnings, not errors. */
const xTsstackService = {
  type: 'object',
  properties: { ...xTsstackShared, depends_on: ref('depends_on') },
} as const;

const service = closed({
  annotations: ref('list_or_dict'),
  attach: bool,
  blkio_config: closed({
    device_read_bps: { type: 'array', items: closed({ path: str, rate: bytes }) },
    device_read_iops: { type: 'array', items: closed({ path: str, rate: int }) },
    device_write_bps: { type: 'array', items: closed({ path: str, rate: bytes }) },
    device_write_iops: { type: 'array', items: closed({ path: str, rate: int }) },
    weight: int,
    weight_device: { type: 'array', items: closed({ path: str, weight: int }) },
  }),
  build: ref('build'),
  cap_add: ref('list_of_strings'),
  cap_drop: ref('list_of_strings'),
  cgroup: { type: 'string', enum: ['host', 'private'] },
  cgroup_parent: str,
  command: ref('command'),
  configs: ref('file_references'),
  container_name: str,
  cpu_count: int,
  cpu_percent: int,
  cpu_period: { type: ['number', 'string'] },
  cpu_quota: { type: ['number', 'string'] },
  cpu_rt_period: { type: ['number', 'string'] },
  cpu_rt_runtime: { type: ['number', 'string'] },
  cpu_shares: int,
  cpus: num,
  cpuset: str,
  credential_spec: closed({ config: str, file: str, registry: str }),
  depends_on: ref('depends_on'),
  deploy: ref('deploy'),
  develop: ref('develop'),
  device_cgroup_rules: ref('list_of_strings'),
  devices: {
    type: 'array',
    items: {
      type: ['string', 'object'],
      properties: { source: str, target: str, permissions: str },
      patternProperties: X,
      additionalProperties: false,
      required: ['source'],
    },
  },
  dns: ref('string_or_list'),
  dns_opt: ref('list_of_strings'),
  dns_search: ref('string_or_list'),
  domainname: str,
  entrypoint: ref('command'),
  env_file: ref('env_file'),
  environment: ref('list_or_dict'),
  expose: { type: 'array', items: { type: ['string', 'number'] }, uniqueItems: true },
  extends: {
    type: ['string', 'object'],
    properties: { service: str, file: str },
    additionalProperties: false,
    required: ['service'],
  },
  external_links: ref('list_of_strings'),
  extra_hosts: ref('extra_hosts'),
  gpus: { type: ['string', 'array'], pattern: '^all$', items: ref('device_request') },
  group_add: { type: 'array', items: { type: ['string', 'number'] }, uniqueItems: true },
  healthcheck: ref('healthcheck'),
  hostname: str,
  image: str,
  init: bool,
  ipc: str,
  isolation: str,
  label_file: ref('string_or_list'),
  labels: ref('list_or_dict'),
  links: ref('list_of_strings'),
  logging: closed({
    driver: str,
    options: { type: 'object', patternProperties: { '.+': { type: ['string', 'number', 'null'] } } },
  }),
  mac_address: str,
  mem_limit: bytes,
  mem_reservation: bytes,
  mem_swappiness: int,
  memswap_limit: { type: ['integer', 'string'], pattern: SWAP_STRING },
  models: {
    type: ['array', 'object'],
    items: str,
    uniqueItems: true,
    patternProperties: {
      [NAME_PATTERN]: { ...closed({ endpoint_var: str, model_var: str }), type: ['object', 'null'] },
    },
    additionalProperties: false,
  },
  network_mode: str,
  networks: ref('service_networks'),
  oom_kill_disable: bool,
  oom_score_adj: { type: ['integer', 'string'], pattern: INT_STRING, minimum: -1000, maximum: 1000 },
  pid: { type: ['string', 'null'] },
  pids_limit: int,
  platform: str,
  ports: { type: 'array', items: ref('port'), uniqueItems: true },
  post_start: { type: 'array', items: ref('service_hook') },
  pre_stop: { type: 'array', items: ref('service_hook') },
  privileged: bool,
  profiles: ref('list_of_strings'),
  provider: closed(
    {
      type: str,
      options: {
        type: 'object',
        patternProperties: { '.+': { type: ['string', 'number', 'boolean', 'array'], items: scalar } },
      },
    },
    ['type'],
  ),
  pull_policy: { type: 'string', pattern: PULL_POLICY_STRING },
  pull_refresh_after: str,
  read_only: bool,
  restart: { type: 'string', pattern: RESTART_STRING },
  runtime: str,
  scale: int,
  secrets: ref('file_references'),
  security_opt: ref('list_of_strings'),
  shm_size: bytes,
  stdin_open: bool,
  stop_grace_period: duration,
  stop_signal: str,
  storage_opt: { type: 'object' },
  sysctls: ref('list_or_dict'),
  tmpfs: ref('string_or_list'),
  tty: bool,
  ulimits: ref('ulimits'),
  use_api_socket: bool,
  user: str,
  userns_mode: str,
  uts: str,
  volumes: { type: 'array', items: ref('service_volume'), uniqueItems: true },
  volumes_from: ref('list_of_strings'),
  working_dir: str,
  'x-tsstack': ref('x_tsstack_service'),
});

/** `external: true`, or the obsolete `external: {name: x}`. */
const external = {
  type: ['boolean', 'string', 'object'],
  pattern: BOOL_STRING,
  properties: { name: str },
  patternProperties: X,
  additionalProperties: false,
} as const;

const network = {
  ...closed({
    name: str,
    driver: str,
    driver_opts: ref('string_map'),
    ipam: closed({
      driver: str,
      config: {
        type: 'array',
        items: closed({
          subnet: str,
          ip_range: str,
          gateway: str,
          aux_addresses: { type: 'object', patternProperties: { '.+': str }, additionalProperties: false },
        }),
      },
      options: { type: 'object', patternProperties: { '.+': str }, additionalProperties: false },
    }),
    external: ref('external'),
    internal: bool,
    enable_ipv4: bool,
    enable_ipv6: bool,
    attachable: bool,
    labels: ref('list_or_dict'),
  }),
  type: ['object', 'null'],
} as const;

const volume = {
  ...closed({
    name: str,
    driver: str,
    driver_opts: ref('string_map'),
    external,
    labels: ref('list_or_dict'),
  }),
  type: ['object', 'null'],
} as const;

const secret = closed({
  name: str,
  environment: str,
  file: str,
  external: ref('external'),
  labels: ref('list_or_dict'),
  driver: str,
  driver_opts: ref('string_map'),
  template_driver: str,
});

const config = closed({
  name: str,
  content: str,
  environment: str,
  file: str,
  external: ref('external'),
  labels: ref('list_or_dict'),
  template_driver: str,
});

const model = closed(
  { name: str, model: str, context_size: int, runtime_flags: { type: 'array', items: str } },
  ['model'],
);

const include = {
  type: ['string', 'object'],
  properties: { path: ref('string_or_list'), env_file: ref('string_or_list'), project_directory: str },
  additionalProperties: false,
  required: ['path'],
} as const;

function namedMap<S>(entry: S) {
  return {
    type: 'object',
    patternProperties: { [NAME_PATTERN]: entry },
    additionalProperties: false,
  } as const;
}

const definitions = {
  list_or_dict: listOrDict,
  list_of_strings: listOfStrings,
  string_or_list: stringOrList,
  string_map: stringMap,
  command,
  extra_hosts: extraHosts,
  ulimits,
  file_references: fileReferences,
  service_hook: serviceHook,
  device_request: deviceRequest,
  update_config: updateConfig,
  resources,
  build,
  healthcheck,
  deploy,
  develop,
  service_networks: serviceNetworks,
  service_volume: serviceVolume,
  port,
  depends_on: dependsOn,
  env_file: envFile,
  process_healthcheck: processHealthcheck,
  host_process: hostProcess,
  x_tsstack: xTsstack,
  x_tsstack_service: xTsstackService,
  service,
  external,
  network,
  volume,
  secret,
  config,
  model,
  include,
} as const;

/** The whole Compose document, after interpolation and merging. */
export const composeSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://tsstack.dev/schema/compose.json',
  title: 'tsstack stack file (Compose format)',
  type: 'object',
  properties: {
    version: { type: ['string', 'number'] },
    name: { type: 'string' },
    include: { type: 'array', items: ref('include') },
    services: namedMap(ref('service')),
    networks: namedMap(ref('network')),
    volumes: namedMap(ref('volume')),
    secrets: namedMap(ref('secret')),
    configs: namedMap(ref('config')),
    models: namedMap(ref('model')),
    'x-tsstack': ref('x_tsstack'),
  },
  patternProperties: X,
  additionalProperties: false,
  definitions,
} as const;

/** Keys tsstack itself defines under the top-level `x-tsstack` (others are warned about, not rejected). */
export const X_TSSTACK_KEYS: readonly string[] = Object.keys(xTsstack.properties);
/** Keys tsstack itself defines under a service's `x-tsstack`. */
export const X_TSSTACK_SERVICE_KEYS: readonly string[] = Object.keys(xTsstackService.properties);
