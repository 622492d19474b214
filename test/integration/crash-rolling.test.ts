// SIGKILL during a rolling update (deploy.update_config, start-first: `<name>-next` is created, started,
// healthy, swapped in, the old replica removed, then `-next` renamed to `<name>`), at points chosen from
// the engine's events; the next `up -d` must leave exactly `<p>-web-1..3`, running the new config, with
// no `-next` leftover, and plan nothing more.
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CrashProject, IMAGE, type KillPoint } from './helpers/crash.js';
import { docker, projectObjects, removeProject, uniqueName } from './helpers/stack-cli.js';

const project = uniqueName('t-crashroll');
let p: CrashProject;
let tmp = '';

const stackYaml = (order: string) => `services:
  web:
    image: ${IMAGE}
    command: ["sh", "-c", "mkdir -p /www && echo v$$V > /www/index.html && exec httpd -f -p 80 -h /www"]
    environment: { V: "\${GEN:-1}" }
    stop_signal: SIGKILL
    healthcheck: { test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1/"], interval: 300ms, timeout: 2s, retries: 3 }
    deploy:
      replicas: 3
      update_config: { parallelism: 1, order: ${order} }
`;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'tsstack-crashroll-'));
  p = new CrashProject(project, tmp, 0, { XDG_RUNTIME_DIR: tmp });
  await writeFile(p.file, stackYaml('start-first'));
});

afterAll(async () => {
  await removeProject(project);
  await rm(tmp, { recursive: true, force: true });
});

async function rolledProblems(gen: string): Promise<string[]> {
  const problems: string[] = [];
  const { containers } = await projectObjects(project);
  const names = containers.map((c) => c.Names[0]?.replace(/^\//, '') ?? '').sort();
  const want = [1, 2, 3].map((i) => `${project}-web-${i}`);
  if (JSON.stringify(names) !== JSON.stringify(want)) problems.push(`containers ${JSON.stringify(names)}`);
  for (const n of names) {
    const info = await docker.getContainer(n).inspect();
    if (!info.State.Running) problems.push(`${n} ${info.State.Status}`);
    if (!info.Config.Env.includes(`V=${gen}`)) problems.push(`${n} not V=${gen}`);
  }
  const dry = await p.cli(['up', '-d', '--dry-run'], { GEN: gen });
  if (dry.stdout !== 'nothing to do\n') problems.push(`a further up would do:\n${dry.stdout}`);
  return problems;
}

async function trial(point: KillPoint, gen: string): Promise<void> {
  const k = await p.killAt(['up', '-d'], point, { GEN: gen });
  expect(k.killed, `kill point ${JSON.stringify(point)} not reached (saw ${k.seen}): ${k.cli.stderr}`).toBe(
    true,
  );
  const up = await p.cli(['up', '-d'], { GEN: gen });
  expect(up.code, up.stderr).toBe(0);
  expect(await rolledProblems(gen)).toEqual([]);
}

describe('SIGKILL during a rolling update (3 replicas)', () => {
  it('converges first', async () => {
    expect((await p.cli(['up', '-d'], { GEN: '1' })).code).toBe(0);
    expect(await rolledProblems('1')).toEqual([]);
  }, 120_000);

  it('start-first: after the first -next is created', async () => {
    await trial({ type: 'container', action: 'create', n: 1 }, '2');
  }, 120_000);

  it('start-first: after the first old replica is removed (before the rename)', async () => {
    await trial({ type: 'container', action: 'destroy', n: 1 }, '3');
  }, 120_000);

  it('start-first: after the first rename', async () => {
    await trial({ type: 'container', action: 'rename', n: 1 }, '4');
  }, 120_000);

  it('stop-first: after the second removal', async () => {
    await writeFile(p.file, stackYaml('stop-first'));
    await trial({ type: 'container', action: 'destroy', n: 2 }, '5');
  }, 120_000);
});
