import type { SpecProblem } from './errors.js';
import { isImplicit } from './normalize/implicit-deps.js';
import { originOf } from './normalize/origin.js';
import { serviceDependencies } from './normalize/profiles.js';
import type { RawProject } from './raw.js';
import { suggest } from './suggest.js';
import type { PathSegment, Report, ServiceSpec, Stack, Target } from './types.js';
import { checkMountPoints } from './check-mounts.js';
import { checkNames } from './check-names.js';
import { checkPortClashes } from './check-ports.js';
import { checkProcesses } from './check-processes.js';
import { refPath } from './check-refs.js';

export interface CheckOptions {
  /** Where the stack will run: some checks hold on one engine only (docs/swarm.md lists them). */
  target: Target;
}

/** Checks what a schema cannot: unknown references, dependency cycles, clashing host ports and mount points, invalid names. */
export function checkStack(stack: Stack, raw: RawProject, { target }: CheckOptions): SpecProblem[] {
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
    // Swarm names task containers itself and refuses container_name outright (src/swarm/unsupported.ts).
    if (target === 'local') checkContainerName(svc, containerNames, report);
  }
  checkCycles(stack, raw, report);
  checkProcesses(stack, raw, target, report);
  checkPortClashes(stack, target, report);
  checkNames(stack, raw, report);
  return problems;
}

// One engine names each replica's container; a fixed name fits one container of one service.
function checkContainerName(svc: ServiceSpec, taken: Map<string, string>, report: Report): void {
  if (svc.container_name === undefined) return;
  const other = taken.get(svc.container_name);
  if (other !== undefined)
    report(
      ['services', svc.name, 'container_name'],
      `container_name "${svc.container_name}" is also used by service "${other}"`,
    );
  else taken.set(svc.container_name, svc.name);
  if (svc.replicas > 1)
    report(
      ['services', svc.name, 'container_name'],
      `container_name "${svc.container_name}" cannot be used with ${svc.replicas} replicas (container names are unique)`,
    );
}

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
    if (Object.hasOwn(stack.processes, dep))
      report(
        refPath(raw, [...base, 'depends_on'], dep),
        `"${dep}" is a host process: wait for it under x-tsstack.depends_on, which Compose ignores`,
        'key',
      );
    // `required: false` tolerates a missing service, as Compose does. Implicit entries are reported below,
    // at the key that implies them.
    else if (!known.has(dep) && cfg.required && !isImplicit(cfg))
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
  checkBuildReferences(svc, stack, known, report);
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

/** `build.secrets` name top-level secrets; `build.additional_contexts` `service:NAME` names a service. */
function checkBuildReferences(svc: ServiceSpec, stack: Stack, known: Set<string>, report: Report): void {
  const base: PathSegment[] = ['services', svc.name, 'build'];
  svc.build?.secrets?.forEach((ref, i) => {
    if (ref.source in stack.secrets) return;
    const hint = suggest(ref.source, Object.keys(stack.secrets));
    report(
      [...base, 'secrets', originOf(ref) ?? i],
      `secret "${ref.source}" is not declared under top-level secrets${hint ? ` (did you mean "${hint}"?)` : ''}`,
    );
  });
  for (const [name, where] of Object.entries(svc.build?.additional_contexts ?? {})) {
    if (!where.startsWith('service:')) continue;
    const target = where.slice('service:'.length);
    const path = [...base, 'additional_contexts', name];
    if (target === svc.name) report(path, `a service cannot use its own image as a build context`);
    else if (!known.has(target)) {
      const hint = suggest(target, known);
      report(path, `"${target}" is not a service in this stack${hint ? ` (did you mean "${hint}"?)` : ''}`);
    }
  }
}

// Each cycle is reported once, starting from its alphabetically first member: `a → b → c → a`. Services and
// host processes are one graph: a service waits for a process through x-tsstack.depends_on, and back.
function checkCycles(stack: Stack, raw: RawProject, report: Report): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const seen = new Set<string>();
  const stackPath: string[] = [];
  const known = (name: string) => Object.hasOwn(stack.services, name) || Object.hasOwn(stack.processes, name);
  const visit = (name: string): void => {
    state.set(name, 'visiting');
    stackPath.push(name);
    for (const dep of [...new Set(workloadDependencies(stack, name))].sort()) {
      if (!known(dep)) continue;
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
            workloadDependencyPath(stack, first, next, raw),
            `dependency cycle: ${[...rotated, first].join(' → ')}`,
            'key',
          );
        }
      } else if (!state.has(dep)) visit(dep);
    }
    stackPath.pop();
    state.set(name, 'done');
  };
  const names = [...Object.keys(stack.services), ...Object.keys(stack.processes)].sort();
  for (const name of names) if (!state.has(name)) visit(name);
}

/** What a service or a host process waits for. */
function workloadDependencies(stack: Stack, name: string): string[] {
  const svc = Object.hasOwn(stack.services, name) ? stack.services[name] : undefined;
  if (svc) return [...serviceDependencies(svc), ...Object.keys(svc.process_depends_on)];
  return Object.keys(stack.processes[name]?.depends_on ?? {});
}

function workloadDependencyPath(stack: Stack, name: string, dep: string, raw: RawProject): PathSegment[] {
  const svc = Object.hasOwn(stack.services, name) ? stack.services[name] : undefined;
  if (!svc) return refPath(raw, ['x-tsstack', 'processes', name, 'depends_on'], dep);
  if (dep in svc.process_depends_on && !(dep in svc.depends_on))
    return refPath(raw, ['services', name, 'x-tsstack', 'depends_on'], dep);
  return dependencyPath(svc, dep, raw);
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

function rawServices(raw: RawProject): Record<string, unknown> {
  const s = raw.data.services;
  return s !== null && typeof s === 'object' && !Array.isArray(s) ? (s as Record<string, unknown>) : {};
}

function sorted(services: Record<string, ServiceSpec>): ServiceSpec[] {
  return Object.keys(services)
    .sort()
    .map((k) => services[k] as ServiceSpec);
}
