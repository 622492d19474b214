import type { SpecProblem } from './errors.js';
import { isImplicit } from './normalize/implicit-deps.js';
import { originOf } from './normalize/origin.js';
import { serviceDependencies } from './normalize/profiles.js';
import type { RawProject } from './raw.js';
import { suggest } from './suggest.js';
import type { PathSegment, PortSpec, ServiceSpec, SourceLocation, Stack } from './types.js';
import { checkMountPoints } from './check-mounts.js';
import { checkNames } from './check-names.js';

/** Checks what a schema cannot: unknown references, dependency cycles, clashing host ports and mount points, invalid names. */
export function checkStack(stack: Stack, raw: RawProject): SpecProblem[] {
  const problems: SpecProblem[] = [];
  // Paths ending in a mapping key (a service, a depends_on entry) point at the key; others at the value.
  const report: Report = (path, message, at = 'value') => {
    const location = at === 'key' ? raw.locateKey(path) : at === 'value' ? raw.locate(path) : at;
    problems.push({ location, path, message });
  };
  const known = new Set([...Object.keys(stack.services), ...Object.keys(rawServices(raw))]);
  const containerNames = new Map<string, string>();
  for (const svc of sorted(stack.services)) {
    checkReferences(svc, stack, raw, known, report);
    checkMountPoints(svc, report);
    const taken = svc.container_name === undefined ? undefined : containerNames.get(svc.container_name);
    if (taken !== undefined) {
      report(
        ['services', svc.name, 'container_name'],
        `container_name "${svc.container_name}" is also used by service "${taken}"`,
      );
    } else if (svc.container_name !== undefined) containerNames.set(svc.container_name, svc.name);
    if (svc.container_name !== undefined && svc.replicas > 1) {
      report(
        ['services', svc.name, 'container_name'],
        `container_name "${svc.container_name}" cannot be used with ${svc.replicas} replicas (container names are unique)`,
      );
    }
  }
  checkCycles(stack, raw, report);
  checkPortClashes(stack, report);
  checkNames(stack, raw, report);
  return problems;
}

/** Records a problem at `path`, located at the value there, at its key, or at an explicit location. */
export type Report = (path: PathSegment[], message: string, at?: 'key' | 'value' | SourceLocation) => void;

function checkReferences(
  svc: ServiceSpec,
  stack: Stack,
  raw: RawProject,
  known: Set<string>,
  report: Report,
): void {
  const base: PathSegment[] = ['services', svc.name];
  const unknown = (name: string, what: string): string => {
    const hint = suggest(name, known);
    return `${what} "${name}" is not a service in this stack${hint ? ` (did you mean "${hint}"?)` : ''}`;
  };
  for (const [dep, cfg] of Object.entries(svc.depends_on)) {
    // `required: false` tolerates a missing service, as Compose does. Implicit entries are reported below,
    // at the key that implies them.
    if (!known.has(dep) && cfg.required && !isImplicit(cfg))
      report(refPath(raw, [...base, 'depends_on'], dep), unknown(dep, 'depends on'), 'key');
  }
  for (const link of svc.links) {
    const target = link.split(':')[0] as string;
    if (!known.has(target)) report(refPath(raw, [...base, 'links'], link), unknown(target, 'links to'));
  }
  for (const key of ['network_mode', 'ipc', 'pid'] as const) {
    const mode = svc[key];
    if (!mode?.startsWith('service:')) continue;
    const target = mode.slice('service:'.length);
    if (!known.has(target)) report([...base, key], unknown(target, `${key} uses`));
  }
  for (const from of svc.volumes_from) {
    if (from.startsWith('container:')) continue;
    const target = (from.startsWith('service:') ? from.slice('service:'.length) : from).split(
      ':',
    )[0] as string;
    if (!known.has(target))
      report(refPath(raw, [...base, 'volumes_from'], from), unknown(target, 'volumes_from'));
  }
  for (const net of Object.keys(svc.networks)) {
    if (!Object.hasOwn(stack.networks, net)) {
      const hint = suggest(net, Object.keys(stack.networks));
      report(
        refPath(raw, [...base, 'networks'], net),
        `network "${net}" is not declared under top-level networks${hint ? ` (did you mean "${hint}"?)` : ''}`,
        'key',
      );
    }
  }
  svc.volumes.forEach((vol, i) => {
    if (vol.type !== 'volume' || vol.source === undefined || Object.hasOwn(stack.volumes, vol.source)) return;
    const hint = suggest(vol.source, Object.keys(stack.volumes));
    report(
      [...base, 'volumes', originOf(vol) ?? i],
      `volume "${vol.source}" is not declared under top-level volumes (a host path starts with ".", "/" or "~")` +
        (hint ? ` (did you mean "${hint}"?)` : ''),
    );
  });
  for (const kind of ['secrets', 'configs'] as const) {
    svc[kind].forEach((ref, i) => {
      if (ref.source in stack[kind]) return;
      const hint = suggest(ref.source, Object.keys(stack[kind]));
      report(
        [...base, kind, originOf(ref) ?? i],
        `${kind.slice(0, -1)} "${ref.source}" is not declared under top-level ${kind}` +
          (hint ? ` (did you mean "${hint}"?)` : ''),
      );
    });
  }
}

