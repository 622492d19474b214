/**
 * One-off containers (`tsstack run`): a container of a service outside its replica set, labelled
 * io.tsstack.oneoff=true and named `<project>-<service>-run-<suffix>`, plus the networks and volumes it needs.
 */
import { randomBytes } from 'node:crypto';
import type { PortSpec, ServiceSpec, ServiceVolume, Stack } from '../spec/types.js';
import { desiredContainer } from './desired.js';
import type { DesiredContainer, DesiredState } from '../model/desired.js';
import type { ObservedState } from '../model/observed.js';
import { PlanBuilder, type Plan } from '../model/plan.js';

export interface OneOffOptions {
  command?: string[];
  entrypoint?: string[];
  /** Extra KEY=VALUE pairs, overriding the service's environment. */
  env?: string[];
  user?: string;
  workdir?: string;
  name?: string;
  /** Publish the service's ports (Compose's --service-ports); off by default. */
  servicePorts?: boolean;
  /** Ports to publish instead (`--publish`). */
  publish?: PortSpec[];
  /** Volumes mounted besides the service's (`--volume`). */
  volumes?: ServiceVolume[];
  /** Labels added or overriding the service's (`--label`). */
  labels?: Record<string, string>;
  capAdd?: string[];
  capDrop?: string[];
  /** Answer to the service's network aliases too (`--use-aliases`); by default only to its own name. */
  useAliases?: boolean;
  tty?: boolean;
  /** Keep stdin open (`-i`). */
  stdinOpen?: boolean;
  /** Close stdin when the attached client's input ends (set when tsstack attaches to it). */
  stdinOnce?: boolean;
  /** The engine removes the container when it exits (`run -d --rm`: nobody waits for it). */
  autoRemove?: boolean;
  imageId?: string;
}

/** The one-off container's desired form. */
export function oneOffContainer(stack: Stack, s: ServiceSpec, opts: OneOffOptions = {}): DesiredContainer {
  const name = opts.name ?? `${stack.name}-${s.name}-run-${randomBytes(6).toString('hex')}`;
  const service: ServiceSpec = {
    ...s,
    ports: opts.publish ?? (opts.servicePorts ? s.ports : []),
    volumes: [...s.volumes, ...(opts.volumes ?? [])],
  };
  const c = desiredContainer(stack, service, {
    replica: 0,
    name,
    oneoff: true,
    command: opts.command,
    imageId: opts.imageId,
  });
  const spec = c.spec;
  if (opts.entrypoint) spec.entrypoint = opts.entrypoint;
  if (opts.user) spec.user = opts.user;
  if (opts.workdir) spec.workingDir = opts.workdir;
  if (opts.env?.length) {
    const keys = new Set(opts.env.map((e) => e.split('=', 1)[0]));
    spec.env = [...spec.env.filter((e) => !keys.has(e.split('=', 1)[0])), ...opts.env];
  }
  if (opts.labels) spec.labels = { ...spec.labels, ...opts.labels };
  if (opts.capAdd?.length) spec.capAdd = [...(spec.capAdd ?? []), ...opts.capAdd];
  if (opts.capDrop?.length) spec.capDrop = [...(spec.capDrop ?? []), ...opts.capDrop];
  // A one-off answers to its own name only, not to the service's aliases, unless asked.
  if (!opts.useAliases) spec.networks = spec.networks.map((n) => ({ ...n, aliases: [name] }));
  // A one-off runs once, as in Compose: no restart policy (which the engine also refuses with autoRemove).
  spec.restartPolicy = undefined;
  if (opts.autoRemove) spec.autoRemove = true;
  spec.tty = opts.tty ?? false;
  spec.openStdin = opts.stdinOpen ?? false;
  spec.stdinOnce = opts.stdinOpen && opts.stdinOnce ? true : undefined;
  return c;
}

/**
 * Networks and volumes the container needs that do not exist yet, then create and start it (`start: false`
 * leaves the start to the caller, which attaches first so no output is missed).
 */
export function planOneOff(
  desired: DesiredState,
  observed: ObservedState,
  c: DesiredContainer,
  opts: { start?: boolean } = {},
): Plan {
  const b = new PlanBuilder();
  const haveNets = new Set(observed.networks.map((n) => n.name));
  const haveVols = new Set(observed.volumes.map((v) => v.name));
  const after: string[] = [];
  for (const n of desired.networks)
    if (!n.external && !haveNets.has(n.name) && c.spec.networks.some((a) => a.network === n.name))
      after.push(b.add({ kind: 'network.create', target: n.name, spec: n.spec, reason: 'no network' }));
  for (const v of desired.volumes)
    if (!v.external && !haveVols.has(v.name) && c.spec.mounts.some((m) => m.source === v.name))
      after.push(b.add({ kind: 'volume.create', target: v.name, spec: v.spec, reason: 'no volume' }));
  const create = b.add({
    kind: 'container.create',
    target: c.name,
    service: c.service,
    replica: 0,
    spec: c.spec,
    reason: 'run',
    after,
  });
  if (opts.start !== false)
    b.add({
      kind: 'container.start',
      target: c.name,
      service: c.service,
      replica: 0,
      ref: c.name,
      reason: 'run',
      after: [create],
    });
  return b.build();
}
