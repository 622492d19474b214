import type { ProcessSpec, ServiceSpec } from '../types.js';

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
  return activeWorkloads(services, {}, enabled).services;
}

/**
 * Services and host processes that run, by the same rule: enabled by their profiles (or having none), or
 * needed by one that runs, across the two kinds (a service waiting for a process, and back).
 */
export function activeWorkloads(
  services: Record<string, ServiceSpec>,
  processes: Record<string, ProcessSpec>,
  enabled: readonly string[],
): { services: Set<string>; processes: Set<string> } {
  const all = enabled.includes('*');
  const on = (profiles: string[]) =>
    profiles.length === 0 || all || profiles.some((p) => enabled.includes(p));
  const active = { services: new Set<string>(), processes: new Set<string>() };
  const queue: string[] = [];
  for (const [name, svc] of Object.entries(services)) if (on(svc.profiles)) queue.push(name);
  for (const [name, proc] of Object.entries(processes)) if (on(proc.profiles)) queue.push(name);
  while (queue.length > 0) {
    const name = queue.pop() as string;
    // Own keys only: a dependency named `constructor` is not Object.prototype.constructor.
    const svc = Object.hasOwn(services, name) ? services[name] : undefined;
    const proc = !svc && Object.hasOwn(processes, name) ? processes[name] : undefined;
    if (svc && !active.services.has(name)) {
      active.services.add(name);
      queue.push(...neededServices(svc), ...required(svc.process_depends_on ?? {}));
    } else if (proc && !active.processes.has(name)) {
      active.processes.add(name);
      queue.push(...required(proc.depends_on));
    }
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

/** The names of required dependencies (an optional one runs only if enabled). */
function required(deps: Record<string, { required: boolean }>): string[] {
  return Object.entries(deps)
    .filter(([, d]) => d.required)
    .map(([name]) => name);
}
