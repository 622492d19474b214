// A stack file edited down to no services: `up` refuses it (located, exit 2) and changes nothing, while
// `down` still removes what the earlier file created. An empty file is refused by `down` too, as Compose does.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectObjects, removeProject, tsstack, uniqueName } from './helpers/stack-cli.js';

const project = uniqueName('t-noservices');
let dir = '';
let file = '';

const cli = (...args: string[]) => tsstack(['-f', file, '-p', project, ...args]);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tsstack-noservices-'));
  file = join(dir, 'compose.yaml');
});

afterAll(async () => {
  await removeProject(project);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a stack file with no services left', { timeout: 180_000 }, () => {
  it('up refuses it and leaves the running project alone; down removes the project', async () => {
    await writeFile(
      file,
      'services:\n  app:\n    image: tsstack-test/busybox:latest\n    command: [sleep, "600"]\n    init: true\n',
    );
    const up = await cli('up', '-d');
    expect(up.code, up.stderr).toBe(0);
    const before = await projectObjects(project);
    expect(before.containers.map((c) => c.State)).toEqual(['running']);

    await writeFile(file, 'services: {}\n');
    const refused = await cli('up', '-d');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /compose\.yaml:1:1 services: the stack defines no services; "up" needs at least one/,
    );
    const unchanged = await projectObjects(project);
    expect(unchanged.containers.map((c) => [c.Id, c.State])).toEqual(
      before.containers.map((c) => [c.Id, 'running']),
    );
    expect(unchanged.networks).toEqual(before.networks);

    await writeFile(file, '');
    const emptyDown = await cli('down');
    expect(emptyDown.code).toBe(2);
    expect(emptyDown.stderr).toMatch(/compose\.yaml:1:1 the stack file is empty/);
    expect((await projectObjects(project)).containers).toHaveLength(1);

    await writeFile(file, 'services: {}\n');
    const down = await cli('down', '-t', '1');
    expect(down.code, down.stderr).toBe(0);
    const after = await projectObjects(project);
    expect({ containers: after.containers.length, networks: after.networks }).toEqual({
      containers: 0,
      networks: [],
    });
  });
});
