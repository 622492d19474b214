import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus } from '../../src/events/bus.js';
import { startEngineFeed } from '../../src/events/engine-feed.js';
import type { StackEvent } from '../../src/events/types.js';
import { converge } from '../../src/reconciler/converge.js';
import { connectRuntime } from '../../src/runtime/index.js';
import type { Runtime } from '../../src/runtime/types.js';
import { FitError } from '../../src/scheduler/fit.js';
import { parseScale, withScale } from '../../src/scheduler/scale.js';
import { startSupervisor } from '../../src/scheduler/supervisor.js';
import type { Stack } from '../../src/spec/types.js';
import { docker, loadStackText } from './helpers/stack-cli.js';

const PROJECT = `t-sched-scale-${Math.random().toString(36).slice(2, 8)}`;
const IMG = 'tsstack-test/busybox:latest';
let rt: Runtime;
let dir: string;

const stackOf = (yaml: string, project = PROJECT): Promise<Stack> => loadStackText(dir, project, yaml);

async function names(project = PROJECT): Promise<string[]> {
  return (await rt.listContainers({ 'io.tsstack.project': project }, { all: true }))
    .map((c) => c.name)
    .sort();
}

beforeAll(async () => {
  rt = await connectRuntime({ env: process.env });
  dir = mkdtempSync(join(tmpdir(), 'tsstack-sched-scale-'));
});
afterAll(async () => {
  if (rt)
    for (const project of [PROJECT, `${PROJECT}-fit`, `${PROJECT}-sup`]) {
      const labels = { 'io.tsstack.project': project };
      for (const c of await rt.listContainers(labels, { all: true }))
        await rt.removeContainer(c.id, { force: true });
      for (const n of await rt.listNetworks(labels)) await rt.removeNetwork(n.id);
    }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('replicas and resources on the real engine', () => {
  it('scales up and down with stable replica numbers; scaling up fills gaps', async () => {
    const base = await stackOf(`
services:
  web: { image: ${IMG}, command: ["sleep", "600"], stop_grace_period: 0s, deploy: { replicas: 1 } }
`);
    await converge(rt, base);
    expect(await names()).toEqual([`${PROJECT}-web-1`]);
    const three = withScale(base, parseScale(base, ['web=3']));
    await converge(rt, three);
    expect(await names()).toEqual([1, 2, 3].map((n) => `${PROJECT}-web-${n}`));
    const firstId = (await rt.inspectContainer(`${PROJECT}-web-1`))?.id;
    await rt.removeContainer(`${PROJECT}-web-2`, { force: true });
    await converge(rt, three);
    expect(await names()).toEqual([1, 2, 3].map((n) => `${PROJECT}-web-${n}`));
    expect((await rt.inspectContainer(`${PROJECT}-web-1`))?.id).toBe(firstId);
    await converge(rt, withScale(base, { web: 1 }));
    expect(await names()).toEqual([`${PROJECT}-web-1`]);
    expect((await rt.inspectContainer(`${PROJECT}-web-1`))?.id).toBe(firstId);
  });

  it('resource limits reach the engine', async () => {
    const stack = await stackOf(`
services:
  lim:
    image: ${IMG}
    command: ["sleep", "600"]
    stop_grace_period: 0s
    pids_limit: 50
    ulimits: { nofile: { soft: 1024, hard: 2048 } }
    deploy: { resources: { limits: { cpus: "0.5", memory: 64M }, reservations: { memory: 32M } } }
`);
    await converge(rt, stack);
    const hc = (await docker.getContainer(`${PROJECT}-lim-1`).inspect()).HostConfig;
    expect(hc.NanoCpus).toBe(500_000_000);
    expect(hc.Memory).toBe(64 * 2 ** 20);
    expect(hc.MemoryReservation).toBe(32 * 2 ** 20);
    expect(hc.PidsLimit).toBe(50);
    expect(hc.Ulimits).toEqual([{ Name: 'nofile', Soft: 1024, Hard: 2048 }]);
  });

  it('refuses a stack whose reservations exceed the machine, creating nothing', async () => {
    const info = await rt.info();
    const stack = await stackOf(
      `
services:
  big: { image: ${IMG}, command: ["sleep", "600"], deploy: { replicas: 2, resources: { reservations: { cpus: "${info.cpus}" } } } }
  small: { image: ${IMG}, command: ["sleep", "600"] }
`,
      `${PROJECT}-fit`,
    );
    const err = await converge(rt, stack).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FitError);
    expect((err as FitError).exitCode).toBe(1);
    expect((err as Error).message).toContain(
      `CPU reservations need ${info.cpus * 2} CPUs but the machine has ${info.cpus} (big 2 × ${info.cpus})`,
    );
    expect(await names(`${PROJECT}-fit`)).toEqual([]);
    expect(await rt.listNetworks({ 'io.tsstack.project': `${PROJECT}-fit` })).toEqual([]);
  });

  it('restarts a container that stays unhealthy, with backoff, as container.restarting events', async () => {
    const project = `${PROJECT}-sup`;
    const stack = await stackOf(
      `
services:
  sick:
    image: ${IMG}
    command: ["sleep", "600"]
    restart: always
    stop_grace_period: 0s
    healthcheck: { test: ["CMD", "false"], interval: 200ms, timeout: 1s, retries: 1 }
`,
      project,
    );
    await converge(rt, stack);
    const name = `${project}-sick-1`;
    const firstStart = (await docker.getContainer(name).inspect()).State.StartedAt;
    const bus = new EventBus();
    const events: StackEvent[] = [];
    bus.subscribe((e) => events.push(e));
    const stopFeed = new AbortController();
    const feed = startEngineFeed({ runtime: rt, project, bus, signal: stopFeed.signal });
    const stop = startSupervisor({
      runtime: rt,
      bus,
      stack,
      policy: { initialMs: 500, maxMs: 4000, resetAfterMs: 600_000 },
    });
    try {
      const end = Date.now() + 30_000;
      while (events.filter((e) => e.kind === 'container.restarting').length < 2 && Date.now() < end)
        await new Promise((r) => setTimeout(r, 100));
    } finally {
      stop();
      stopFeed.abort();
      await feed.done;
    }
    const restarting = events.filter((e) => e.kind === 'container.restarting');
    expect(restarting.slice(0, 2).map((e) => [e.container, e.attempt, e.backoffMs, e.reason])).toEqual([
      [name, 1, 500, 'unhealthy'],
      [name, 2, 1000, 'unhealthy'],
    ]);
    expect((await docker.getContainer(name).inspect()).State.StartedAt).not.toBe(firstStart);
  });
});
