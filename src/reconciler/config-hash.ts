/**
 * The config hash: sha256 of a canonical form of a container's create spec — everything that needs a
 * new container to take effect — and nothing else. It covers image reference, command, entrypoint,
 * environment, working dir, user, hostname, tty/stdin, exposed and published ports, mounts (volumes,
 * binds, tmpfs, secrets, configs), network mode, networks with their aliases and addresses, restart
 * policy, health check, resources, stop signal and grace period, init, privileges, capabilities,
 * security options, DNS, extra hosts, sysctls, devices, groups, volumes_from, pid/ipc/userns modes,
 * platform, logging, and the user's own labels.
 *
 * It leaves out what differs between replicas or does not need a new container: the container name,
 * the replica number, the container-name alias, the replica count, depends_on, build settings, pull
 * policy, profiles, and tsstack's own bookkeeping labels. The image ID is compared separately (a
 * rebuilt or re-pulled image counts as "image changed").
 *
 * Besides the whole hash, each top-level field gets a short digest, stored in a label, so a plan can
 * say which fields changed ("config changed: environment, ports").
 */
import { createHash } from 'node:crypto';
import type { ContainerCreateSpec } from '../runtime/types.js';
import { LABEL } from '../model/labels.js';

export interface ConfigDigest {
  hash: string;
  /** Short digest per top-level field, e.g. `{ environment: '1a2b3c4d' }`. */
  fields: Record<string, string>;
}

/** Labels that are bookkeeping, per-replica, or tracked on their own: not part of the hash. */
const BOOKKEEPING_LABELS = new Set<string>([
  LABEL.replica,
  LABEL.configHash,
  LABEL.configFields,
  LABEL.image,
  LABEL.configFiles,
  LABEL.workingDir,
  LABEL.dependsOn,
  LABEL.version,
  LABEL.oneoff,
]);

/** Spec field names as users know them from the Compose file. */
const FIELD_NAMES: Partial<Record<keyof ContainerCreateSpec, string>> = {
  env: 'environment',
  mounts: 'volumes',
  exposedPorts: 'expose',
  networkMode: 'network_mode',
  restartPolicy: 'restart',
  resources: 'resources',
  stopTimeout: 'stop_grace_period',
  stopSignal: 'stop_signal',
  workingDir: 'working_dir',
  readOnlyRootfs: 'read_only',
  capAdd: 'cap_add',
  capDrop: 'cap_drop',
  securityOpt: 'security_opt',
  dnsSearch: 'dns_search',
  dnsOptions: 'dns_opt',
  extraHosts: 'extra_hosts',
  groupAdd: 'group_add',
  volumesFrom: 'volumes_from',
  pidMode: 'pid',
  ipcMode: 'ipc',
  usernsMode: 'userns_mode',
  logConfig: 'logging',
  openStdin: 'stdin_open',
};

/** The hashed view of a create spec: per-replica and bookkeeping parts removed. */
export function canonicalSpec(spec: ContainerCreateSpec): Record<string, unknown> {
  const { name, labels, networks, ...rest } = spec;
  const userLabels = Object.fromEntries(Object.entries(labels).filter(([k]) => !BOOKKEEPING_LABELS.has(k)));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(rest)) out[FIELD_NAMES[k as keyof ContainerCreateSpec] ?? k] = v;
  out.labels = userLabels;
  out.networks = networks.map((n) => ({ ...n, aliases: n.aliases.filter((a) => a !== name) }));
  return canonicalize(out) as Record<string, unknown>;
}

/** Sorted keys, no undefined values, empty objects/arrays dropped: equal meaning → equal text. */
function canonicalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonicalize);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = canonicalize((value as Record<string, unknown>)[k]);
      if (v === undefined) continue;
      if (Array.isArray(v) && v.length === 0) continue;
      if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0) continue;
      out[k] = v;
    }
    return out;
  }
  return value;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The config hash of a create spec, with a short digest per field. */
export function configHash(spec: ContainerCreateSpec): ConfigDigest {
  return digestOf(canonicalSpec(spec));
}

/**
 * The config hash of a host process: its command, working_dir, environment, health check, restart policy,
 * stop signal and grace, and ports, by the names of the stack file (so a plan says "config changed: command").
 */
export function processConfigHash(view: Record<string, unknown>): ConfigDigest {
  return digestOf(canonicalize(view) as Record<string, unknown>);
}

function digestOf(canon: Record<string, unknown>): ConfigDigest {
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(canon)) fields[k] = sha256(JSON.stringify(v)).slice(0, 8);
  return { hash: sha256(JSON.stringify(canon)), fields };
}

/** Field digests as one label value: `environment=1a2b3c4d,image=...`. */
export function formatFieldDigests(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

export function parseFieldDigests(label: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (label ?? '').split(',').filter(Boolean)) {
    const [k, v] = pair.split('=', 2);
    if (k && v) out[k] = v;
  }
  return out;
}

/** Names of the fields whose digests differ (added or removed fields count), sorted. */
export function changedFields(before: Record<string, string>, after: Record<string, string>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => before[k] !== after[k]).sort();
}
