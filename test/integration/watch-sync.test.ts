import { mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus } from '../../src/events/bus.js';
import type { StackEvent } from '../../src/events/types.js';
import { LABEL } from '../../src/model/labels.js';
import { connectRuntime } from '../../src/runtime/index.js';
import type { ServiceSpec, Stack, WatchRule } from '../../src/spec/types.js';
import { startWatch, type WatchController } from '../../src/watch/controller.js';
import { service } from '../unit/watch/helpers.js';

// Real engine, real chokidar: files saved on the host show up in (or vanish from) a running container.
const project = `t-watch-${Math.random().toString(36).slice(2, 8)}`;
const docker = new Docker();
const abort = new AbortController();
const events: StackEvent[] = [];
let dir: string;
let containerId: string;
let ctl: WatchController | undefined;

async function sh(script: string): Promise<{ code: number; out: string }> {
  const exec = await docker.getContainer(containerId).exec({
    Cmd: ['sh', '-c', script],
    AttachStdout: true,
    AttachStderr: true,
  });
  const stream = await exec.start({});
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  docker.modem.demuxStream(stream, out, out);
  await new Promise<void>((resolve) => stream.on('end', () => resolve()));
  const info = await exec.inspect();
  return { code: info.ExitCode ?? -1, out: Buffer.concat(chunks).toString('utf8').trim() };
}

async function waitFor(check: () => boolean | Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const applied = () =>
  events.filter((e): e is Extract<StackEvent, { kind: 'watch.applied' }> => e.kind === 'watch.applied');

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tsstack-watch-it-'));
  await mkdir(path.join(dir, 'src'));
  await mkdir(path.join(dir, 'hooks'));
  const c = await docker.createContainer({
    name: `${project}-app-1`,
    Image: 'tsstack-test/busybox:latest',
    Cmd: ['sleep', '3600'],
    Labels: { [LABEL.project]: project, [LABEL.service]: 'app', [LABEL.replica]: '1' },
    HostConfig: { NetworkMode: 'none' },
  });
  containerId = c.id;
  await c.start();

  const rules: WatchRule[] = [
    { action: 'sync', path: path.join(dir, 'src'), target: '/app', ignore: ['*.log', 'build/'] },
    {
      action: 'sync+exec',
      path: path.join(dir, 'hooks'),
      target: '/hooks',
      ignore: [],
      exec: { command: ['sh', '-c', 'ls /hooks > /tmp/exec-saw'] },
    },
  ];
  const svc: ServiceSpec = service('app', rules);
  const stack: Stack = {
    name: project,
    projectDir: dir,
    files: [path.join(dir, 'stack.yml')],
    profiles: [],
    services: { app: svc },
    processes: {},
    networks: {},
    volumes: {},
    secrets: {},
    configs: {},
    extensions: {},
  };
  const bus = new EventBus();
  bus.subscribe((e) => events.push(e));
  ctl = await startWatch({
    stack,
    runtime: await connectRuntime({ env: process.env }),
    bus,
    reload: async () => {},
    rebuild: async () => {},
    signal: abort.signal,
  });
});

afterAll(async () => {
  abort.abort();
  await ctl?.close();
  const mine = await docker.listContainers({
    all: true,
    filters: { label: [`${LABEL.project}=${project}`] },
  });
  await Promise.all(mine.map((c) => docker.getContainer(c.Id).remove({ force: true })));
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('watch sync on the real engine', () => {
  it('makes a saved file visible in the container, with its content and mode', async () => {
    const file = path.join(dir, 'src', 'hello.txt');
    await writeFile(file, 'hello from the host\n', { mode: 0o640 });
    await waitFor(async () => (await sh('cat /app/hello.txt')).code === 0, '/app/hello.txt');
    expect((await sh('cat /app/hello.txt')).out).toBe('hello from the host');
    expect((await sh('stat -c %a /app/hello.txt')).out).toBe('640');
    await waitFor(() => applied().some((e) => e.service === 'app' && e.action === 'sync'), 'watch.applied');
  });

  it('removes a deleted file from the container', async () => {
    const file = path.join(dir, 'src', 'gone.txt');
    await writeFile(file, 'soon gone');
    await waitFor(async () => (await sh('test -e /app/gone.txt')).code === 0, 'gone.txt synced');
    await unlink(file);
    await waitFor(async () => (await sh('test -e /app/gone.txt')).code !== 0, 'gone.txt deleted');
  });

  it('does not sync ignored files (rule ignores and editor temp files)', async () => {
    await mkdir(path.join(dir, 'src', 'build'));
    await writeFile(path.join(dir, 'src', 'debug.log'), 'log');
    await writeFile(path.join(dir, 'src', '.hello.txt.swp'), 'swap');
    await writeFile(path.join(dir, 'src', 'build', 'out.js'), 'built');
    // A normal file saved after them: once it is there, the ignored ones would have been too.
    await writeFile(path.join(dir, 'src', 'after.txt'), 'after');
    await waitFor(async () => (await sh('test -e /app/after.txt')).code === 0, 'after.txt synced');
    await new Promise((r) => setTimeout(r, 300));
    const ls = await sh('ls -a /app');
    expect(ls.out.split('\n')).toContain('after.txt');
    expect(ls.out).not.toContain('debug.log');
    expect(ls.out).not.toContain('.swp');
    expect(ls.out).not.toContain('build');
  });

  it('syncs 500 files written at once in one batch', async () => {
    await ctl?.idle();
    const before = applied().length;
    const changesBefore = events.filter((e) => e.kind === 'watch.change').length;
    const many = path.join(dir, 'src', 'many');
    await mkdir(many);
    await Promise.all(Array.from({ length: 500 }, (_, i) => writeFile(path.join(many, `f${i}.txt`), `${i}`)));
    await waitFor(async () => (await sh('ls /app/many | wc -l')).out === '500', '500 files in the container');
    await ctl?.idle();
    const batches = applied().slice(before);
    expect(batches).toHaveLength(1);
    expect(batches[0]?.files).toBe(501); // the folder and its 500 files
    expect(events.filter((e) => e.kind === 'watch.change').length - changesBefore).toBe(1);
    expect((await sh('cat /app/many/f499.txt')).out).toBe('499');
  });

  it('runs the sync+exec command in the container after syncing', async () => {
    await writeFile(path.join(dir, 'hooks', 'reload.conf'), 'x');
    await waitFor(
      async () => (await sh('cat /tmp/exec-saw')).out.includes('reload.conf'),
      'exec ran after the sync',
    );
    await waitFor(() => applied().some((e) => e.action === 'sync+exec'), 'sync+exec applied');
  });
});
