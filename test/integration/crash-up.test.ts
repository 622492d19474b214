// Crash consistency through the built CLI (`npm run build` first): tsstack is SIGKILLed at points of
// `up -d` and `down` chosen from the engine's own events for the project (after the network is created,
// after the Nth container create, start or destroy, in the middle of recreating changed services), then
// the next command converges: exactly the desired containers, running, config hashes current (a further
// `up` plans nothing), and the named volume's data intact. The killed run's lock file is left behind
// with a dead pid, so every recovery also exercises stale-lock takeover.
// TSSTACK_CRASH_SERVICES sets the stack size (default 30 to keep this file near 3 min on a shared CI engine;
// 50 took 4 min here); bench/faults runs the 50-service stack at more kill points.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CrashProject, type KillPoint } from './helpers/crash.js';
import { execIn, projectObjects, removeProject, uniqueName } from './helpers/stack-cli.js';

const N = Number(process.env.TSSTACK_CRASH_SERVICES ?? 30);
const project = uniqueName('t-crash');
let p: CrashProject;
let tmp = '';

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'tsstack-crash-'));
  // A runtime folder of our own: the killed runs' stale lock files stay out of the user's.
  p = new CrashProject(project, tmp, N, { XDG_RUNTIME_DIR: tmp, TSSTACK_PARALLEL: '8' });
  await p.write();
});

afterAll(async () => {
  await removeProject(project);
  await rm(tmp, { recursive: true, force: true });
});

/** Kills `up -d` (or another command) at `point`, then converges with `up -d` and checks the result. */
async function trial(args: string[], point: KillPoint, gen: string, marker?: string): Promise<void> {
  const k = await p.killAt(args, point, { GEN: gen });
  expect(k.killed, `kill point ${JSON.stringify(point)} not reached (saw ${k.seen}): ${k.cli.stderr}`).toBe(
    true,
  );
  const up = await p.cli(['up', '-d'], { GEN: gen });
  expect(up.code, up.stderr).toBe(0);
  expect(await p.convergedProblems(gen, marker)).toEqual([]);
}

describe(`SIGKILL during up -d of a ${N}-service stack`, () => {
  it('after the network is created', async () => {
    await trial(['up', '-d'], { type: 'network', action: 'create', n: 1 }, '1');
    expect((await execIn(`${project}-s0-1`, 'echo kept > /data/marker')).code).toBe(0);
  }, 240_000);

  it('mid-create (after half the creates), from nothing but the volume', async () => {
    expect((await p.cli(['down', '-t', '0'])).code).toBe(0);
    await trial(['up', '-d'], { type: 'container', action: 'create', n: Math.ceil(N / 2) }, '1', 'kept');
  }, 240_000);

  it('mid-start (after a fifth of the starts)', async () => {
    expect((await p.cli(['down', '-t', '0'])).code).toBe(0);
    await trial(['up', '-d'], { type: 'container', action: 'start', n: Math.ceil(N / 5) }, '1', 'kept');
  }, 240_000);

  it('mid-recreate of the changed half: after some removals, and after some new creates', async () => {
    await trial(['up', '-d'], { type: 'container', action: 'destroy', n: Math.ceil(N / 10) }, '2', 'kept');
    await trial(['up', '-d'], { type: 'container', action: 'create', n: Math.ceil(N / 10) }, '3', 'kept');
  }, 300_000);
});

describe('SIGKILL during down', () => {
  it('a second down finishes the job and keeps the named volume; up brings the data back', async () => {
    const k = await p.killAt(
      ['down', '-t', '0'],
      { type: 'container', action: 'destroy', n: Math.ceil(N / 3) },
      { GEN: '3' },
    );
    expect(k.killed, k.cli.stderr).toBe(true);
    expect((await projectObjects(project)).containers.length).toBeGreaterThan(0);
    const down = await p.cli(['down', '-t', '0'], { GEN: '3' });
    expect(down.code, down.stderr).toBe(0);
    expect(await projectObjects(project)).toEqual({
      containers: [],
      networks: [],
      volumes: [`${project}_data`],
    });
    expect((await p.cli(['up', '-d'], { GEN: '3' })).code).toBe(0);
    expect(await p.convergedProblems('3', 'kept')).toEqual([]);
  }, 300_000);
});
