// DockerRuntime against Podman's Docker-compatible API (podman system service). Containers cannot start on
// this VM under Podman, so this covers what works at the API level: version, flavor, info, list, build
// without RUN, create, inspect and remove. Skips when podman is not installed.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRuntime } from '../../src/runtime/index.js';
import type { Runtime } from '../../src/runtime/types.js';

const hasPodman = spawnSync('podman', ['--version']).status === 0;
if (!hasPodman) console.warn('runtime-podman: podman is not installed (apt-get install podman); skipping');

const PROJECT = `t-podman-${Math.random().toString(36).slice(2, 8)}`;
const LABELS = { 'io.tsstack.project': PROJECT };
const SOCKET = join(tmpdir(), `${PROJECT}.sock`);
let service: ChildProcess | undefined;
let rt: Runtime;
const dirs: string[] = [];

describe.skipIf(!hasPodman)('DockerRuntime on Podman', () => {
  beforeAll(async () => {
    service = spawn('podman', ['system', 'service', '--time=0', `unix://${SOCKET}`], { stdio: 'ignore' });
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        rt = await connectRuntime({ env: { DOCKER_HOST: `unix://${SOCKET}` } });
        break;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  });

  afterAll(async () => {
    if (rt) {
      for (const c of await rt.listContainers(LABELS, { all: true }))
        await rt.removeContainer(c.id, { force: true });
      for (const i of await rt.listImages(LABELS)) await rt.removeImage(i.id, true);
    }
    service?.kill('SIGTERM');
    rmSync(SOCKET, { force: true });
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('is detected as podman with a negotiated API version', async () => {
    const info = await rt.info();
    expect(info.flavor).toBe('podman');
    expect(info.apiVersion).toMatch(/^1\.\d+$/);
    expect(info.cpus).toBeGreaterThan(0);
    expect(rt.endpoint).toBe(`unix://${SOCKET}`);
    await rt.ping();
  });

  it('builds an image without RUN, then creates, lists, inspects and removes a container', async () => {
    const ctx = mkdtempSync(join(tmpdir(), 'tsstack-podman-'));
    dirs.push(ctx);
    writeFileSync(join(ctx, 'Dockerfile'), 'FROM scratch\nCOPY hello.txt /hello.txt\nCMD ["/hello"]\n');
    writeFileSync(join(ctx, 'hello.txt'), 'hi');
    const tag = `localhost/tsstack-test/${PROJECT}:1`;
    const imageId = await rt.buildImage({ context: ctx, tags: [tag], args: {}, labels: LABELS });
    expect(imageId.length).toBeGreaterThan(0);
    expect((await rt.inspectImage(tag))?.labels['io.tsstack.project']).toBe(PROJECT);

    const id = await rt.createContainer({
      name: `${PROJECT}-web-1`,
      image: tag,
      labels: { ...LABELS, 'io.tsstack.service': 'web' },
      env: ['A=1'],
      exposedPorts: [{ target: 80, protocol: 'tcp' }],
      ports: [],
      mounts: [],
      networks: [],
    });
    const listed = await rt.listContainers({ ...LABELS, 'io.tsstack.service': 'web' }, { all: true });
    expect(listed.map((c) => c.id)).toEqual([id]);
    expect(listed[0]?.state).toBe('created');
    expect(await rt.listContainers({ ...LABELS, 'io.tsstack.service': 'other' }, { all: true })).toEqual([]);
    const inspected = await rt.inspectContainer(id);
    expect(inspected?.name).toBe(`${PROJECT}-web-1`);
    expect(inspected?.state).toBe('created');
    await rt.removeContainer(id);
    expect(await rt.inspectContainer(id)).toBeUndefined();
  });
});
