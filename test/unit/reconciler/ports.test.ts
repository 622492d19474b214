import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { checkPortsFree, isPortFree, portClaims } from '../../../src/network/ports.js';
import { FakeRuntime } from '../../../src/runtime/fake.js';
import { planFor, up } from '../helpers/converge.js';
import { observe } from '../../../src/reconciler/observe.js';
import { makeStack } from '../helpers/stack-factory.js';

let server: Server | undefined;
afterEach(() => {
  server?.close();
  server = undefined;
});

function listen(): Promise<number> {
  return new Promise((resolve) => {
    server = createServer();
    server.listen({ host: '127.0.0.1', port: 0 }, () =>
      resolve((server?.address() as { port: number }).port),
    );
  });
}

describe('host port checks', () => {
  it('finds a taken tcp port and a free one', async () => {
    const port = await listen();
    expect(await isPortFree('127.0.0.1', port, 'tcp')).toBe(false);
    server?.close();
    await new Promise((r) => setTimeout(r, 10));
    expect(await isPortFree('127.0.0.1', port, 'tcp')).toBe(true);
    expect(await isPortFree('127.0.0.1', port, 'udp')).toBe(true);
  });

  it('fails naming the service and the port', async () => {
    const port = await listen();
    const fake = new FakeRuntime();
    fake.addImage('tsstack-test/busybox:latest');
    const stack = makeStack('demo', {
      web: { ports: [{ target: 80, published: String(port), host_ip: '127.0.0.1', protocol: 'tcp' }] },
    });
    const plan = await planFor(fake, stack);
    const claims = portClaims(plan, await observe(fake, 'demo'));
    expect(claims).toEqual([{ service: 'web', hostIp: '127.0.0.1', port, protocol: 'tcp' }]);
    await expect(checkPortsFree(claims)).rejects.toThrow(
      `service web: host port 127.0.0.1:${port}/tcp is already in use`,
    );
  });

  it("skips ports this project's own container of the service already holds, and ephemeral ones", async () => {
    const fake = new FakeRuntime();
    fake.addImage('tsstack-test/busybox:latest');
    const ports = [
      { target: 80, published: '18099', host_ip: '127.0.0.1', protocol: 'tcp' as const },
      { target: 81, protocol: 'tcp' as const },
    ];
    await up(fake, makeStack('demo', { web: { ports } }));
    const changed = makeStack('demo', { web: { ports, environment: { A: '1' } } });
    const plan = await planFor(fake, changed);
    expect(plan.operations.some((o) => o.kind === 'container.create')).toBe(true);
    expect(portClaims(plan, await observe(fake, 'demo'))).toEqual([]);
  });
});
