import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { superviseAttached } from '../../src/session/supervise.js';
import { converge } from '../../src/reconciler/converge.js';
import { connectRuntime } from '../../src/runtime/index.js';
import type { Runtime } from '../../src/runtime/types.js';
import type { Stack } from '../../src/spec/types.js';
import { loadStackText } from './helpers/stack-cli.js';

const PROJECT = `t-supervise-${Math.random().toString(36).slice(2, 8)}`;
const LABELS = { 'io.tsstack.project': PROJECT };
let rt: Runtime;
let dir: string;

const stackOf = (yaml: string): Promise<Stack> => loadStackText(dir, PROJECT, yaml);

/** A stdout that keeps what is written, as text. */
function capture(): { out: NodeJS.WriteStream; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString()));
  return { out: stream as unknown as NodeJS.WriteStream, text: () => text };
}

async function until(cond: () => boolean, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  rt = await connectRuntime({ env: process.env });
  dir = mkdtempSync(join(tmpdir(), 'tsstack-supervise-'));
});

afterAll(async () => {
  if (rt) {
    for (const c of await rt.listContainers(LABELS, { all: true }))
      await rt.removeContainer(c.id, { force: true });
    for (const n of await rt.listNetworks(LABELS)) await rt.removeNetwork(n.id);
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('headless supervisor on the real engine', () => {
  it('writes JSON log and event lines, and stops the stack gracefully on SIGTERM with exit 0 (even after a service failed)', async () => {
    const stack = await stackOf(`
services:
  web:
    image: tsstack-test/busybox:latest
    command: ["sh", "-c", "trap 'echo bye; exit 0' TERM; i=0; while true; do echo \\"tick $$i\\"; i=$$((i+1)); sleep 0.3; done"]
  db:
    image: tsstack-test/busybox:latest
    command: ["sh", "-c", "echo ready >&2; exec sleep 600"]
    stop_grace_period: 1s
  once:
    image: tsstack-test/busybox:latest
    command: ["sh", "-c", "echo once; exit 1"]
`);
    const { out, text } = capture();
    const signals = new EventEmitter();
    const since = Math.floor(Date.now() / 1000);
    const done = superviseAttached({
      runtime: rt,
      stack,
      ui: false,
      logFormat: 'json',
      since,
      prepare: async (bus) => {
        await converge(rt, stack, { bus });
      },
      stdout: out,
      signals: signals as unknown as NodeJS.Process,
      env: {},
    });
    const lines = () =>
      text()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    await until(
      () =>
        lines().filter((l) => l.service === 'web' && l.message?.toString().startsWith('tick')).length >= 3,
      'web ticks',
    );
    await until(() => lines().some((l) => l.service === 'db' && l.message === 'ready'), 'db line');
    await until(() => lines().some((l) => l.service === 'once' && l.event === 'exited'), 'the one-shot exit');

    signals.emit('SIGTERM');
    expect(await done).toBe(0);

    const all = lines();
    const tick = all.find((l) => l.service === 'web' && l.message === 'tick 0');
    expect(tick).toMatchObject({ service: 'web', replica: 1, stream: 'stdout' });
    expect(typeof tick?.time).toBe('string');
    expect(Date.parse(tick!.time as string)).toBeGreaterThan(Date.now() - 120_000);
    expect(all.find((l) => l.service === 'db' && l.message === 'ready')).toMatchObject({ stream: 'stderr' });
    expect(
      all
        .filter((l) => l.event === 'started')
        .map((l) => l.service)
        .sort(),
    ).toEqual(['db', 'once', 'web']);
    expect(
      all
        .filter((l) => l.event === 'exited')
        .map((l) => l.service)
        .sort(),
    ).toEqual(['db', 'once', 'web']);
    expect(all.find((l) => l.event === 'exited' && l.service === 'once')).toMatchObject({ exitCode: 1 });
    // web trapped TERM and said goodbye: it was stopped gracefully, not killed.
    expect(all.some((l) => l.service === 'web' && l.message === 'bye')).toBe(true);
    expect(all.find((l) => l.event === 'exited' && l.service === 'web')).toMatchObject({ exitCode: 0 });

    const left = await rt.listContainers(LABELS, { all: true });
    expect(left.map((c) => c.state)).toEqual(['exited', 'exited', 'exited']);
    for (const c of left) await rt.removeContainer(c.id, { force: true });
  });

  it('--exit-code-from: stops the rest when that service exits and returns its code', async () => {
    const stack = await stackOf(`
services:
  server:
    image: tsstack-test/busybox:latest
    command: ["sleep", "600"]
    stop_grace_period: 1s
  check:
    image: tsstack-test/busybox:latest
    command: ["sh", "-c", "echo checking; sleep 1; exit 7"]
`);
    const { out, text } = capture();
    const code = await superviseAttached({
      runtime: rt,
      stack,
      ui: false,
      logFormat: 'plain',
      exitCodeFrom: 'check',
      since: Math.floor(Date.now() / 1000),
      prepare: async (bus) => {
        await converge(rt, stack, { bus });
      },
      stdout: out,
      signals: new EventEmitter() as unknown as NodeJS.Process,
      env: { NO_COLOR: '1' },
    });
    expect(code).toBe(7);
    expect(text()).toContain('check-1  | checking');
    expect(text()).toContain('check-1 exited with code 7');
    const server = (await rt.listContainers({ ...LABELS, 'io.tsstack.service': 'server' }, { all: true }))[0];
    expect(server?.state).toBe('exited');
  });
});
