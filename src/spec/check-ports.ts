/**
 * Host ports that cannot all be published, by the rules of the engine the stack goes to (docs/swarm.md
 * lists the Swarm ones and how they were found). Pure.
 */
import type { Report } from './types.js';
import { originOf } from './normalize/origin.js';
import type { PathSegment, PortSpec, Stack, Target } from './types.js';

interface Binding {
  service: string;
  path: PathSegment[];
  ip: string;
  port: number;
  protocol: PortSpec['protocol'];
  mode: NonNullable<PortSpec['mode']>;
}

const ANY_ADDRESS = new Set(['', '0.0.0.0', '::']);

const SWARM_INGRESS_CLASH =
  ' (on Swarm a port published in ingress mode is taken on every node, so no other service can publish it)';

/**
 * Whether `b` cannot be published beside the earlier `a` (same port number and protocol).
 * Local: one engine binds each address once, so only different specific addresses coexist.
 * Swarm (swarmkit's own checks): one service cannot publish a port twice in any mode; an ingress port is
 * taken on every node for every other service; two services' host-mode ports coexist, because the
 * scheduler keeps their tasks on different nodes.
 */
function clashes(a: Binding, b: Binding, target: Target): boolean {
  if (target === 'local') return a.ip === b.ip || ANY_ADDRESS.has(a.ip) || ANY_ADDRESS.has(b.ip);
  return a.service === b.service || a.mode === 'ingress' || b.mode === 'ingress';
}

/** Reports host ports published twice, and (on one engine) fixed ports of replicated services. */
export function checkPortClashes(stack: Stack, target: Target, report: Report): void {
  // By port and protocol, in file order, so a clash is reported at the later of the two services.
  const bindings = new Map<string, Binding[]>();
  for (const svc of Object.values(stack.services)) {
    svc.ports.forEach((port, i) => {
      const path: PathSegment[] = ['services', svc.name, 'ports', originOf(port) ?? i];
      const range = /^(\d+)-(\d+)$/.exec(port.published ?? '');
      // Swarm publishes no ranges (the swarm target refuses them) and serves a fixed port from any number
      // of tasks, so the replica counts below matter on one engine only.
      if (target === 'local') replicaProblems(port, svc.replicas, range, path, report);
      if (port.published === undefined || range) return;
      const b: Binding = {
        service: svc.name,
        path,
        // Swarm publishes on every address (the swarm target refuses host_ip).
        ip: target === 'local' ? (port.host_ip ?? '') : '',
        port: Number(port.published),
        protocol: port.protocol,
        mode: port.mode ?? 'ingress',
      };
      const key = `${b.port}/${b.protocol}`;
      let same = bindings.get(key);
      // A port that is not a number (NaN) equals no other.
      if (!same || Number.isNaN(b.port)) bindings.set(key, (same = []));
      const clash = same.find((a) => clashes(a, b, target));
      if (clash) {
        const where =
          clash.service === svc.name ? 'another port of this service' : `service "${clash.service}"`;
        // Swarm's only clash between two services: an ingress port, which the routing mesh takes on every node.
        const why = target === 'swarm' && clash.service !== svc.name ? SWARM_INGRESS_CLASH : '';
        report(path, `host port ${formatBinding(b)} is already published by ${where}${why}`);
      }
      same.push(b);
    });
  }
  // Host processes listen on the machine itself, beside the engine's published ports.
  if (target !== 'local') return;
  for (const proc of Object.values(stack.processes)) {
    proc.ports.forEach((port, i) => {
      const b: Binding = {
        service: proc.name,
        path: ['x-tsstack', 'processes', proc.name, 'ports', i],
        ip: port.host_ip === 'localhost' ? '127.0.0.1' : (port.host_ip ?? ''),
        port: port.port,
        protocol: 'tcp',
        mode: 'host',
      };
      const key = `${b.port}/${b.protocol}`;
      const same = bindings.get(key) ?? [];
      bindings.set(key, same);
      const clash = same.find((a) => clashes(a, b, target));
      if (clash) {
        const who = stack.processes[clash.service] ? 'process' : 'service';
        const where =
          clash.service === proc.name ? 'another port of this process' : `${who} "${clash.service}"`;
        report(b.path, `port ${formatBinding(b)} is also used by ${where}`);
      }
      same.push(b);
    });
  }
}

// One engine gives each replica its own container, and each container its own host port.
function replicaProblems(
  port: PortSpec,
  replicas: number,
  range: RegExpExecArray | null,
  path: PathSegment[],
  report: Report,
): void {
  if (range && Number(range[2]) - Number(range[1]) + 1 < replicas)
    report(path, `host ports ${port.published} are fewer than the ${replicas} replicas that need one each`);
  if (!range && port.published !== undefined && replicas > 1)
    report(
      path,
      `host port ${Number(port.published)}/${port.protocol} is fixed but the service has ${replicas} replicas; publish a range or leave the host port out`,
    );
}

function formatBinding(b: Binding): string {
  const ip = b.ip === '' ? '' : b.ip.includes(':') ? `[${b.ip}]:` : `${b.ip}:`;
  return `${ip}${b.port}/${b.protocol}`;
}
