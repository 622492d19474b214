/**
 * Published ports: before anything is created, every fixed host port a new container will publish is
 * checked by briefly binding it (tcp and udp), unless this project's own container of the same service
 * already holds it (a recreate frees it again). A taken port fails naming the service and the port.
 */
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { EngineError } from '../core/errors.js';
import type { ObservedState } from '../model/observed.js';
import type { Plan } from '../model/plan.js';

export interface PortClaim {
  service: string;
  /** A host process listens on it itself (checked on every address: 0.0.0.0 when none is given). */
  process?: boolean;
  hostIp: string;
  port: number;
  protocol: 'tcp' | 'udp';
}

/** Fixed host ports the plan's new containers publish and that the service does not already hold. */
export function portClaims(plan: Plan, observed: ObservedState): PortClaim[] {
  const claims = new Map<string, PortClaim>();
  for (const op of plan.operations) {
    if (op.kind !== 'container.create' || !op.service) continue;
    for (const p of op.spec.ports) {
      if (p.protocol === 'sctp' || !p.hostPort || !/^\d+$/.test(p.hostPort)) continue;
      const port = Number(p.hostPort);
      const hostIp = p.hostIp || '0.0.0.0';
      const held = observed.containers.some(
        (c) =>
          c.service === op.service &&
          c.summary.ports.some(
            (q) => q.hostPort === port && q.protocol === p.protocol && (q.hostIp ?? '0.0.0.0') === hostIp,
          ),
      );
      if (!held)
        claims.set(`${hostIp}:${port}/${p.protocol}`, {
          service: op.service,
          hostIp,
          port,
          protocol: p.protocol,
        });
    }
  }
  for (const op of plan.operations) {
    if (op.kind !== 'process.start' || !op.service) continue;
    // Its own earlier run still listening is stopped first (a recreate), or is the one being started.
    const held = (observed.processes ?? []).some((p) => p.name === op.target && p.pid > 0);
    if (held) continue;
    for (const p of op.spec.ports) {
      const hostIp = p.hostIp === 'localhost' ? '127.0.0.1' : (p.hostIp ?? '0.0.0.0');
      claims.set(`${hostIp}:${p.port}/tcp`, {
        service: op.service,
        process: true,
        hostIp,
        port: p.port,
        protocol: 'tcp',
      });
    }
  }
  return [...claims.values()];
}

/** True when the port can be bound now on that address (the socket is closed again at once). */
export function isPortFree(hostIp: string, port: number, protocol: 'tcp' | 'udp'): Promise<boolean> {
  return new Promise((resolve) => {
    if (protocol === 'udp') {
      const sock = createSocket(hostIp.includes(':') ? 'udp6' : 'udp4');
      sock.once('error', () => {
        sock.close();
        resolve(false);
      });
      sock.bind(port, hostIp, () => sock.close(() => resolve(true)));
      return;
    }
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: hostIp, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Fails with one message naming each service and port that is taken. */
export async function checkPortsFree(claims: PortClaim[]): Promise<void> {
  const results = await Promise.all(
    claims.map(async (c) => ({ c, free: await isPortFree(c.hostIp, c.port, c.protocol) })),
  );
  const taken = results.filter((r) => !r.free).map((r) => r.c);
  if (taken.length === 0) return;
  const lines = taken.map((c) =>
    c.process
      ? `process ${c.service}: port ${c.hostIp}:${c.port}/${c.protocol} is already in use (it listens there itself)`
      : `service ${c.service}: host port ${c.hostIp}:${c.port}/${c.protocol} is already in use`,
  );
  throw new EngineError(`${lines.join('\n')}\nnothing was created; free the port or change the mapping`);
}
