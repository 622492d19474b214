/**
 * Placement across two swarm nodes on one machine: a second dockerd in its own network namespace (veth to
 * the host, its own data/exec root and socket, its own hostname) joins as a worker the swarm this file
 * initialises on the main engine, advertised on the host end of the veth. A second stack checks that a task on
 * the worker reaches one on the manager over the overlay network (VXLAN). Everything is removed afterwards:
 * the stack, the worker's daemon, netns, veth and data directory, and the swarm itself.
 *
 * It needs the engine out of any swarm at the start (it cannot re-advertise someone else's), root, and
 * ip/nsenter/unshare/dockerd; otherwise the test is skipped, saying why. swarm.test.ts and this file take
 * the same lock (helpers/swarm-lock.ts), so they never hold a swarm at the same time.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, docker, eventually, spawnCli, stopCli, tsstack, uniqueName } from './helpers/stack-cli.js';
import { startRegistry, type TestRegistry } from './helpers/registry.js';
import { acquireSwarmLock } from './helpers/swarm-lock.js';
import { forwardHere, forwardInNetns } from './helpers/tcp-forward.js';
import { removeGwbridge } from './helpers/swarm-session.js';

const IMAGE = 'tsstack-test/busybox:latest';
const SCRIPT = path.join(ROOT, 'scripts/swarm-second-node.sh');
const project = uniqueName('t-swarm-nodes');
// A project of its own: reusing the first test's project, the `up` right after that project's `down` failed
// with "create service <project>_web: network <project>_default not found" (down does not wait for the
// tasks and the network to be gone).
const overlayProject = uniqueName('t-swarm-overlay');
const node2 = `tsn2${uniqueName('x').slice(2, 8)}`;
const registryProject = uniqueName('t-swarm-registry');
let managerAddr = '';
let releaseLock = () => undefined as void;
let skipReason = '';
let nodeUp = false;
let initialisedHere = false;
let gwbridgeBefore = true;
let worker: Docker | undefined;
let managerHost = '';
let dir = '';

function freeSubnet(): string {
  const routes = execFileSync('ip', ['-4', 'route'], { encoding: 'utf8' });
  for (let i = 0; i < 50; i++) {
    const prefix = `10.231.${randomInt(0, 256)}`;
    if (!routes.includes(`${prefix}.`)) return prefix;
  }
  throw new Error('no free 10.231.x.0/30 subnet');
}

beforeAll(async () => {
  const missing = ['ip', 'nsenter', 'unshare', 'dockerd'].filter(
    (t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0,
  );
  if (process.getuid?.() !== 0 || missing.length > 0) {
    skipReason = `needs root and ${missing.join(', ') || 'nothing else'}`;
    return;
  }
  releaseLock = await acquireSwarmLock();
  const info = (await docker.info()) as { Swarm?: { LocalNodeState?: string } };
  if (info.Swarm?.LocalNodeState !== 'inactive') {
    skipReason = `the engine is already in a swarm (${info.Swarm?.LocalNodeState}); this test initialises its own`;
    return;
  }
  const out = execFileSync('bash', [SCRIPT, 'up', node2, freeSubnet()], { encoding: 'utf8' });
  nodeUp = true;
  const env = Object.fromEntries(
    out
      .trim()
      .split('\n')
      .map((l) => l.split('=', 2) as [string, string]),
  );
  worker = new Docker({ socketPath: env.SOCKET!.replace('unix://', '') });
  managerAddr = env.MANAGER_ADDR!;
  gwbridgeBefore = (await docker.listNetworks({ filters: { name: ['docker_gwbridge'] } })).some(
    (n) => n.Name === 'docker_gwbridge',
  );
  await docker.swarmInit({ ListenAddr: `${env.MANAGER_ADDR}:2377`, AdvertiseAddr: env.MANAGER_ADDR });
  initialisedHere = true;
  const swarm = (await docker.swarmInspect()) as { JoinTokens: { Worker: string } };
  await worker.swarmJoin({
    ListenAddr: `${env.WORKER_ADDR}:2377`,
    AdvertiseAddr: env.WORKER_ADDR,
    RemoteAddrs: [`${env.MANAGER_ADDR}:2377`],
    JoinToken: swarm.JoinTokens.Worker,
  });
  // No registry: the worker gets the test image from the main engine.
  const image = await docker.getImage(IMAGE).get();
  await worker.loadImage(image);
  const nodes = (await docker.listNodes()) as {
    Description?: { Hostname?: string };
    Spec?: { Role?: string };
  }[];
  managerHost = nodes.find((n) => n.Spec?.Role === 'manager')?.Description?.Hostname ?? '';
  dir = mkdtempSync(path.join(tmpdir(), 'tsstack-swarm-nodes-'));
}, 660_000);

afterAll(async () => {
  try {
    if (initialisedHere)
      for (const p of [project, overlayProject, registryProject]) {
        const filters = JSON.stringify({ label: [`io.tsstack.project=${p}`] });
        for (const s of await docker.listServices({ filters }))
          await docker
            .getService(s.ID)
            .remove()
            .catch(() => undefined);
        await eventually(
          async () => (await docker.listContainers({ all: true, filters })).length === 0,
          30_000,
        );
        for (const n of await docker.listNetworks({ filters }))
          await docker
            .getNetwork(n.Id)
            .remove()
            .catch(() => undefined);
      }
    await worker?.swarmLeave({ force: true }).catch(() => undefined);
    if (nodeUp) execFileSync('bash', [SCRIPT, 'down', node2]);
    if (initialisedHere) {
      await docker.swarmLeave({ force: true });
      if (!gwbridgeBefore) await removeGwbridge();
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  } finally {
    releaseLock();
  }
}, 180_000);

describe('--target swarm on two nodes (a worker in its own network namespace)', () => {
  it('places tasks by hostname constraint and spread, and the live view shows each task on its node with logs from the worker', async (ctx) => {
    if (skipReason) ctx.skip(skipReason);
    const file = path.join(dir, 'stack.yml');
    writeFileSync(
      file,
      `name: ${project}
services:
  pinned:
    image: ${IMAGE}
    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do echo pinned-alive; sleep 0.5; done"]
    stop_grace_period: 1s
    deploy:
      placement:
        constraints: ["node.hostname == ${node2}"]
  spread:
    image: ${IMAGE}
    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]
    stop_grace_period: 1s
    deploy:
      replicas: 2
      placement:
        max_replicas_per_node: 1
`,
    );
    const cli = spawnCli(['-f', file, 'up', '--target', 'swarm', '--log-format', 'json']);
    const { child } = cli;
    const lines = cli.jsonLines;
    // The node each slot's task last reported running on.
    const runningOn = () => {
      const at = new Map<string, unknown>();
      for (const e of lines())
        if (e.event === 'task_running') at.set(`${String(e.service)}.${String(e.replica)}`, e.node);
      return at;
    };
    try {
      const placed = await eventually(
        async () => {
          const at = runningOn();
          const spread = [at.get('spread.1'), at.get('spread.2')].sort();
          const logged = lines().some((e) => e.service === 'pinned' && e.message === 'pinned-alive');
          return (
            at.get('pinned.1') === node2 && spread.join() === [managerHost, node2].sort().join() && logged
          );
        },
        90_000,
        250,
      );
      expect(placed, `stdout:\n${cli.out.stdout}\nstderr:\n${cli.out.stderr}`).toBe(true);
    } finally {
      child.kill('SIGTERM');
    }
    // Never leave the CLI behind, even when it does not detach.
    expect(await stopCli(cli)).toBe(0);

    // The worker's own engine runs the pinned task's container and one of the spread ones.
    const onWorker = (await worker!.listContainers())
      .map((c) => c.Labels['com.docker.swarm.service.name'])
      .sort();
    expect(onWorker).toEqual([`${project}_pinned`, `${project}_spread`]);
    const ps = await tsstack(['-f', file, 'ps', '--target', 'swarm', '--format', 'json']);
    const rows = ps.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { Service: string; Tasks: { Node: string }[] });
    const nodes = rows.flatMap((r) => r.Tasks.map((t) => `${r.Service}@${t.Node}`)).sort();
    expect(nodes).toEqual([`pinned@${node2}`, `spread@${managerHost}`, `spread@${node2}`].sort());
    const down = await tsstack(['-f', file, 'down', '--target', 'swarm'], {}, 150_000);
    expect(down.code).toBe(0);
  }, 240_000);

  it('carries traffic over the overlay network between a task on the manager and one on the worker', async (ctx) => {
    if (skipReason) ctx.skip(skipReason);
    const token = `overlay-body-${randomInt(1e9)}`;
    const file = path.join(dir, 'overlay.yml');
    // web (httpd, dnsrr: no IPVS here) on the manager; probe on the worker resolves web by name on the
    // stack's default overlay and fetches by address (busybox's static wget cannot resolve names itself).
    writeFileSync(
      file,
      `name: ${overlayProject}
services:
  web:
    image: ${IMAGE}
    command: ["sh", "-c", "mkdir -p /www && echo ${token} > /www/index.html && exec httpd -f -p 8080 -h /www"]
    stop_grace_period: 1s
    deploy:
      endpoint_mode: dnsrr
      placement:
        constraints: ["node.role == manager"]
  probe:
    image: ${IMAGE}
    command:
      - sh
      - -c
      - >-
        trap 'exit 0' TERM; while true; do
        ips=$$(nslookup web 2>/dev/null | sed -n 's/^Address: \\([0-9.]*\\)$$/\\1/p');
        [ -n "$$ips" ] || echo probe-fail no-address;
        for ip in $$ips; do
        body=$$(timeout 3 wget -q -O - http://$$ip:8080/index.html) && echo "probe-got $$ip $$body" || echo "probe-fail $$ip";
        done; sleep 0.5; done
    stop_grace_period: 1s
    deploy:
      placement:
        constraints: ["node.hostname == ${node2}"]
`,
    );
    const cli = spawnCli(['-f', file, 'up', '--target', 'swarm', '--log-format', 'json']);
    const { child } = cli;
    const lines = cli.jsonLines;
    const runningOn = (service: string) =>
      lines()
        .filter((e) => e.event === 'task_running' && e.service === service)
        .map((e) => e.node)
        .at(-1);
    const probeLog = () =>
      lines()
        .filter((e) => e.service === 'probe' && typeof e.message === 'string')
        .map((e) => String(e.message));
    try {
      const arrived = await eventually(
        async () =>
          runningOn('web') === managerHost &&
          runningOn('probe') === node2 &&
          probeLog().some((m) => m.startsWith('probe-got ') && m.endsWith(` ${token}`)),
        60_000,
        250,
      );
      expect(
        arrived,
        `probe log:\n${probeLog().slice(-20).join('\n')}\nstdout:\n${cli.out.stdout.slice(-4000)}\nstderr:\n${cli.out.stderr}`,
      ).toBe(true);
    } finally {
      child.kill('SIGTERM');
    }
    // Never leave the CLI behind, even when it does not detach.
    expect(await stopCli(cli)).toBe(0);
    // The fetched address is web's task address on the overlay, and the probe ran in the worker's engine.
    const webTask = (
      (await docker.listTasks({
        filters: JSON.stringify({ service: [`${overlayProject}_web`], 'desired-state': ['running'] }),
      })) as { NetworksAttachments?: { Network: { Spec: { Name: string } }; Addresses: string[] }[] }[]
    )[0];
    const overlay = webTask?.NetworksAttachments?.find(
      (a) => a.Network.Spec.Name === `${overlayProject}_default`,
    );
    const webIp = overlay?.Addresses[0]?.split('/')[0];
    expect(webIp).toBeTruthy();
    expect(probeLog()).toContain(`probe-got ${webIp} ${token}`);
    // (The first test's tasks may still be stopping on the worker: its down does not wait for them.)
    const onWorker = (await worker!.listContainers())
      .map((c) => c.Labels['com.docker.swarm.service.name'] ?? '')
      .filter((n) => n.startsWith(`${overlayProject}_`));
    expect(onWorker).toEqual([`${overlayProject}_probe`]);
    const down = await tsstack(['-f', file, 'down', '--target', 'swarm'], {}, 150_000);
    expect(down.code).toBe(0);
  }, 150_000);

  it('deploys a service whose image exists only in a private registry: the worker pulls it with the credentials', async (ctx) => {
    if (skipReason) ctx.skip(skipReason);
    let reg: TestRegistry | undefined;
    const closers: (() => unknown)[] = [];
    try {
      reg = await startRegistry();
      const port = Number(reg.address.split(':')[1]);
      // The worker's 127.0.0.1 is its own: its loopback port leads to the host end of the veth, which leads
      // to the registry on the host's loopback.
      const host = await forwardHere(managerAddr, port, '127.0.0.1');
      closers.push(() => host.close());
      const inWorker = await forwardInNetns(node2, '127.0.0.1', port, managerAddr);
      closers.push(() => inWorker.kill());
      const image = `${reg.address}/${registryProject}/app:1`;
      const env = { DOCKER_CONFIG: reg.dockerConfig };
      const buildDir = path.join(dir, 'registry-app');
      mkdirSync(buildDir, { recursive: true });
      writeFileSync(
        path.join(buildDir, 'Dockerfile'),
        `FROM ${IMAGE}\nRUN echo only-in-the-registry > /where\n`,
      );
      const buildFile = path.join(dir, 'registry-build.yml');
      writeFileSync(
        buildFile,
        `name: ${registryProject}\nservices:\n  app:\n    build: ./registry-app\n    image: ${image}\n`,
      );
      const built = await tsstack(['-f', buildFile, 'build', '--push'], env, 180_000);
      expect(built.code, built.stderr).toBe(0);
      await docker
        .getImage(image)
        .remove({ force: true })
        .catch(() => undefined);
      expect((await worker!.listImages()).flatMap((i) => i.RepoTags ?? [])).not.toContain(image);
      const file = path.join(dir, 'registry.yml');
      writeFileSync(
        file,
        `name: ${registryProject}
services:
  app:
    image: ${image}
    command: ["sh", "-c", "cat /where; trap 'exit 0' TERM; while true; do sleep 1; done"]
    stop_grace_period: 1s
    deploy:
      placement:
        constraints: ["node.hostname == ${node2}"]
`,
      );
      const up = await tsstack(['-f', file, 'up', '--target', 'swarm', '-d'], env, 120_000);
      expect(up.code, up.stderr).toBe(0);
      const running = await eventually(
        async () => (await worker!.listContainers()).some((c) => c.Image.startsWith(image)),
        90_000,
        500,
      );
      const tasks = (await docker.listTasks({
        filters: JSON.stringify({ service: [`${registryProject}_app`] }),
      })) as { Status?: { State?: string; Err?: string } }[];
      expect(running, JSON.stringify(tasks.map((t) => t.Status))).toBe(true);
      expect([built, up].map((r) => r.stdout + r.stderr).join('')).not.toContain(reg.password);
      const down = await tsstack(['-f', file, 'down', '--target', 'swarm'], env, 150_000);
      expect(down.code).toBe(0);
    } finally {
      for (const close of closers) close();
      await reg?.stop();
    }
  }, 300_000);
});
