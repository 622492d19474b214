// The engine going away under a running headless supervisor, without restarting the shared dockerd: the
// supervisor talks to the engine through a unix-socket proxy this test cuts and restores. It must report
// the outage as events (engine.disconnected with a retry delay that backs off, then engine.reconnected),
// and converge afterwards: a container removed during the outage comes back, healthy ones are not recreated.
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { superviseAttached } from '../../src/session/supervise.js';
import { EventBus } from '../../src/events/bus.js';
import type { StackEvent } from '../../src/events/types.js';
import { converge } from '../../src/reconciler/converge.js';
import { connectRuntime } from '../../src/runtime/index.js';
import { IMAGE } from './helpers/crash.js';
import { SocketProxy } from './helpers/socket-proxy.js';
import {
  docker,
  eventually,
  loadStackFile,
  projectObjects,
  removeProject,
  uniqueName,
} from './helpers/stack-cli.js';

const project = uniqueName('t-outage');
const project2 = uniqueName('t-outage-stop');
let dir = '';
let proxy: SocketProxy;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tsstack-outage-'));
  proxy = new SocketProxy(join(dir, 'docker.sock'));
  await proxy.up();
});

afterAll(async () => {
  await proxy.cut();
  await removeProject(project);
  await removeProject(project2);
  rmSync(dir, { recursive: true, force: true });
});

async function ids(): Promise<Record<string, string>> {
  const { containers } = await projectObjects(project);
  return Object.fromEntries(containers.map((c) => [c.Names[0]?.replace(/^\//, '') ?? '', c.Id]));
}

describe('engine outage under the headless supervisor (proxy socket)', () => {
  it('reports the outage, reconnects with backoff, converges without recreating healthy containers', async () => {
    const file = join(dir, 'stack.yml');
    const svc = (name: string) =>
      `  ${name}:\n    image: ${IMAGE}\n    command: ["sleep", "86400"]\n    stop_signal: SIGKILL\n`;
    writeFileSync(file, `services:\n${svc('a')}${svc('b')}${svc('c')}`);
    const stack = await loadStackFile(file, project, dir);
    const runtime = await connectRuntime({ env: { DOCKER_HOST: `unix://${proxy.path}` } });
    const bus = new EventBus();
    const events: StackEvent[] = [];
    bus.subscribe((e) => events.push(e));
    const out = new PassThrough();
    let text = '';
    out.on('data', (d: Buffer) => (text += d.toString()));
    const signals = new EventEmitter();
    // The first converge goes straight to the engine; the supervisor's own calls all pass the proxy.
    await converge(await connectRuntime({ env: process.env }), stack, {});
    const done = superviseAttached({
      runtime,
      stack,
      ui: false,
      logFormat: 'json',
      since: Math.floor(Date.now() / 1000),
      bus,
      stdout: out as unknown as NodeJS.WriteStream,
      signals: signals as unknown as NodeJS.Process,
      env: {},
    });
    try {
      expect(await eventually(async () => Object.keys(await ids()).length === 3, 60_000)).toBe(true);
      // The feed is live once it has reported all three containers.
      expect(
        await eventually(
          async () =>
            new Set(events.flatMap((e) => (e.kind === 'container.state' ? [e.service] : []))).size === 3,
          60_000,
        ),
      ).toBe(true);
      const before = await ids();

      await proxy.cut();
      const acceptedAtCut = proxy.accepted;
      // While the engine is unreachable for tsstack, c's container goes away (someone removed it).
      await docker.getContainer(`${project}-c-1`).remove({ force: true });
      expect(
        await eventually(
          async () => events.filter((e) => e.kind === 'engine.disconnected').length >= 3,
          30_000,
        ),
      ).toBe(true);
      await proxy.up();
      expect(await eventually(async () => events.some((e) => e.kind === 'engine.reconnected'), 30_000)).toBe(
        true,
      );
      expect(proxy.accepted).toBeGreaterThan(acceptedAtCut);

      const retries = events.flatMap((e) => (e.kind === 'engine.disconnected' ? [e.retryInMs] : []));
      // Backoff: the delays grow (capped), they do not hammer the socket at a fixed rate.
      expect(retries[1]).toBeGreaterThan(retries[0] as number);
      expect(retries[2]).toBeGreaterThan(retries[1] as number);
      expect(text).toContain('"event":"engine_disconnected"');
      expect(text).toContain('"event":"engine_reconnected"');

      // Converged after the reconnect: c is back, a and b are the same containers.
      expect(
        await eventually(async () => {
          const now = await ids();
          return (
            Object.keys(now).length === 3 &&
            (await docker.getContainer(`${project}-c-1`).inspect()).State.Running
          );
        }, 60_000),
      ).toBe(true);
      const after = await ids();
      expect(after[`${project}-a-1`]).toBe(before[`${project}-a-1`]);
      expect(after[`${project}-b-1`]).toBe(before[`${project}-b-1`]);
      expect(after[`${project}-c-1`]).not.toBe(before[`${project}-c-1`]);
    } finally {
      signals.emit('SIGTERM');
      await done;
    }
  }, 180_000);

  it('containers stopped by an engine that is going away do not end the session: it reconnects and starts them again', async () => {
    const file = join(dir, 'stack2.yml');
    const svc = (name: string) =>
      `  ${name}:\n    image: ${IMAGE}\n    command: ["sleep", "86400"]\n    stop_signal: SIGKILL\n`;
    writeFileSync(file, `services:\n${svc('a')}${svc('b')}`);
    const stack = await loadStackFile(file, project2, dir);
    await proxy.up();
    const runtime = await connectRuntime({ env: { DOCKER_HOST: `unix://${proxy.path}` } });
    const bus = new EventBus();
    const events: StackEvent[] = [];
    bus.subscribe((e) => events.push(e));
    const signals = new EventEmitter();
    await converge(await connectRuntime({ env: process.env }), stack, {});
    let ended = false;
    const done = superviseAttached({
      runtime,
      stack,
      ui: false,
      logFormat: 'json',
      since: Math.floor(Date.now() / 1000),
      bus,
      stdout: new PassThrough() as unknown as NodeJS.WriteStream,
      signals: signals as unknown as NodeJS.Process,
      env: {},
    }).finally(() => (ended = true));
    const exited = (service: string) =>
      events.some((e) => e.kind === 'container.state' && e.service === service && e.phase === 'exited');
    try {
      expect(
        await eventually(
          async () =>
            new Set(events.flatMap((e) => (e.kind === 'container.state' ? [e.service] : []))).size === 2,
          60_000,
        ),
      ).toBe(true);
      // What a daemon shutdown looks like from here: every container stops, then the engine is unreachable.
      await Promise.all(['a', 'b'].map((s) => docker.getContainer(`${project2}-${s}-1`).stop({ t: 0 })));
      expect(await eventually(async () => exited('a') && exited('b'), 30_000)).toBe(true);
      await proxy.cut();
      // Past the session's 2-second "all exited" wait, it is still there.
      await new Promise((r) => setTimeout(r, 4000));
      expect(ended).toBe(false);

      await proxy.up();
      expect(await eventually(async () => events.some((e) => e.kind === 'engine.reconnected'), 30_000)).toBe(
        true,
      );
      expect(
        await eventually(async () => {
          const states = await Promise.all(
            ['a', 'b'].map(
              async (s) => (await docker.getContainer(`${project2}-${s}-1`).inspect()).State.Running,
            ),
          );
          return states.every(Boolean);
        }, 60_000),
      ).toBe(true);
      expect(ended).toBe(false);
    } finally {
      signals.emit('SIGTERM');
      await done;
    }
  }, 180_000);
});
