// The init container the Kubernetes export generates for depends_on, run for real: on a Docker network the
// dependency's name resolves like a Service name does in a cluster. It must keep waiting while nothing
// listens, and exit 0 once the dependency accepts connections.
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import { toKubernetes } from '../../src/export/kubernetes/index.js';
import { service, stack } from '../unit/export/factory.js';

const PROJECT = `t-export-${randomBytes(4).toString('hex')}`;
const LABELS = { 'io.tsstack.project': PROJECT };
const IMAGE = 'tsstack-test/busybox:latest';
const docker = new Docker();

async function until(check: () => Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

afterAll(async () => {
  const containers = await docker.listContainers({
    all: true,
    filters: { label: [`io.tsstack.project=${PROJECT}`] },
  });
  for (const c of containers) await docker.getContainer(c.Id).remove({ force: true });
  const networks = await docker.listNetworks({ filters: { label: [`io.tsstack.project=${PROJECT}`] } });
  for (const n of networks) await docker.getNetwork(n.Id).remove();
});

describe('exported depends_on wait', () => {
  it('waits while the dependency is down and finishes when it listens', async () => {
    const s = stack(PROJECT, [
      service('web', { image: IMAGE, expose: ['8080'] }),
      service('client', {
        image: IMAGE,
        depends_on: { web: { condition: 'service_started', required: true, restart: false } },
      }),
    ]);
    const { objects } = toKubernetes(s, { readFile: () => new Uint8Array(), initImage: IMAGE });
    const client = objects.find((o) => o.kind === 'Deployment' && o.metadata?.name === 'client');
    const init = client?.kind === 'Deployment' ? client.spec?.template.spec?.initContainers?.[0] : undefined;
    expect(init?.image).toBe(IMAGE);
    const command = init?.command ?? [];
    expect(command.length).toBeGreaterThan(0);

    const net = await docker.createNetwork({ Name: `${PROJECT}_default`, Labels: LABELS });
    const waiter = await docker.createContainer({
      name: `${PROJECT}-wait`,
      Image: IMAGE,
      Entrypoint: command,
      Labels: LABELS,
      HostConfig: { NetworkMode: net.id },
    });
    await waiter.start();
    const logs = async (): Promise<string> =>
      (await waiter.logs({ stdout: true, stderr: true })).toString('utf8');
    await until(async () => (await logs()).includes('waiting for web:8080'), 'the first failed attempt');
    expect((await waiter.inspect()).State.Running).toBe(true);

    const web = await docker.createContainer({
      name: `${PROJECT}-web`,
      Image: IMAGE,
      Cmd: ['httpd', '-f', '-p', '8080'],
      Labels: LABELS,
      HostConfig: { NetworkMode: net.id },
      NetworkingConfig: { EndpointsConfig: { [net.id]: { Aliases: ['web'] } } },
    });
    await web.start();
    await until(async () => !(await waiter.inspect()).State.Running, 'the wait to finish');
    expect((await waiter.inspect()).State.ExitCode).toBe(0);
  });
});
