/**
 * The live UI's swarm actions (src/swarm/actions.ts) against the real engine as a single-node swarm: r is a
 * forced update that replaces the tasks, s scales a replicated service to 0 and back to its count, a global
 * service only gets a warning. Like swarm.test.ts, the file holds the swarm test lock, initialises a swarm on
 * 127.0.0.1 when the engine is in none and leaves it afterwards (only then).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus } from '../../src/events/bus.js';
import type { StackEvent } from '../../src/events/types.js';
import { DockerRuntime } from '../../src/runtime/docker.js';
import { DockerSwarmRuntime } from '../../src/runtime/docker-swarm.js';
import { resolveEndpoint } from '../../src/runtime/docker-endpoint.js';
import type { Runtime, SwarmRuntime } from '../../src/runtime/types.js';
import { STOPPED_REPLICAS_LABEL, swarmActions } from '../../src/swarm/actions.js';
import { applySwarm, waitSwarmConverged } from '../../src/swarm/apply.js';
import { desiredSwarm } from '../../src/swarm/desired.js';
import { observeSwarm } from '../../src/swarm/observe.js';
import { planSwarm, planSwarmDown } from '../../src/swarm/plan.js';
import { docker, eventually, loadStackText, uniqueName } from './helpers/stack-cli.js';
import { removeSwarmProject, startSwarmSession, type SwarmSession } from './helpers/swarm-session.js';

const IMAGE = 'tsstack-test/busybox:latest';
const project = uniqueName('t-swarm-act');
const filter = (extra: Record<string, string[]> = {}) =>
  JSON.stringify({ label: [`io.tsstack.project=${project}`], ...extra });
let dir = '';
let session: SwarmSession | undefined;
let swarm: SwarmRuntime | undefined;
let runtime: Runtime | undefined;

const LOOP = `["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]`;
const yaml = `name: ${project}
services:
  worker:
    image: ${IMAGE}
    command: ${LOOP}
    stop_grace_period: 1s
    deploy:
      replicas: 2
      update_config:
        parallelism: 2
        delay: 0s
  agent:
    image: ${IMAGE}
    command: ${LOOP}
    stop_grace_period: 1s
    deploy:
      mode: global
`;

interface RawService {
  ID: string;
  Spec: {
    Labels?: Record<string, string>;
    TaskTemplate: { ForceUpdate?: number };
    Mode: { Replicated?: { Replicas: number } };
  };
}

async function rawService(service: string): Promise<RawService> {
  const list = (await docker.listServices({
    filters: filter({ label: [`io.tsstack.project=${project}`, `io.tsstack.service=${service}`] }),
  })) as unknown as RawService[];
  expect(list).toHaveLength(1);
  return list[0]!;
}

/** The IDs of the service's tasks that run and are meant to. */
async function runningTasks(service: string): Promise<string[]> {
  const { ID } = await rawService(service);
  const tasks = (await docker.listTasks({ filters: JSON.stringify({ service: [ID] }) })) as {
    ID: string;
    DesiredState: string;
    Status: { State: string };
  }[];
  return tasks
    .filter((t) => t.DesiredState === 'running' && t.Status.State === 'running')
    .map((t) => t.ID)
    .sort();
}

function actionsWithEvents() {
  const bus = new EventBus();
  const events: StackEvent[] = [];
  bus.subscribe((e) => events.push(e));
  return { actions: swarmActions({ swarm: swarm!, project, bus }), events };
}

/** Every object of the project, by label, whatever the test got to. */
async function cleanup(): Promise<void> {
  if (swarm && runtime) {
    const [sw, rt] = [swarm, runtime];
    const observed = await observeSwarm(sw, rt, project).catch(() => undefined);
    // Whatever this leaves, the label sweep below removes.
    if (observed)
      await applySwarm(sw, rt, observed, planSwarmDown(observed), { releaseTimeoutMs: 30_000 }).catch(
        () => {},
      );
  }
  await removeSwarmProject(project, 30_000);
}

