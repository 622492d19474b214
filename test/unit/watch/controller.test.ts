import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TsstackError } from '../../../src/core/errors.js';
import { EventBus } from '../../../src/events/bus.js';
import type { StackEvent } from '../../../src/events/types.js';
import { LABEL } from '../../../src/model/labels.js';
import type { ContainerSummary, ExecRequest, ExecSession, Runtime } from '../../../src/runtime/types.js';
import type { ServiceSpec, Stack, WatchRule } from '../../../src/spec/types.js';
import { startWatch, type StartWatchOptions, type WatchController } from '../../../src/watch/controller.js';
import { rule, service } from './helpers.js';

type Call =
  { op: 'put'; id: string; bytes: number } | { op: 'exec'; cmd: string[] } | { op: 'restart'; id: string };

function stubRuntime(project: string, services: string[]) {
  const calls: Call[] = [];
  const containers: ContainerSummary[] = services.map((s) => ({
    id: `${s}-id`,
    name: `${project}-${s}-1`,
    image: 'img',
    labels: { [LABEL.project]: project, [LABEL.service]: s, [LABEL.replica]: '1' },
    state: 'running',
    ports: [],
    networks: [],
  }));
  const runtime = {
    async listContainers(filter: Record<string, string>) {
      return containers.filter((c) => Object.entries(filter).every(([k, v]) => c.labels[k] === v));
    },
    async putArchive(id: string, _p: string, tar: Buffer) {
      if (!containers.some((c) => c.id === id)) throw new Error(`no such container: ${id}`);
      calls.push({ op: 'put', id, bytes: tar.length });
    },
    async exec(_id: string, req: ExecRequest): Promise<ExecSession> {
      calls.push({ op: 'exec', cmd: req.cmd });
      return {
        stdout: Readable.from([]),
        stderr: Readable.from([]),
        tty: false,
        resize: async () => {},
        closed: Promise.resolve(),
        close: () => {},
        exitCode: Promise.resolve(0),
      };
    },
    async restartContainer(id: string) {
      calls.push({ op: 'restart', id });
    },
  } as unknown as Runtime;
  return { runtime, calls, containers };
}

function makeStack(dir: string, services: ServiceSpec[]): Stack {
  return {
    name: 'tw',
    projectDir: dir,
    files: [path.join(dir, 'stack.yml')],
    profiles: [],
    services: Object.fromEntries(services.map((s) => [s.name, s])),
    processes: {},
    networks: {},
    volumes: {},
    secrets: {},
    configs: {},
    extensions: {},
  };
}

async function waitFor(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let dir: string;
let ctl: WatchController | undefined;
let abort: AbortController;
let events: StackEvent[];
let bus: EventBus;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tsstack-ctl-'));
  await mkdir(path.join(dir, 'src'));
  await writeFile(path.join(dir, 'stack.yml'), 'services: {}\n');
  abort = new AbortController();
  bus = new EventBus();
  events = [];
  bus.subscribe((e) => events.push(e));
});

