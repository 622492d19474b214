/**
 * Keys the schema accepts (they are valid Compose) but tsstack does not act on yet.
 * Rule: a key is implemented when the normalized `Stack` type (types.ts) carries it to the layers below;
 * the few carried keys that only make sense on a Swarm cluster are listed too, because tsstack runs them
 * on one machine and would otherwise drop them silently. Each key present produces one warning.
 */
import { pathOf, type PathChain } from './locate.js';
import type { PathSegment, Target } from './types.js';

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
  // build: BuildSpec has no field for this one (Windows containers only).
  svc('build', 'isolation'),
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
  // Top-level objects.
  ['networks', '*', 'enable_ipv4'],
  ['secrets', '*', 'driver'],
  ['secrets', '*', 'driver_opts'],
  ['secrets', '*', 'template_driver'],
  ['configs', '*', 'template_driver'],
];

/** Carried, but Swarm-only: one machine has no placement, no endpoint modes and no ingress mesh. */
export const SWARM_ONLY_KEYS: readonly KeyPattern[] = [
  svc('deploy', 'placement'),
  svc('deploy', 'endpoint_mode'),
  svc('ports', '#', 'mode'),
];

const LOCAL_UNSUPPORTED = [...UNSUPPORTED_KEYS, ...SWARM_ONLY_KEYS];

/** The keys `target` does not act on: the Swarm-only ones are acted on by `--target swarm`. */
export function unsupportedKeys(target: Target): readonly KeyPattern[] {
  return target === 'swarm' ? UNSUPPORTED_KEYS : LOCAL_UNSUPPORTED;
}

/** Every concrete path in `data` that one of `patterns` matches, pattern by pattern, each in document order. */
export function findKeys(data: unknown, patterns: readonly KeyPattern[]): PathSegment[][] {
  // One walk over the data for all patterns (they share prefixes such as `services.*`), so a stack of
  // 1,000 services is visited once rather than once per pattern.
  const root = trieOf(patterns);
  const found: PathSegment[][][] = patterns.map(() => []);
  walk(data, root, undefined, found);
  return found.flat();
}

interface Trie {
  /** Indexes of the patterns that end here. */
  ends: number[];
  items?: Trie;
  anyKey?: Trie;
  keys: Map<string, Trie>;
}

const newTrie = (): Trie => ({ ends: [], keys: new Map() });

function trieOf(patterns: readonly KeyPattern[]): Trie {
  const root = newTrie();
  patterns.forEach((pattern, index) => {
    let t = root;
    for (const seg of pattern) {
      if (seg === '#') t = t.items ??= newTrie();
      else if (seg === '*') t = t.anyKey ??= newTrie();
      else {
        let next = t.keys.get(seg);
        if (!next) t.keys.set(seg, (next = newTrie()));
        t = next;
      }
    }
    t.ends.push(index);
  });
  return root;
}

function walk(node: unknown, t: Trie, path: PathChain, out: PathSegment[][][]): void {
  for (const index of t.ends) out[index]!.push(pathOf(path));
  if (Array.isArray(node)) {
    const items = t.items;
    if (items) node.forEach((item, i) => walk(item, items, { parent: path, seg: i }, out));
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const map = node as Record<string, unknown>;
  if (t.anyKey) {
    for (const key of Object.keys(map)) {
      if (!key.startsWith('x-')) walk(map[key], t.anyKey, { parent: path, seg: key }, out);
    }
  }
  for (const [key, sub] of t.keys) {
    if (Object.hasOwn(map, key)) walk(map[key], sub, { parent: path, seg: key }, out);
  }
}
