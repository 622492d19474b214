import type { ServiceSpec } from '../types.js';

/**
 * Services that run: those without profiles, those with an enabled profile (`*` enables all), and everything
 * they need (required depends_on, links, volumes_from, network_mode / ipc / pid: service:x), whatever its
 * profiles. Compose refuses a required dependency on a service its profiles disable instead (see
 * docs/spec-loading.md); an optional one (`required: false`) is not pulled in by either.
 */
export function activeServices(
  services: Record<string, ServiceSpec>,
  enabled: readonly string[],
): Set<string> {
  const all = enabled.includes('*');
  const active = new Set<string>();
  const queue: string[] = [];
  for (const [name, svc] of Object.entries(services)) {
    if (svc.profiles.length === 0 || all || svc.profiles.some((p) => enabled.includes(p))) queue.push(name);
  }
  while (queue.length > 0) {
    const name = queue.pop() as string;
    // Own keys only: a dependency named `constructor` is not Object.prototype.constructor.
    const svc = Object.hasOwn(services, name) ? services[name] : undefined;
    if (!svc || active.has(name)) continue;
    active.add(name);
    queue.push(...neededServices(svc));
  }
  return active;
}

/** What `svc` pulls in: its dependencies, except the optional ones (`required: false` runs only if enabled). */
function neededServices(svc: ServiceSpec): string[] {
  const optional = new Set(
    Object.entries(svc.depends_on)
      .filter(([, d]) => !d.required)
      .map(([name]) => name),
  );
  const shared = serviceDependencies({ ...svc, depends_on: {} });
  return [...Object.keys(svc.depends_on).filter((n) => !optional.has(n)), ...shared];
}

/** Names of the services `svc` needs: depends_on (with the implicit entries), links, volumes_from and network_mode references. */
export function serviceDependencies(svc: ServiceSpec): string[] {
  const deps = Object.keys(svc.depends_on);
  for (const link of svc.links) deps.push(link.split(':')[0] as string);
  for (const from of svc.volumes_from) {
    if (!from.startsWith('container:'))
      deps.push((from.startsWith('service:') ? from.slice(8) : from).split(':')[0] as string);
  }
  if (svc.network_mode?.startsWith('service:')) deps.push(svc.network_mode.slice(8));
  return deps;
}