beforeAll(async () => {
  session = await startSwarmSession();
  dir = mkdtempSync(path.join(tmpdir(), 'tsstack-swarm-act-'));
  const ep = resolveEndpoint(process.env);
  swarm = await DockerSwarmRuntime.connect(ep, process.env);
  runtime = await DockerRuntime.connect(ep, process.env);
  const stack = await loadStackText(dir, project, yaml);
  const desired = desiredSwarm(stack, { read: () => Buffer.alloc(0), env: {} });
  expect(desired.errors).toEqual([]);
  const observed = await observeSwarm(swarm, runtime, project);
  await applySwarm(swarm, runtime, observed, planSwarm(desired, observed));
  await waitSwarmConverged(swarm, project, 40_000, undefined, 1000);
}, 660_000);

afterAll(async () => {
  try {
    await cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  } finally {
    await session?.end();
  }
}, 180_000);

describe('swarm actions of the live UI on a single-node swarm', () => {
  it('r: a forced update increments ForceUpdate and new tasks replace the old ones', async () => {
    const before = await rawService('worker');
    const oldTasks = await runningTasks('worker');
    expect(oldTasks).toHaveLength(2);
    const { actions, events } = actionsWithEvents();
    await actions.restart('worker');
    expect(events).toEqual([]);
    const after = await rawService('worker');
    expect(after.Spec.TaskTemplate.ForceUpdate ?? 0).toBe((before.Spec.TaskTemplate.ForceUpdate ?? 0) + 1);
    // The rest of the spec is kept: still 2 replicas, the same labels.
    expect(after.Spec.Mode.Replicated?.Replicas).toBe(2);
    expect(after.Spec.Labels).toEqual(before.Spec.Labels);
    const replaced = await eventually(async () => {
      const now = await runningTasks('worker');
      return now.length === 2 && now.every((t) => !oldTasks.includes(t));
    }, 30_000);
    expect(replaced).toBe(true);
  });

  it('s: stop scales to 0 (no task runs), start scales back to the count it had, also in a later session', async () => {
    const session1 = actionsWithEvents();
    await session1.actions.stop('worker');
    expect(session1.events).toEqual([]);
    const stopped = await rawService('worker');
    expect(stopped.Spec.Mode.Replicated?.Replicas).toBe(0);
    expect(stopped.Spec.Labels?.[STOPPED_REPLICAS_LABEL]).toBe('2');
    expect(await eventually(async () => (await runningTasks('worker')).length === 0, 20_000)).toBe(true);
    // A stop of a stopped service changes nothing.
    await session1.actions.stop('worker');
    expect((await rawService('worker')).Spec.Mode.Replicated?.Replicas).toBe(0);

    // Another session (a later `top`) knows the count from the service's label.
    const session2 = actionsWithEvents();
    await session2.actions.start('worker');
    expect(session2.events).toEqual([]);
    const started = await rawService('worker');
    expect(started.Spec.Mode.Replicated?.Replicas).toBe(2);
    expect(started.Spec.Labels?.[STOPPED_REPLICAS_LABEL]).toBeUndefined();
    expect(await eventually(async () => (await runningTasks('worker')).length === 2, 30_000)).toBe(true);
  });

  it('a global service is not scaled, an unknown one is not found: warnings naming the service', async () => {
    const before = await rawService('agent');
    const { actions, events } = actionsWithEvents();
    await actions.stop('agent');
    await actions.start('agent');
    await actions.restart('nosuch');
    expect(events).toEqual([
      expect.objectContaining({
        kind: 'warning',
        service: 'agent',
        message: expect.stringMatching(/global/),
      }),
      expect.objectContaining({
        kind: 'warning',
        service: 'agent',
        message: expect.stringMatching(/global/),
      }),
      expect.objectContaining({
        kind: 'warning',
        service: 'nosuch',
        message: expect.stringMatching(/not in the swarm/),
      }),
    ]);
    const after = await rawService('agent');
    expect(after.Spec.Mode).toEqual(before.Spec.Mode);
  });
});
