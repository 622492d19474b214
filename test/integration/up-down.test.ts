import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ROOT,
  containerLogs,
  docker,
  eventually,
  execIn,
  freePort,
  projectObjects,
  removeProject,
  tsstack,
  uniqueName,
} from './helpers/stack-cli.js';

// The example stack through the built CLI, as a user runs it (`npm run build` first; `npm test` does).
const project = uniqueName('t-updown');
const other = `${project}-other`;
const unlabelled = `${project}-unlabelled`;
const example = join(ROOT, 'examples/hello/stack.yml');
let port = 0;
let env: Record<string, string> = {};
let changedFile = '';
let tmp = '';

const cli = (...args: string[]) => tsstack(['-f', example, '-p', project, ...args], env);

async function ids(): Promise<Record<string, string>> {
  const { containers } = await projectObjects(project);
  return Object.fromEntries(containers.map((c) => [c.Names[0]?.replace(/^\//, '') ?? '', c.Id]));
}

async function fetchText(path: string): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return (await res.text()).trim();
}

/** The foreign objects: another project's container, and an unlabelled container, network and volume. */
async function foreignObjectsExist(): Promise<boolean> {
  const checks = await Promise.all([
    docker.getContainer(`${other}-web-1`).inspect(),
    docker.getContainer(unlabelled).inspect(),
    docker.getNetwork(unlabelled).inspect(),
    docker.getVolume(unlabelled).inspect(),
  ]).catch(() => undefined);
  return checks !== undefined && checks[0].State.Running && checks[1].State.Running;
}

beforeAll(async () => {
  port = await freePort();
  env = { HELLO_PORT: String(port) };
  tmp = await mkdtemp(join(tmpdir(), 'tsstack-updown-'));
  // The same example with one change to the client only.
  const text = await readFile(example, 'utf8');
  changedFile = join(tmp, 'stack.yml');
  await writeFile(
    changedFile,
    text.replace(
      '    stop_grace_period: 1s',
      '    stop_grace_period: 1s\n    environment:\n      CHANGED: "yes"',
    ),
  );
  const image = 'tsstack-test/busybox:latest';
  const sleeper = { Image: image, Cmd: ['sleep', '3600'] };
  await docker.createNetwork({ Name: unlabelled, Labels: { 'tsstack-test.owner': project } });
  await docker.createVolume({ Name: unlabelled, Labels: { 'tsstack-test.owner': project } });
  const foreign = await docker.createContainer({
    ...sleeper,
    name: `${other}-web-1`,
    Labels: { 'io.tsstack.project': other, 'io.tsstack.service': 'web', 'io.tsstack.replica': '1' },
  });
  const bare = await docker.createContainer({
    ...sleeper,
    name: unlabelled,
    Labels: { 'tsstack-test.owner': project },
  });
  await Promise.all([foreign.start(), bare.start()]);
});

afterAll(async () => {
  await removeProject(project);
  await removeProject(other);
  await docker
    .getContainer(unlabelled)
    .remove({ force: true })
    .catch(() => {});
  await docker
    .getNetwork(unlabelled)
    .remove()
    .catch(() => {});
  await docker
    .getVolume(unlabelled)
    .remove()
    .catch(() => {});
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('the hello example on the real engine', () => {
  it('comes up: the web answers on 127.0.0.1 and the client reaches it by service name', async () => {
    const r = await cli('up', '-d');
    expect(r.stderr).toContain(`Container ${project}-web-1  Started`);
    expect(r.code).toBe(0);
    const objs = await projectObjects(project);
    expect(objs.containers.map((c) => c.Names[0]).sort()).toEqual([
      `/${project}-client-1`,
      `/${project}-web-1`,
    ]);
    expect(objs.networks).toEqual([`${project}_default`]);
    expect(objs.volumes).toEqual([`${project}_site`]);
    expect(await eventually(async () => (await fetchText('/')) === 'hello from tsstack')).toBe(true);
    expect(
      await eventually(async () =>
        (await containerLogs(`${project}-client-1`)).includes('client got: hello from tsstack'),
      ),
    ).toBe(true);
    expect(await foreignObjectsExist()).toBe(true);
  });

  it('a second up is a no-op: same container IDs, nothing planned', async () => {
    const before = await ids();
    const dry = await cli('up', '-d', '--dry-run');
    expect(dry.stdout).toBe('nothing to do\n');
    const r = await cli('up', '-d');
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/Created|Removed|Stopped/);
    expect(await ids()).toEqual(before);
  });

  it('changing one service recreates only that service', async () => {
    const before = await ids();
    const dry = await tsstack(['-f', changedFile, '-p', project, 'up', '-d', '--dry-run'], env);
    expect(dry.stdout).toContain(`stop container ${project}-client-1 (config changed: environment)`);
    expect(dry.stdout).not.toContain(`${project}-web-1`);
    const r = await tsstack(['-f', changedFile, '-p', project, 'up', '-d'], env);
    expect(r.code).toBe(0);
    const after = await ids();
    expect(after[`${project}-web-1`]).toBe(before[`${project}-web-1`]);
    expect(after[`${project}-client-1`]).not.toBe(before[`${project}-client-1`]);
    const inspect = await docker.getContainer(`${project}-client-1`).inspect();
    expect(inspect.Config.Env).toContain('CHANGED=yes');
  });

  it('keeps named volume data across down and up, and down -v removes the volume', async () => {
    await execIn(`${project}-web-1`, 'echo kept > /www/marker.txt');
    expect(await eventually(async () => (await fetchText('/marker.txt')) === 'kept')).toBe(true);
    const down = await cli('down');
    expect(down.code).toBe(0);
    let objs = await projectObjects(project);
    expect(objs.containers).toEqual([]);
    expect(objs.networks).toEqual([]);
    expect(objs.volumes).toEqual([`${project}_site`]);
    expect(await foreignObjectsExist()).toBe(true);

    expect((await cli('up', '-d')).code).toBe(0);
    expect(await eventually(async () => (await fetchText('/marker.txt')) === 'kept')).toBe(true);

    const downV = await cli('down', '-v', '-t', '1');
    expect(downV.code).toBe(0);
    objs = await projectObjects(project);
    expect(objs).toEqual({ containers: [], networks: [], volumes: [] });
    expect(await foreignObjectsExist()).toBe(true);
  });

  it('stop, start, restart and rm touch only this project', async () => {
    expect((await cli('up', '-d')).code).toBe(0);
    const stop = await cli('stop', '-t', '1');
    expect(stop.code).toBe(0);
    let objs = await projectObjects(project);
    expect(objs.containers.map((c) => c.State)).toEqual(['exited', 'exited']);
    expect((await cli('start')).code).toBe(0);
    objs = await projectObjects(project);
    expect(objs.containers.map((c) => c.State)).toEqual(['running', 'running']);
    expect((await cli('restart', '-t', '1', 'client')).code).toBe(0);
    expect((await cli('rm', '-f', '-s')).code).toBe(0);
    objs = await projectObjects(project);
    expect(objs.containers).toEqual([]);
    expect((await cli('down', '-v', '-t', '1')).code).toBe(0);
    expect(await foreignObjectsExist()).toBe(true);
  });
});
