import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, projectObjects, removeProject, tsstack, uniqueName } from './helpers/stack-cli.js';

// Everything that can fail on user input fails before the first object is created.
const project = uniqueName('t-upfail');
let tmp = '';
let server: Server | undefined;

async function stackFile(name: string, yaml: string): Promise<string> {
  const file = join(tmp, `${name}.yml`);
  await writeFile(file, yaml);
  return file;
}

const nothingCreated = async (): Promise<void> =>
  expect(await projectObjects(project)).toEqual({ containers: [], networks: [], volumes: [] });

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'tsstack-upfail-'));
});

afterAll(async () => {
  server?.close();
  await removeProject(project);
  await removeProject(`${project}-b`);
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('up fails early and creates nothing', () => {
  it('when a fixed host port is taken: names the service and the port', async () => {
    const port = await freePort();
    server = createServer();
    await new Promise<void>((resolve) => server?.listen({ host: '127.0.0.1', port }, resolve));
    const file = await stackFile(
      'port',
      `services:\n  api:\n    image: tsstack-test/busybox:latest\n    command: ["sleep", "60"]\n    ports: ["127.0.0.1:${port}:80"]\nvolumes:\n  data: {}\n`,
    );
    const r = await tsstack(['-f', file, '-p', project, 'up', '-d']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`service api: host port 127.0.0.1:${port}/tcp is already in use`);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    await nothingCreated();
    server.close();
    server = undefined;
  });

  it('when an image is missing and cannot be pulled: one error naming the service and the image', async () => {
    const file = await stackFile(
      'image',
      'services:\n  ok:\n    image: tsstack-test/busybox:latest\n  broken:\n    image: tsstack-test/does-not-exist:1\n',
    );
    const r = await tsstack(['-f', file, '-p', project, 'up', '-d']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'service broken: image tsstack-test/does-not-exist:1 is not available locally and could not be pulled',
    );
    expect(r.stderr.match(/service /g)).toHaveLength(1);
    await nothingCreated();
  });

  it('when an external network does not exist', async () => {
    const file = await stackFile(
      'extnet',
      `services:\n  a:\n    image: tsstack-test/busybox:latest\n    networks: [outside]\nnetworks:\n  outside:\n    external: true\n    name: ${project}-missing-net\n`,
    );
    const r = await tsstack(['-f', file, '-p', project, 'up', '-d']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`network ${project}-missing-net declared as external, but could not be found`);
    await nothingCreated();
  });

  it('when a named service does not exist (usage error, exit 2)', async () => {
    const file = await stackFile('svc', 'services:\n  a:\n    image: tsstack-test/busybox:latest\n');
    const r = await tsstack(['-f', file, '-p', project, 'up', '-d', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no such service: nope');
    await nothingCreated();
  });

  it('a failing start names the service and the engine words, and leaves dependents uncreated', async () => {
    const p = `${project}-b`;
    const file = await stackFile(
      'start',
      'services:\n  bad:\n    image: tsstack-test/busybox:latest\n    command: ["/no/such/binary"]\n  after:\n    image: tsstack-test/busybox:latest\n    command: ["sleep", "60"]\n    depends_on: [bad]\n',
    );
    const r = await tsstack(['-f', file, '-p', p, 'up', '-d']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /service bad: start container t-upfail-[0-9a-f]+-b-bad-1 failed: .*no such file or directory/,
    );
    const objs = await projectObjects(p);
    expect(objs.containers.map((c) => c.Names[0])).toEqual([`/${p}-bad-1`]);
  });
  it('pull names the service and image it cannot pull; --ignore-pull-failures only warns', async () => {
    const file = await stackFile(
      'pull',
      'services:\n  gone:\n    image: tsstack-test/does-not-exist:2\n  local:\n    build: {context: .}\n',
    );
    const r = await tsstack(['-f', file, '-p', project, 'pull']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('service gone: pulling tsstack-test/does-not-exist:2 failed:');
    expect(r.stderr).not.toContain('service local');
    const ignored = await tsstack(['-f', file, '-p', project, 'pull', '--ignore-pull-failures']);
    expect(ignored.code).toBe(0);
    expect(ignored.stderr).toContain('warning: service gone: pulling');
    await nothingCreated();
  });
});
