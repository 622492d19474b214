import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, projectObjects, removeProject, tsstack, uniqueName } from './helpers/stack-cli.js';

// build (FROM the local test image), up with the built image, run --rm one-offs with exit codes,
// and down --rmi local, through the built CLI.
const project = uniqueName('t-runbuild');
let tmp = '';
let file = '';

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'tsstack-runbuild-'));
  await mkdir(join(tmp, 'app'));
  await writeFile(
    join(tmp, 'app/Dockerfile'),
    'FROM tsstack-test/busybox:latest\nARG MSG=unset\nRUN echo "$MSG" > /msg\nCMD ["sh", "-c", "trap \'exit 0\' TERM; sleep 3600 & wait"]\n',
  );
  await writeFile(join(tmp, 'app/.dockerignore'), 'secret.txt\n');
  await writeFile(join(tmp, 'app/secret.txt'), 'do not send\n');
  file = join(tmp, 'stack.yml');
  await writeFile(
    file,
    [
      'services:',
      '  db:',
      '    image: tsstack-test/busybox:latest',
      '    command: ["sh", "-c", "trap \'exit 0\' TERM; sleep 3600 & wait"]',
      '  app:',
      '    build:',
      '      context: ./app',
      '      args:',
      '        MSG: built-by-tsstack',
      '    depends_on: [db]',
      '',
    ].join('\n'),
  );
});

afterAll(async () => {
  await removeProject(project);
  await docker
    .getImage(`${project}-app`)
    .remove({ force: true })
    .catch(() => {});
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const cli = (...args: string[]) => tsstack(['-f', file, '-p', project, ...args]);

describe('build, run and down --rmi', () => {
  it('build makes <project>-<service> with the build args, labelled for the project', async () => {
    const r = await cli('build');
    expect(r.code).toBe(0);
    const image = await docker.getImage(`${project}-app`).inspect();
    expect(image.Config.Labels?.['io.tsstack.project']).toBe(project);
  });

  it('up uses the built image; run --rm starts dependencies and returns the exit code', async () => {
    expect((await cli('up', '-d', '--no-build')).code).toBe(0);
    // Each command outlives its output by 0.2 s: on a loaded machine Engine 26 itself sometimes delivers
    // nothing of a container that writes and exits within milliseconds (`docker run --rm` of
    // `ls /x || echo absent` printed nothing in 4 of 50 runs with the CPUs busy; with the sleep, 0 of 50).
    const ok = await cli('run', '--rm', 'app', 'sh', '-c', 'cat /msg; sleep 0.2');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe('built-by-tsstack\n');
    const fail = await cli(
      'run',
      '--rm',
      '-e',
      'CODE=7',
      'app',
      'sh',
      '-c',
      'echo oops >&2; sleep 0.2; exit $CODE',
    );
    expect(fail.code).toBe(7);
    expect(fail.stderr).toContain('oops');
    const ignored = await cli(
      'run',
      '--rm',
      'app',
      'sh',
      '-c',
      'ls /secret.txt 2>/dev/null || echo absent; sleep 0.2',
    );
    expect(ignored.stdout).toBe('absent\n');
    // --rm leaves no one-off behind; the service containers are still there.
    const names = (await projectObjects(project)).containers.map((c) => c.Names[0]).sort();
    expect(names).toEqual([`/${project}-app-1`, `/${project}-db-1`]);
  });

  it('run without --rm keeps a labelled one-off container that up leaves alone', async () => {
    const r = await cli('run', 'app', 'true');
    expect(r.code).toBe(0);
    const oneoffs = (await projectObjects(project)).containers.filter(
      (c) => c.Labels['io.tsstack.oneoff'] === 'true',
    );
    expect(oneoffs).toHaveLength(1);
    expect(oneoffs[0]?.Names[0]).toMatch(new RegExp(`^/${project}-app-run-[0-9a-f]+$`));
    const dry = await cli('up', '-d', '--dry-run');
    expect(dry.stdout).toBe('nothing to do\n');
  });

  it('down --rmi local removes the containers, the network and the built image', async () => {
    const r = await cli('down', '--rmi', 'local', '-t', '1');
    expect(r.code).toBe(0);
    expect(await projectObjects(project)).toEqual({ containers: [], networks: [], volumes: [] });
    await expect(docker.getImage(`${project}-app`).inspect()).rejects.toThrow(/no such image/i);
    expect((await docker.getImage('tsstack-test/busybox:latest').inspect()).Id).toMatch(/^sha256:/);
  });
});
