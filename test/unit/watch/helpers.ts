import type { ServiceSpec, WatchRule } from '../../../src/spec/types.js';

/** A minimal normalized service for watch tests. */
export function service(name: string, watch: WatchRule[], extra: Partial<ServiceSpec> = {}): ServiceSpec {
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
    develop: { watch },
    extensions: {},
    ...extra,
  };
}

export function rule(r: Partial<WatchRule> & Pick<WatchRule, 'path'>): WatchRule {
  return { action: 'sync', ignore: [], ...r };
}
