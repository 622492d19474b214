/** `--scale svc=N` and `tsstack scale svc=N`: replica counts from the command line override the file. */
import { UsageError } from '../core/errors.js';
import type { Stack, Target } from '../spec/types.js';

/**
 * Parses `svc=N` arguments into a map (exit 2 on a malformed one, an unknown service, or on one engine a
 * fixed container name with more than one replica; Swarm refuses container_name whatever the count).
 */
export function parseScale(stack: Stack, args: string[], target: Target = 'local'): Record<string, number> {
  const out: Record<string, number> = {};
  for (const arg of args) {
    const m = /^([^=]+)=(\d+)$/.exec(arg);
    if (!m) throw new UsageError(`"${arg}" is not a scale (expected SERVICE=REPLICAS, e.g. web=3)`);
    const [, name = '', n = '0'] = m;
    if (!(name in stack.services))
      throw new UsageError(
        `no such service: ${name} (services: ${Object.keys(stack.services).sort().join(', ')})`,
      );
    const s = stack.services[name];
    if (target === 'local' && s?.container_name && Number(n) > 1)
      throw new UsageError(
        `service ${name} sets container_name, so it cannot have more than one replica (asked for ${n})`,
      );
    out[name] = Number(n);
  }
  return out;
}

/** The stack with the replica counts overridden (a new object; the input is not changed). */
export function withScale(stack: Stack, scale: Record<string, number>): Stack {
  const services = { ...stack.services };
  for (const [name, replicas] of Object.entries(scale)) {
    const s = services[name];
    if (s) services[name] = { ...s, replicas };
  }
  return { ...stack, services };
}