afterEach(async () => {
  abort.abort();
  await ctl?.close();
  ctl = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function start(
  svcs: (d: string) => ServiceSpec[],
  extra: Partial<StartWatchOptions> = {},
): Promise<{ calls: Call[]; rebuilds: string[]; reloads: number[] }> {
  const list = svcs(dir);
  const { runtime, calls } = stubRuntime(
    'tw',
    list.map((s) => s.name),
  );
  const rebuilds: string[] = [];
  const reloads: number[] = [];
  ctl = await startWatch({
    stack: makeStack(dir, list),
    runtime,
    bus,
    reload: async () => {
      reloads.push(Date.now());
    },
    rebuild: async (s) => {
      rebuilds.push(s);
    },
    signal: abort.signal,
    batching: { quietMs: 100, firstQuietMs: 40, maxWaitMs: 2000 },
    ...extra,
  });
  return { calls, rebuilds, reloads };
}

const syncRule = (d: string, r: Partial<WatchRule> = {}) =>
  rule({ path: path.join(d, 'src'), target: '/app', ...r });
const of = (kind: StackEvent['kind']) => events.filter((e) => e.kind === kind);

describe('startWatch', () => {
  it('syncs a saved file into the service container and reports the action and its latency', async () => {
    const { calls } = await start((d) => [service('web', [syncRule(d)])]);
    await writeFile(path.join(dir, 'src', 'a.js'), 'console.log(1)');
    await waitFor(() => of('watch.applied').length > 0, 'watch.applied');
    expect(calls.filter((c) => c.op === 'put')).toHaveLength(1);
    expect(of('watch.change')[0]).toMatchObject({ service: 'web', action: 'sync', paths: ['src/a.js'] });
    const applied = of('watch.applied')[0];
    expect(applied).toMatchObject({ service: 'web', action: 'sync', files: 1 });
    expect(applied?.kind === 'watch.applied' && applied.ms).toBeGreaterThanOrEqual(0);
  });

  it('ignores editor temp files entirely', async () => {
    const { calls } = await start((d) => [service('web', [syncRule(d)])]);
    await writeFile(path.join(dir, 'src', '.a.js.swp'), 'x');
    await writeFile(path.join(dir, 'src', 'a.js~'), 'x');
    await writeFile(path.join(dir, 'src', '4913'), 'x');
    await sleep(300);
    expect(calls).toHaveLength(0);
    expect(of('watch.change')).toHaveLength(0);
  });

  it('turns 200 files written at once into one sync and one rebuild', async () => {
    const { calls, rebuilds } = await start((d) => [
      service('web', [syncRule(d)]),
      service('api', [rule({ path: path.join(d, 'src'), action: 'rebuild' })]),
    ]);
    await Promise.all(
      Array.from({ length: 200 }, (_, i) => writeFile(path.join(dir, 'src', `f${i}.js`), `${i}`)),
    );
    await waitFor(() => of('watch.applied').length >= 2, 'two applied events');
    await sleep(200);
    expect(calls.filter((c) => c.op === 'put')).toHaveLength(1);
    expect(rebuilds).toEqual(['api']);
    expect(
      of('watch.applied').map((e) => e.kind === 'watch.applied' && [e.service, e.action, e.files]),
    ).toEqual(
      expect.arrayContaining([
        ['web', 'sync', 200],
        ['api', 'rebuild', 200],
      ]),
    );
  });

  it('follows a running rebuild with exactly one more when changes arrive meanwhile', async () => {
    let release!: () => void;
    const rebuilds: number[] = [];
    await start((d) => [service('api', [rule({ path: path.join(d, 'src'), action: 'rebuild' })])], {
      rebuild: async () => {
        rebuilds.push(Date.now());
        if (rebuilds.length === 1) await new Promise<void>((r) => (release = r));
      },
    });
    await writeFile(path.join(dir, 'src', 'a.js'), '1');
    await waitFor(() => rebuilds.length === 1, 'first rebuild');
    for (let i = 0; i < 5; i++) {
      await writeFile(path.join(dir, 'src', `b${i}.js`), `${i}`);
      await sleep(80); // separate batches
    }
    // Let the debounce deliver the last batch while the first rebuild still runs: a change that arrives
    // after the follow-up started would rightly cause a third rebuild.
    await sleep(400);
    expect(rebuilds).toHaveLength(1);
    release();
    await waitFor(() => rebuilds.length === 2, 'follow-up rebuild');
    await ctl?.idle();
    await sleep(200);
    expect(rebuilds).toHaveLength(2);
  });

  it('runs sync+restart and sync+exec after the sync', async () => {
    const { calls } = await start((d) => [
      service('web', [syncRule(d, { action: 'sync+restart' })]),
      service('api', [syncRule(d, { action: 'sync+exec', exec: { command: ['kill', '-HUP', '1'] } })]),
    ]);
    await writeFile(path.join(dir, 'src', 'a.js'), '1');
    await waitFor(() => of('watch.applied').length >= 2, 'applied');
    const ops = calls.map((c) => (c.op === 'exec' ? `exec ${c.cmd.join(' ')}` : `${c.op} ${c.id}`));
    expect(ops.filter((o) => o.endsWith('web-id'))).toEqual(['put web-id', 'restart web-id']);
    expect(ops.indexOf('exec kill -HUP 1')).toBeGreaterThan(ops.indexOf('put api-id'));
    expect(
      of('watch.applied')
        .map((e) => e.kind === 'watch.applied' && e.action)
        .sort(),
    ).toEqual(['sync+exec', 'sync+restart']);
  });

  it('applies x-tsstack.watch.debounce from the stack: saves 250 ms apart with a 600 ms debounce make one sync', async () => {
    const list = [service('web', [syncRule(dir)])];
    const { runtime, calls } = stubRuntime('tw', ['web']);
    ctl = await startWatch({
      stack: { ...makeStack(dir, list), extensions: { 'x-tsstack': { watch: { debounce: '600ms' } } } },
      runtime,
      bus,
      reload: async () => {},
      rebuild: async () => {},
      signal: abort.signal,
    });
    for (let i = 0; i < 3; i++) {
      await writeFile(path.join(dir, 'src', `f${i}.js`), String(i));
      await sleep(250);
    }
    expect(of('watch.change')).toHaveLength(0);
    await waitFor(() => of('watch.applied').length > 0, 'watch.applied');
    expect(calls.filter((c) => c.op === 'put')).toHaveLength(1);
    expect(of('watch.applied')[0]).toMatchObject({ service: 'web', action: 'sync', files: 3 });
  });

  it('queues changes of a manual-trigger service until trigger() is called', async () => {
    const manual = { 'x-tsstack': { watch: { trigger: 'manual' } } };
    const { calls } = await start((d) => [service('web', [syncRule(d)], { extensions: manual })]);
    expect(ctl?.triggerMode('web')).toBe('manual');
    await writeFile(path.join(dir, 'src', 'a.js'), '1');
    await waitFor(() => of('watch.pending').length === 1, 'pending');
    await writeFile(path.join(dir, 'src', 'b.js'), '2');
    await waitFor(() => of('watch.pending').length === 2, 'second pending');
    expect(of('watch.pending')[1]).toMatchObject({ service: 'web', action: 'sync', files: 2 });
    expect(calls).toHaveLength(0);
    expect(ctl?.pendingServices()).toEqual(['web']);
    await ctl?.trigger('web');
    expect(calls.filter((c) => c.op === 'put')).toHaveLength(1);
    expect(of('watch.applied')[0]).toMatchObject({ service: 'web', files: 2 });
    expect(ctl?.pendingServices()).toEqual([]);
  });

  it('reloads on a stack file or .env edit; an invalid edit is reported and watching goes on', async () => {
    let fail = true;
    let reloads = 0;
    await start(() => [], {
      reload: async () => {
        reloads++;
        if (fail) throw new TsstackError('stack.yml:1:1 services: expected a mapping', 2);
      },
    });
    await writeFile(path.join(dir, 'stack.yml'), 'services: [\n');
    await waitFor(() => of('stack.invalid').length === 1, 'stack.invalid');
    expect(of('stack.invalid')[0]).toMatchObject({ message: 'stack.yml:1:1 services: expected a mapping' });
    fail = false;
    await writeFile(path.join(dir, '.env'), 'A=1\n');
    await waitFor(() => of('watch.applied').length === 1, 'reload applied');
    expect(reloads).toBe(2);
    expect(of('watch.applied')[0]).toMatchObject({ action: 'reload', files: 1 });
    // A file next to the stack file that is not a config file does nothing.
    await writeFile(path.join(dir, 'notes.txt'), 'x');
    await sleep(200);
    expect(reloads).toBe(2);
  });

  it('follows the new rules after a reload returns a new stack', async () => {
    const other = path.join(dir, 'other');
    await mkdir(other);
    const { calls } = await start((d) => [service('web', [syncRule(d)])], {
      reload: async () => makeStack(dir, [service('web', [rule({ path: other, target: '/other' })])]),
    });
    await writeFile(path.join(dir, 'stack.yml'), 'services: {web: {}}\n');
    await waitFor(
      () => of('watch.applied').some((e) => e.kind === 'watch.applied' && e.action === 'reload'),
      'reload',
    );
    await writeFile(path.join(other, 'o.txt'), 'o');
    await waitFor(() => calls.some((c) => c.op === 'put'), 'sync from the new path');
    await writeFile(path.join(dir, 'src', 'old.js'), 'x');
    await sleep(250);
    expect(calls.filter((c) => c.op === 'put')).toHaveLength(1);
  });

  it('copies the whole tree at start for initial_sync', async () => {
    await writeFile(path.join(dir, 'src', 'a.js'), 'a');
    await writeFile(path.join(dir, 'src', 'b.js'), 'b');
    const { calls } = await start((d) => [service('web', [syncRule(d, { initial_sync: true })])]);
    await waitFor(() => of('watch.applied').length === 1, 'initial sync');
    expect(calls.filter((c) => c.op === 'put')).toHaveLength(1);
    expect(of('watch.applied')[0]).toMatchObject({ service: 'web', action: 'sync', files: 2 });
  });

  it('reports a sync with no running container as failed', async () => {
    const { runtime } = stubRuntime('tw', []);
    await start((d) => [service('web', [syncRule(d)])], { runtime });
    await writeFile(path.join(dir, 'src', 'a.js'), '1');
    await waitFor(() => of('watch.failed').length === 1, 'watch.failed');
    expect(of('watch.failed')[0]).toMatchObject({ service: 'web', action: 'sync' });
  });

  it('finds the new container when the remembered one was recreated', async () => {
    const stub = stubRuntime('tw', ['web']);
    await start((d) => [service('web', [syncRule(d)])], { runtime: stub.runtime });
    await writeFile(path.join(dir, 'src', 'a.js'), '1');
    await waitFor(() => of('watch.applied').length === 1, 'first sync');
    stub.containers[0]!.id = 'web-id-2'; // recreated behind our back
    await writeFile(path.join(dir, 'src', 'a.js'), '2');
    await waitFor(() => of('watch.applied').length === 2, 'second sync');
    expect(stub.calls.map((c) => c.op === 'put' && c.id)).toEqual(['web-id', 'web-id-2']);
    expect(of('watch.failed')).toHaveLength(0);
  });

  it('applies the last of several quick saves, also those chokidar drops (two within 50 ms)', async () => {
    const file = path.join(dir, 'stack.yml');
    const seen: string[] = [];
    await start(() => [], {
      reload: async () => {
        seen.push(await readFile(file, 'utf8'));
      },
    });
    let missed = 0;
    for (let i = 1; i <= 25; i++) {
      const content = `services: {} # ${i}\n${'#\n'.repeat(i % 3)}`;
      await writeFile(file, content);
      const end = Date.now() + 1500;
      while (seen.at(-1) !== content && Date.now() < end) await sleep(5);
      if (seen.at(-1) !== content) missed++;
      await sleep(5 + (i % 4) * 15);
    }
    expect(missed).toBe(0);
  });
});
