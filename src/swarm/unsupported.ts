/**
 * Spec keys --target swarm cannot express (errors naming the key, never a silent drop) and keys Swarm
 * ignores harmlessly (warnings). Pure.
 */
import { originOf } from '../spec/normalize/origin.js';
import type { PathSegment, ServiceSpec, Stack } from '../spec/types.js';

export interface SwarmProblem {
  path: PathSegment[];
  message: string;
}

/** Service keys with no Swarm service form (API 1.41). */
const NO_FORM: Partial<Record<keyof ServiceSpec, string>> = {
  container_name: 'Swarm names task containers itself; use the service name to reach it',
  network_mode: 'Swarm services join overlay networks; they cannot share a host or container network stack',
  privileged: 'Swarm services cannot run privileged',
  devices: 'Swarm services cannot map host devices',
  volumes_from: "Swarm services cannot mount another container's volumes; use a named volume",
  external_links: 'Swarm services cannot link to containers outside the swarm',
  pid: 'Swarm services cannot share a PID namespace',
  ipc: 'Swarm services cannot set an IPC namespace',
  userns_mode: 'Swarm services cannot set a user namespace mode',
  security_opt: 'Swarm services take no security_opt (tsstack does not map Privileges)',
  cpu_shares: 'Swarm has no CPU shares; use deploy.resources.reservations.cpus',
  cpuset: 'Swarm services cannot pin CPUs',
  memswap_limit: 'Swarm services have no swap limit',
  oom_score_adj: 'Swarm services cannot set the OOM score',
  shm_size: 'Swarm services cannot size /dev/shm; mount a tmpfs at /dev/shm instead',
  ulimits: 'tsstack does not map ulimits to Swarm services',
  group_add: 'tsstack does not map group_add to Swarm services',
  domainname: 'Swarm services have no domain name setting',
  platform: 'Swarm picks the platform from the image manifest and node; remove platform:',
};

/** Service keys Swarm ignores or does on its own: a warning each. */
const IGNORED: Partial<Record<keyof ServiceSpec, string>> = {
  depends_on: 'Swarm starts services in no particular order; make them retry their dependencies',
  links: 'ignored: every service is reachable by its name on the shared overlay networks',
  expose: 'ignored: services on one overlay network reach every port of each other',
  pull_policy: 'ignored: Swarm resolves the image on each node',
  develop: 'ignored: watch rules are for up --watch on the local engine',
  annotations: 'ignored on Swarm',
};

function isSet(value: unknown): boolean {
  if (value === undefined || value === null || value === false) return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

/** Problems (errors) and warnings for one service. */
export function checkService(s: ServiceSpec, errors: SwarmProblem[], warnings: SwarmProblem[]): void {
  const at = (...p: PathSegment[]) => ['services', s.name, ...p];
  if (s.build && !s.image)
    errors.push({
      path: at('build'),
      message: 'Swarm needs an image reference; build and push it, then set image:',
    });
  else if (s.build)
    warnings.push({
      path: at('build'),
      message: `ignored: Swarm runs the image ${s.image ?? ''} as it is on each node`,
    });
  for (const [key, reason] of Object.entries(NO_FORM))
    if (isSet(s[key as keyof ServiceSpec])) errors.push({ path: at(key), message: reason });
  for (const [key, reason] of Object.entries(IGNORED))
    if (isSet(s[key as keyof ServiceSpec])) warnings.push({ path: at(key), message: reason });
  for (const key of Object.keys(s.extensions)) warnings.push({ path: at(key), message: 'ignored on Swarm' });
  s.ports.forEach((p, index) => {
    // Short syntax can expand one entry into several: point at the entry as written.
    const i = originOf(p) ?? index;
    // Found by trying: the engine refuses such a service with "port published with ingress mode can't be
    // used with dnsrr mode" (a published port or not), after the stack's networks were made.
    if (s.deploy?.endpoint_mode === 'dnsrr' && (p.mode ?? 'ingress') === 'ingress')
      errors.push({
        path: at('ports', i),
        message:
          'Swarm serves an ingress-mode port through a virtual IP, which endpoint_mode: dnsrr does not have; publish it with mode: host or use endpoint_mode: vip',
      });
    if (p.host_ip !== undefined)
      errors.push({
        path: at('ports', i, 'host_ip'),
        message: `Swarm publishes on every interface of every node and cannot bind ${p.host_ip} only; remove host_ip to publish on all interfaces`,
      });
    if (p.published !== undefined && !/^\d+$/.test(p.published))
      errors.push({
        path: at('ports', i, 'published'),
        message: 'Swarm publishes one port per entry, not a range',
      });
  });
  s.volumes.forEach((v, i) => {
    if (v.type !== 'bind' && v.type !== 'volume' && v.type !== 'tmpfs')
      errors.push({ path: at('volumes', i, 'type'), message: `Swarm services cannot mount a ${v.type}` });
    if (v.volume?.subpath !== undefined)
      errors.push({
        path: at('volumes', i, 'volume', 'subpath'),
        message: 'Swarm (API 1.41) cannot mount a subpath',
      });
  });
  for (const [net, att] of Object.entries(s.networks))
    for (const key of ['ipv4_address', 'ipv6_address', 'mac_address'] as const)
      if (att[key] !== undefined)
        errors.push({ path: at('networks', net, key), message: 'Swarm assigns task addresses itself' });
  if (s.healthcheck?.start_interval !== undefined)
    warnings.push({ path: at('healthcheck', 'start_interval'), message: 'ignored: needs Engine API 1.44' });
  if ((s.deploy?.resources.reservations.devices ?? []).length > 0)
    errors.push({
      path: at('deploy', 'resources', 'reservations', 'devices'),
      message: 'tsstack does not map device reservations (generic resources) to Swarm',
    });
}

/** Top-level networks and volumes Swarm cannot create as written. */
export function checkTopLevel(stack: Stack, errors: SwarmProblem[]): void {
  for (const [key, n] of Object.entries(stack.networks)) {
    if (!n.external && n.driver !== undefined && n.driver !== 'overlay')
      errors.push({
        path: ['networks', key, 'driver'],
        message: `Swarm services need overlay networks, not ${n.driver}; remove driver: or set it to overlay`,
      });
  }
  for (const [key, v] of Object.entries(stack.volumes)) {
    if (
      !v.external &&
      ((v.driver !== undefined && v.driver !== 'local') || Object.keys(v.driver_opts).length > 0)
    )
      errors.push({
        path: ['volumes', key, 'driver'],
        message: 'tsstack creates Swarm volumes with the local driver only (each node makes its own)',
      });
  }
}
