// `down` while removals sent by an earlier (SIGKILLed) `down` are still running in the engine (issue 7).
// A killed `down` leaves its DELETE requests running in the engine; the next `down` lists those containers
// (often still "running") and its own remove meets HTTP 409 "removal of container ... is already in
// progress", or a 404 once they are gone. It must wait for them and finish: no containers, no network.
// To hold a removal open long enough, the `slow` service fills its writable layer with 20,000 files
// (deleting them takes the engine seconds); the earlier `down`'s removal is the same DELETE sent directly.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { IMAGE } from './helpers/crash.js';
import {
  docker,
  eventually,
  execIn,
  projectObjects,
  removeProject,
  tsstack,
  uniqueName,
} from './helpers/stack-cli.js';

const project = uniqueName('t-downfly');
let tmp = '';
let file = '';

const FILL =
  'mkdir -p /junk && cd /junk && i=0; while [ $$i -lt 200 ]; do mkdir d$$i; j=0; ' +
  'while [ $$j -lt 100 ]; do echo x > d$$i/f$$j; j=$$((j+1)); done; i=$$((i+1)); done; touch /ready; exec sleep 86400';

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'tsstack-downfly-'));
  file = join(tmp, 'stack.yml');
  const sleeper = (name: string) =>
    `  ${name}:\n    image: ${IMAGE}\n    command: ["sleep", "86400"]\n    stop_signal: SIGKILL\n`;
  await writeFile(
    file,
    `services:\n  slow:\n    image: ${IMAGE}\n    command: ["sh", "-c", "${FILL}"]\n    stop_signal: SIGKILL\n` +
      `${sleeper('a')}${sleeper('b')}`,
  );
});

afterAll(async () => {
  await removeProject(project);
  await rm(tmp, { recursive: true, force: true });
});

const cli = (args: string[]) =>
  tsstack(['-f', file, '-p', project, ...args], { XDG_RUNTIME_DIR: tmp }, 120_000);

it('down waits for a removal already in progress and then removes the network', async () => {
  expect((await cli(['up', '-d'])).code).toBe(0);
  const slow = `${project}-slow-1`;
  expect(await eventually(async () => (await execIn(slow, 'test -f /ready')).code === 0, 90_000, 500)).toBe(
    true,
  );
  // The earlier down's DELETE, still running in the engine.
  let inFlightDone = false;
  const inFlight = docker
    .getContainer(slow)
    .remove({ force: true })
    .then(
      () => 'removed',
      (err: unknown) => String(err),
    )
    .finally(() => (inFlightDone = true));
  // Once the engine has killed it, the container shows "removing" until its files are deleted.
  expect(
    await eventually(
      async () => (await docker.getContainer(slow).inspect()).State.Status === 'removing',
      10_000,
      20,
    ),
  ).toBe(true);
  expect(inFlightDone).toBe(false);
  const down = await cli(['down', '-t', '0']);
  expect(down.code, down.stderr).toBe(0);
  expect(await inFlight).toBe('removed');
  expect(await projectObjects(project)).toEqual({ containers: [], networks: [], volumes: [] });
}, 240_000);