// Each cycle is reported once, starting from its alphabetically first service: `a → b → c → a`.
function checkCycles(stack: Stack, raw: RawProject, report: Report): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const seen = new Set<string>();
  const stackPath: string[] = [];
  const visit = (name: string): void => {
    state.set(name, 'visiting');
    stackPath.push(name);
    const svc = stack.services[name] as ServiceSpec;
    for (const dep of [...new Set(serviceDependencies(svc))].sort()) {
      if (!Object.hasOwn(stack.services, dep)) continue;
      if (state.get(dep) === 'visiting') {
        const cycle = stackPath.slice(stackPath.indexOf(dep));
        const start = cycle.indexOf([...cycle].sort()[0] as string);
        const rotated = [...cycle.slice(start), ...cycle.slice(0, start)];
        const id = rotated.join('\0');
        if (!seen.has(id)) {
          seen.add(id);
          const first = rotated[0] as string;
          const next = rotated[1] ?? first;
          report(
            dependencyPath(stack.services[first] as ServiceSpec, next, raw),
            `dependency cycle: ${[...rotated, first].join(' → ')}`,
            'key',
          );
        }
      } else if (!state.has(dep)) visit(dep);
    }
    stackPath.pop();
    state.set(name, 'done');
  };
  for (const name of Object.keys(stack.services).sort()) if (!state.has(name)) visit(name);
}

// Where `svc` says it needs `dep`: its depends_on entry, else links, volumes_from or network_mode.
function dependencyPath(svc: ServiceSpec, dep: string, raw: RawProject): PathSegment[] {
  const base: PathSegment[] = ['services', svc.name];
  const written = Object.hasOwn(svc.depends_on, dep) ? svc.depends_on[dep] : undefined;
  if (written && !isImplicit(written)) return refPath(raw, [...base, 'depends_on'], dep);
  const link = svc.links.find((l) => l.split(':')[0] === dep);
  if (link !== undefined) return refPath(raw, [...base, 'links'], link);
  const from = svc.volumes_from.find((v) => v.replace(/^service:/, '').split(':')[0] === dep);
  if (from !== undefined) return refPath(raw, [...base, 'volumes_from'], from);
  if (svc.ipc === `service:${dep}` && svc.network_mode !== `service:${dep}`) return [...base, 'ipc'];
  if (svc.pid === `service:${dep}` && svc.network_mode !== `service:${dep}`) return [...base, 'pid'];
  return [...base, 'network_mode'];
}

interface Binding {
  service: string;
  path: PathSegment[];
  ip: string;
  port: number;
  protocol: PortSpec['protocol'];
}

const ANY_ADDRESS = new Set(['', '0.0.0.0', '::']);

// File order, so a clash is reported at the later of the two services.
function checkPortClashes(stack: Stack, report: Report): void {
  // By port and protocol, in the order published: only bindings of the same port can clash.
  const bindings = new Map<string, Binding[]>();
  for (const svc of Object.values(stack.services)) {
    svc.ports.forEach((port, i) => {
      const path: PathSegment[] = ['services', svc.name, 'ports', originOf(port) ?? i];
      // A published range for one container port lets the engine choose, one port per replica.
      const range = /^(\d+)-(\d+)$/.exec(port.published ?? '');
      if (range && Number(range[2]) - Number(range[1]) + 1 < svc.replicas) {
        report(
          path,
          `host ports ${port.published} are fewer than the ${svc.replicas} replicas that need one each`,
        );
      }
      if (port.published === undefined || range) return;
      const b: Binding = {
        service: svc.name,
        path,
        ip: port.host_ip ?? '',
        port: Number(port.published),
        protocol: port.protocol,
      };
      if (svc.replicas > 1) {
        report(
          path,
          `host port ${b.port}/${b.protocol} is fixed but the service has ${svc.replicas} replicas; publish a range or leave the host port out`,
        );
      }
      const key = `${b.port}/${b.protocol}`;
      let same = bindings.get(key);
      // A port that is not a number (NaN) equals no other.
      if (!same || Number.isNaN(b.port)) bindings.set(key, (same = []));
      const clash = same.find((o) => o.ip === b.ip || ANY_ADDRESS.has(o.ip) || ANY_ADDRESS.has(b.ip));
      if (clash) {
        const where =
          clash.service === svc.name ? 'another port of this service' : `service "${clash.service}"`;
        report(path, `host port ${formatBinding(b)} is already published by ${where}`);
      }
      same.push(b);
    });
  }
}

function formatBinding(b: Binding): string {
  const ip = b.ip === '' ? '' : b.ip.includes(':') ? `[${b.ip}]:` : `${b.ip}:`;
  return `${ip}${b.port}/${b.protocol}`;
}

/** The path of the entry naming `name` in a list-or-map field: `depends_on[1]` for lists, `depends_on.db` for maps. */
export function refPath(raw: RawProject, base: PathSegment[], name: string): PathSegment[] {
  const value = valueAt(raw.data, base);
  if (Array.isArray(value)) {
    const i = value.findIndex(
      (v) => v === name || (typeof v === 'string' && v.split(':')[0] === name.split(':')[0]),
    );
    return i >= 0 ? [...base, i] : base;
  }
  return [...base, name];
}

function valueAt(data: unknown, path: PathSegment[]): unknown {
  let cur = data;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return cur;
}

function rawServices(raw: RawProject): Record<string, unknown> {
  const s = raw.data.services;
  return s !== null && typeof s === 'object' && !Array.isArray(s) ? (s as Record<string, unknown>) : {};
}

function sorted(services: Record<string, ServiceSpec>): ServiceSpec[] {
  return Object.keys(services)
    .sort()
    .map((k) => services[k] as ServiceSpec);
}
