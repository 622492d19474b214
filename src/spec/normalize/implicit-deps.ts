import type { DependsOn, ServiceSpec } from '../types.js';

/**
 * Compose adds a `depends_on` entry for every service a service shares something with, unless the file
 * already has one: `links` and `network_mode`, `ipc` or `pid` of `service:NAME` (restarted with it), and
 * `volumes_from` (not restarted). The stack carries them too, so ordering, `config` and profiles see one model.
 */
const implicit = new WeakSet<DependsOn>();

/** True for an entry added here rather than written under `depends_on` (it has no place in the file). */
export function isImplicit(dependency: DependsOn): boolean {
  return implicit.has(dependency);
}

/** Adds the implicit entries to `svc.depends_on`, in Compose's order; written entries win. */
export function addImplicitDependencies(svc: ServiceSpec): void {
  const add = (name: string, restart: boolean): void => {
    if (name === '' || Object.hasOwn(svc.depends_on, name)) return;
    const dependency: DependsOn = { condition: 'service_started', required: true, restart };
    implicit.add(dependency);
    // defineProperty: a name like `__proto__` becomes an own key, not the object's prototype.
    Object.defineProperty(svc.depends_on, name, {
      value: dependency,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  };
  for (const link of svc.links) add(link.split(':')[0] as string, true);
  for (const mode of [svc.network_mode, svc.ipc, svc.pid])
    if (mode?.startsWith('service:')) add(mode.slice('service:'.length), true);
  for (const from of svc.volumes_from) {
    if (from.startsWith('container:')) continue;
    add((from.startsWith('service:') ? from.slice('service:'.length) : from).split(':')[0] as string, false);
  }
}
