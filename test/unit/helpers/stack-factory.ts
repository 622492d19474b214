/** Small factories for normalized `Stack` objects in unit tests (no spec layer involved). */
import type { ProcessSpec, ServiceSpec, Stack } from '../../../src/spec/types.js';

export type ServiceInput = Partial<ServiceSpec>;

/** A service with every required field at its normalized default. */
export function makeService(name: string, input: ServiceInput = {}): ServiceSpec {
  return {
    name,
    image: 'tsstack-test/busybox:latest',
    environment: {},
    labels: {},
    ports: [],
    expose: [],
    volumes: [],
    volumes_from: [],
    tmpfs: [],
    networks: {},
    depends_on: {},
    links: [],
    external_links: [],
    replicas: 1,
    profiles: [],
    cap_add: [],
    cap_drop: [],
    security_opt: [],
    dns: [],
    dns_search: [],
    dns_opt: [],
    extra_hosts: [],
    sysctls: {},
    ulimits: {},
    devices: [],
    group_add: [],
    secrets: [],
    configs: [],
    process_depends_on: {},
    extensions: {},
    ...input,
  };
}

/** A stack named `name` with the given services; volumes/networks as given. */
export function makeStack(
  name: string,
  services: Record<string, ServiceInput>,
  extra: Partial<Omit<Stack, 'services'>> = {},
): Stack {
  return {
    name,
    projectDir: '/srv/demo',
    files: ['/srv/demo/stack.yml'],
    profiles: [],
    services: Object.fromEntries(Object.entries(services).map(([k, v]) => [k, makeService(k, v)])),
    processes: {},
    networks: {},
    volumes: {},
    secrets: {},
    configs: {},
    extensions: {},
    ...extra,
  };
}

/** `depends_on` entry with Compose's defaults. */
export function dep(
  condition: 'service_started' | 'service_healthy' | 'service_completed_successfully' = 'service_started',
  restart = false,
): { condition: typeof condition; required: boolean; restart: boolean } {
  return { condition, required: true, restart };
}

/** A host process with every required field at its normalized default. */
export function makeProcess(name: string, input: Partial<ProcessSpec> = {}): ProcessSpec {
  return {
    name,
    command: ['sleep', '1000'],
    working_dir: '/srv/demo',
    environment: {},
    depends_on: {},
    restart: 'no',
    stop_signal: 'SIGTERM',
    stop_grace_period: 10_000,
    ports: [],
    replicas: 1,
    profiles: [],
    extensions: {},
    ...input,
  };
}
