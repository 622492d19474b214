// tsstack touches only objects with its project's label. Seeds foreign objects whose names look like
// the project's (`<p>-web-1-foreign`, `<p>_default2`, `<p>_data2`), objects of another project whose
// name merely starts with this one (`<p>x`), and an unlabelled container carrying a service label, then
// runs up, up --remove-orphans, stop, rm, down, down -v --remove-orphans (with and without the file):
// every foreign object survives, running. (up-down.test.ts covers another project's container and an
// unlabelled container, network and volume with the example stack.)
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMAGE } from './helpers/crash.js';
import { docker, projectObjects, removeProject, tsstack, uniqueName } from './helpers/stack-cli.js';

const project = uniqueName('t-foreign');
const other = `${project}x`;
const foreignContainers = [`${project}-web-1-foreign`, `${project}-old-1-foreign`, `${other}-web-1`];
const foreignNetworks = [`${project}_default2`, `${other}_default`];
const foreignVolumes = [`${project}_data2`, `${other}_data`];
let tmp = '';
let full = '';
let trimmed = '';

const stack = (withOld: boolean) =>
  [
    'services:',
    '  web:',
    `    image: ${IMAGE}`,
    '    command: ["sleep", "86400"]',
    '    stop_signal: SIGKILL',
    '    volumes: [data:/data]',
    ...(withOld
      ? ['  old:', `    image: ${IMAGE}`, '    command: ["sleep", "86400"]', '    stop_signal: SIGKILL']
      : []),
    'volumes:',
    '  data: {}',
    '',
  ].join('\n');

const cli = (file: string, ...args: string[]) => tsstack(['-f', file, '-p', project, ...args]);

async function foreignProblems(): Promise<string[]> {
  const problems: string[] = [];
  for (const c of foreignContainers) {
    const info = await docker
      .getContainer(c)
      .inspect()
      .catch(() => undefined);
    if (!info?.State.Running) problems.push(`container ${c} ${info ? info.State.Status : 'gone'}`);
  }
  for (const n of foreignNetworks)
    if (
      !(await docker
        .getNetwork(n)
        .inspect()
        .then(
          () => true,
          () => false,
        ))
    )
      problems.push(`network ${n} gone`);
  for (const v of foreignVolumes)
    if (
      !(await docker
        .getVolume(v)
        .inspect()
        .then(
          () => true,
          () => false,
        ))
    )
      problems.push(`volume ${v} gone`);
  return problems;
}

async function ours(): Promise<string[]> {
  const { containers } = await projectObjects(project);
  return containers.map((c) => c.Names[0]?.replace(/^\//, '') ?? '').sort();
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'tsstack-foreign-'));
  full = join(tmp, 'full.yml');
  trimmed = join(tmp, 'trimmed.yml');
  await writeFile(full, stack(true));
  await writeFile(trimmed, stack(false));
  const otherLabels = { 'io.tsstack.project': other };
  const labels: Record<string, Record<string, string>> = {
    [`${project}-web-1-foreign`]: {},
    // Looks like one of ours to anything that matches on service labels or names, but has no project label.
    [`${project}-old-1-foreign`]: { 'io.tsstack.service': 'old', 'io.tsstack.replica': '1' },
    [`${other}-web-1`]: { ...otherLabels, 'io.tsstack.service': 'web', 'io.tsstack.replica': '1' },
  };
  await docker.createNetwork({ Name: `${project}_default2` });
  await docker.createNetwork({ Name: `${other}_default`, Labels: otherLabels });
  await docker.createVolume({ Name: `${project}_data2` });
  await docker.createVolume({ Name: `${other}_data`, Labels: otherLabels });
  for (const name of foreignContainers) {
    const c = await docker.createContainer({
      name,
      Image: IMAGE,
      Cmd: ['sleep', '86400'],
      Labels: labels[name],
      HostConfig: { Binds: [`${name === `${other}-web-1` ? `${other}_data` : `${project}_data2`}:/data`] },
    });
    await c.start();
  }
}, 120_000);

afterAll(async () => {
  await removeProject(project);
  await removeProject(other);
  // The unlabelled seeds are ours too: removed by their exact names.
  for (const c of foreignContainers)
    await docker
      .getContainer(c)
      .remove({ force: true })
      .catch(() => {});
  for (const n of foreignNetworks)
    await docker
      .getNetwork(n)
      .remove()
      .catch(() => {});
  for (const v of foreignVolumes)
    await docker
      .getVolume(v)
      .remove()
      .catch(() => {});
  await rm(tmp, { recursive: true, force: true });
}, 120_000);

describe('foreign objects survive every command', () => {
  it('the seeds exist', async () => {
    expect(await foreignProblems()).toEqual([]);
  });

  it('up, then up --remove-orphans with a service dropped', async () => {
    expect((await cli(full, 'up', '-d')).code).toBe(0);
    expect(await ours()).toEqual([`${project}-old-1`, `${project}-web-1`]);
    const orphans = await cli(trimmed, 'up', '-d', '--remove-orphans');
    expect(orphans.code, orphans.stderr).toBe(0);
    expect(await ours()).toEqual([`${project}-web-1`]);
    expect(await foreignProblems()).toEqual([]);
  }, 120_000);

  it('stop, start, rm -s -f', async () => {
    expect((await cli(trimmed, 'stop')).code).toBe(0);
    expect(await foreignProblems()).toEqual([]);
    expect((await cli(trimmed, 'start')).code).toBe(0);
    expect((await cli(trimmed, 'rm', '-s', '-f')).code).toBe(0);
    expect(await ours()).toEqual([]);
    expect(await foreignProblems()).toEqual([]);
  }, 120_000);

  it('down, down -v --remove-orphans, and down -v without the file', async () => {
    expect((await cli(full, 'up', '-d')).code).toBe(0);
    expect((await cli(trimmed, 'down')).code).toBe(0);
    expect(await foreignProblems()).toEqual([]);
    expect((await cli(full, 'up', '-d')).code).toBe(0);
    const downV = await cli(trimmed, 'down', '-v', '--remove-orphans', '-t', '0');
    expect(downV.code, downV.stderr).toBe(0);
    expect(await projectObjects(project)).toEqual({ containers: [], networks: [], volumes: [] });
    expect(await foreignProblems()).toEqual([]);
    expect((await cli(full, 'up', '-d')).code).toBe(0);
    const bare = await tsstack(['-p', project, 'down', '-v', '-t', '0'], {}, 60_000);
    expect(bare.code, bare.stderr).toBe(0);
    expect(await projectObjects(project)).toEqual({ containers: [], networks: [], volumes: [] });
    expect(await foreignProblems()).toEqual([]);
  }, 180_000);
});
