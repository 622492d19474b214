/**
 * What the engine refuses or leaves pending only once it is asked (names it will not take, host-mode
 * ports its scheduler cannot place on one node), found before anything is created. Pure. The rules are
 * swarmkit's, checked against Engine 20.10 and 26 (docs/swarm.md).
 */
import { originOf } from '../spec/normalize/origin.js';
import type { PathSegment, Stack } from '../spec/types.js';
import type { SwarmProblem } from './unsupported.js';

/** swarmkit's rule for service names: a DNS label of at most 63 characters. */
const SERVICE_NAME = /^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$/;
const SERVICE_NAME_MAX = 63;
/** Secret and config names: at most 64 characters; ours end in `_` and 10 hex digits of their content. */
const OBJECT_NAME_MAX = 64 - 11;

/** Service, secret and config names the swarm would refuse. */
export function checkSwarmNames(stack: Stack, errors: SwarmProblem[]): void {
  for (const key of Object.keys(stack.services)) {
    const name = `${stack.name}_${key}`;
    if (!SERVICE_NAME.test(name))
      errors.push({
        path: ['services', key],
        message: `Swarm service name "${name}" is not a DNS label: use letters, digits, "-" and "_", ending with a letter or digit`,
      });
    else if (name.length > SERVICE_NAME_MAX)
      errors.push({
        path: ['services', key],
        message: `Swarm service name "${name}" is longer than ${SERVICE_NAME_MAX} characters; shorten the project or service name`,
      });
  }
  for (const kind of ['secrets', 'configs'] as const) {
    for (const [key, obj] of Object.entries(stack[kind])) {
      if (obj.external || obj.name.length <= OBJECT_NAME_MAX) continue;
      errors.push({
        path: [kind, key],
        message: `Swarm ${kind.slice(0, -1)} names are at most 64 characters, and "${obj.name}" needs 11 more for its content hash; shorten it to ${OBJECT_NAME_MAX}`,
      });
    }
  }
}

/**
 * Host-mode ports the swarm accepts but places one task per node: a service with more replicas, or two
 * services on the same port, leave tasks pending ("host-mode port already in use") when nodes run out.
 */
export function checkHostPorts(stack: Stack, warnings: SwarmProblem[]): void {
  // The first service to publish each host-mode port, by port and protocol.
  const seen = new Map<string, string>();
  for (const s of Object.values(stack.services)) {
    const replicated = s.deploy?.mode !== 'global';
    s.ports.forEach((p, i) => {
      if (p.mode !== 'host' || p.published === undefined) return;
      const path: PathSegment[] = ['services', s.name, 'ports', originOf(p) ?? i];
      const port = `${p.published}/${p.protocol}`;
      if (replicated && s.replicas > 1)
        warnings.push({
          path,
          message: `host-mode port ${port} is bound on the node of each task, so Swarm runs at most one of the ${s.replicas} replicas per node; the rest stay pending on fewer nodes (leave mode: host out to publish through the routing mesh)`,
        });
      const other = seen.get(port);
      if (other !== undefined && other !== s.name)
        warnings.push({
          path,
          message: `host-mode port ${port} is also published by service "${other}"; Swarm runs their tasks on different nodes, so on one node one of them stays pending`,
        });
      else seen.set(port, s.name);
    });
  }
}
