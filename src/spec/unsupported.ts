/**
 * Keys the schema accepts (they are valid Compose) but tsstack does not act on yet.
 * Rule: a key is implemented when the normalized `Stack` type (types.ts) carries it to the layers below;
 * the few carried keys that only make sense on a Swarm cluster are listed too, because tsstack runs them
 * on one machine and would otherwise drop them silently. Each key present produces one warning.
 */
import type { PathSegment } from './types.js';

/** A path pattern: `*` matches every key of a mapping (except `x-*`), `#` every item of a list. */
export type KeyPattern = readonly string[];

const svc = (...rest: string[]): KeyPattern => ['services', '*', ...rest];

export const UNSUPPORTED_KEYS: readonly KeyPattern[] = [
  // Top level.
  ['models'],
  // Services: keys with no field in ServiceSpec.
  svc('attach'),
  svc('blkio_config'),
  svc('cgroup'),
  svc('cgroup_parent'),
  svc('cpu_count'),
  svc('cpu_percent'),
  svc('cpu_period'),
  svc('cpu_quota'),
  svc('cpu_rt_period'),
  svc('cpu_rt_runtime'),
  svc('credential_spec'),
  svc('device_cgroup_rules'),
  svc('gpus'),
  svc('isolation'),
  svc('label_file'),
  svc('mac_address'),
  svc('mem_swappiness'),
  svc('models'),
  svc('oom_kill_disable'),
  svc('post_start'),
  svc('pre_stop'),
  svc('provider'),
  svc('pull_refresh_after'),
  svc('runtime'),
  svc('storage_opt'),
  svc('use_api_socket'),
  svc('uts'),
  // build: BuildSpec has no field for these.
  svc('build', 'entitlements'),
  svc('build', 'ssh'),
  svc('build', 'cache_to'),
  svc('build', 'additional_contexts'),
  svc('build', 'isolation'),
  svc('build', 'privileged'),
  svc('build', 'secrets'),
  svc('build', 'ulimits'),
  // Long forms whose extra keys ServiceNetworkAttachment / ServiceVolume do not carry.
  svc('networks', '*', 'interface_name'),
  svc('networks', '*', 'link_local_ips'),
  svc('networks', '*', 'driver_opts'),
  svc('networks', '*', 'gw_priority'),
  svc('volumes', '#', 'bind', 'recursive'),
  svc('volumes', '#', 'volume', 'labels'),
  svc('volumes', '#', 'image'),
  svc('volumes', '#', 'consistency'),
  svc('env_file', '#', 'format'),
  svc('deploy', 'resources', 'reservations', 'generic_resources'),
  // Carried, but Swarm-only: one machine has no placement, no endpoint modes and no ingress mesh.
  svc('deploy', 'placement'),
  svc('deploy', 'endpoint_mode'),
  svc('ports', '#', 'mode'),
  // Top-level objects.
  ['networks', '*', 'enable_ipv4'],
  ['secrets', '*', 'driver'],
  ['secrets', '*', 'driver_opts'],
  ['secrets', '*', 'template_driver'],
  ['configs', '*', 'template_driver'],
];

/** Every concrete path in `data` that one of `patterns` matches. */
export function findKeys(data: unknown, patterns: readonly KeyPattern[]): PathSegment[][] {
  const found: PathSegment[][] = [];
  for (const pattern of patterns) walk(data, pattern, 0, [], found);
  return found;
}

function walk(node: unknown, pattern: KeyPattern, depth: number, path: PathSegment[], out: PathSegment[][]) {
  if (depth === pattern.length) {
    out.push(path);
    return;
  }
  const seg = pattern[depth]!;
  if (seg === '#') {
    if (!Array.isArray(node)) return;
    node.forEach((item, i) => walk(item, pattern, depth + 1, [...path, i], out));
    return;
  }
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return;
  const map = node as Record<string, unknown>;
  if (seg === '*') {
    for (const key of Object.keys(map)) {
      if (!key.startsWith('x-')) walk(map[key], pattern, depth + 1, [...path, key], out);
    }
    return;
  }
  if (Object.hasOwn(map, seg)) walk(map[seg], pattern, depth + 1, [...path, seg], out);
}
