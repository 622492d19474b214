/**
 * Checks that know their target, through the built CLI (issue 14 item 2): a fixed published port with two
 * replicas is refused for one engine and deployed for Swarm, where the routing mesh serves it. A single-node
 * swarm is initialised only when the engine is in none, and left afterwards only then (startSwarmSession).
 * This machine has no IPVS, so the mesh itself cannot answer here: the test asserts the service, its
 * published port and 2/2 running tasks, not a request through the port.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  docker,
  eventually,
  freePort,
  projectObjects,
  tsstack,
  uniqueName,
} from '../integration/helpers/stack-cli.js';
import {
  removeSwarmProject,
  startSwarmSession,
  type SwarmSession,
} from '../integration/helpers/swarm-session.js';

const project = uniqueName('t-e2e-mesh');
const refused = uniqueName('t-e2e-mesh-bad');
let session: SwarmSession | undefined;
let dir = '';
let file = '';
let port = 0;

const filter = (p: string) => JSON.stringify({ label: [`io.tsstack.project=${p}`] });

interface PsRow {
  Service: string;
  Desired: number;
  Running: number;
}

async function swarmPs(): Promise<PsRow[]> {
  const r = await tsstack(['-f', file, 'ps', '--target', 'swarm', '--format', 'json']);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as PsRow);
}

beforeAll(async () => {
  session = await startSwarmSession();
  dir = mkdtempSync(path.join(tmpdir(), 'tsstack-e2e-mesh-'));
  file = path.join(dir, 'stack.yml');
  port = await freePort();
  writeFileSync(
    file,
    `name: ${project}
services:
  web:
    image: tsstack-test/busybox:latest
    command: sh -c 'echo hi > /tmp/i.html && exec httpd -f -p 8080 -h /tmp'
    ports: ["${port}:8080"]
    stop_grace_period: 1s
    deploy: { replicas: 2 }
`,
  );
}, 660_000);

afterAll(async () => {
  try {
    for (const p of [project, refused]) await removeSwarmProject(p);
    if (dir) rmSync(dir, { recursive: true, force: true });
  } finally {
    await session?.end();
  }
}, 180_000);

describe('a fixed published port with 2 replicas', () => {
  it('is refused for the local engine: exit 2 naming file:line:col, nothing created', async () => {
    const r = await tsstack(['-f', file, 'up', '-d']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `stack.yml:6:13 services.web.ports[0]: host port ${port}/tcp is fixed but the service has 2 replicas`,
    );
    expect((await projectObjects(project)).containers).toEqual([]);
  });

  it('is deployed by up -d --target swarm: published in ingress mode, 2/2 tasks running', async () => {
    const up = await tsstack(['-f', file, 'up', '-d', '--target', 'swarm'], {}, 150_000);
    expect(up.stderr).not.toMatch(/error|warning/i);
    expect(up.code).toBe(0);
    const services = await docker.listServices({ filters: filter(project) });
    expect(services.map((s) => s.Spec?.Name)).toEqual([`${project}_web`]);
    const spec = services[0]?.Spec as {
      Mode: { Replicated?: { Replicas: number } };
      EndpointSpec: { Ports: unknown[] };
    };
    expect(spec.Mode.Replicated?.Replicas).toBe(2);
    expect(spec.EndpointSpec.Ports).toEqual([
      { Protocol: 'tcp', TargetPort: 8080, PublishedPort: port, PublishMode: 'ingress' },
    ]);
    const running = async () => {
      const [web] = await swarmPs();
      return web?.Service === 'web' && web.Running === 2 && web.Desired === 2;
    };
    expect(await eventually(running, 90_000, 500)).toBe(true);
    const tasks = await docker.listTasks({
      filters: JSON.stringify({ service: [`${project}_web`], 'desired-state': ['running'] }),
    });
    expect(tasks.map((t) => (t as { Status?: { State?: string } }).Status?.State)).toEqual([
      'running',
      'running',
    ]);
  }, 180_000);

  it('down --target swarm removes the service', async () => {
    const down = await tsstack(['-f', file, 'down', '--target', 'swarm'], {}, 120_000);
    expect(down.code).toBe(0);
    expect(await docker.listServices({ filters: filter(project) })).toEqual([]);
  }, 150_000);
});

describe('host ports Swarm itself refuses', () => {
  /** `up -d --target swarm` of `yaml` as `name`: exit 2 with the message, and no service or network made. */
  async function refusedUp(name: string, yaml: string, message: string): Promise<void> {
    const f = path.join(dir, name);
    writeFileSync(f, `name: ${refused}\nservices:\n${yaml}`);
    const r = await tsstack(['-f', f, 'up', '-d', '--target', 'swarm'], {}, 60_000);
    expect(r.stderr).toContain(message);
    expect(r.code).toBe(2);
    expect(await docker.listServices({ filters: filter(refused) })).toEqual([]);
    expect(await docker.listNetworks({ filters: filter(refused) })).toEqual([]);
  }

  it('an ingress port that another service publishes too (in any mode)', async () => {
    await refusedUp(
      'clash.yml',
      `  a:
    image: tsstack-test/busybox:latest
    ports: ["${port}:80"]
  b:
    image: tsstack-test/busybox:latest
    ports: [{ target: 80, published: ${port}, mode: host }]
`,
      `clash.yml:8:13 services.b.ports[0]: host port ${port}/tcp is already published by service "a"`,
    );
  });

  it('an ingress-mode port on a service with endpoint_mode: dnsrr', async () => {
    await refusedUp(
      'dnsrr.yml',
      `  a:
    image: tsstack-test/busybox:latest
    ports: ["80"]
    deploy: { endpoint_mode: dnsrr }
`,
      'dnsrr.yml:5:13 services.a.ports[0]: Swarm serves an ingress-mode port through a virtual IP',
    );
  });
});
