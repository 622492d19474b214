// Watch-mode sync latency: from a file write on the host to the change being in a running container.
// Anchors: the floor of a plain `docker cp` of the same file and one archive upload through the API.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { EventBus } from '../../src/events/bus.js';
import { LABEL } from '../../src/model/labels.js';
import { connectRuntime } from '../../src/runtime/index.js';
import type { ServiceSpec, Stack } from '../../src/spec/types.js';
import { startWatch } from '../../src/watch/controller.js';
import { buildTar } from '../../src/watch/sync.js';
import type { Row } from './table.js';

const run = promisify(execFile);
const project = `b-watch-${Math.random().toString(36).slice(2, 8)}`;
const docker = new Docker();

async function catInContainer(id: string, file: string): Promise<string> {
  const exec = await docker
    .getContainer(id)
    .exec({ Cmd: ['cat', file], AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({});
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  docker.modem.demuxStream(stream, out, new PassThrough());
  await new Promise<void>((resolve) => stream.on('end', () => resolve()));
  return Buffer.concat(chunks).toString('utf8');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sync latency rows: tsstack watch, and the `docker cp` and putArchive floors. */
export async function benchSync(EDITS: number): Promise<Row[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tsstack-bench-watch-'));
  const src = path.join(dir, 'src');
  await mkdir(src);
  const container = await docker.createContainer({
    name: `${project}-app-1`,
    Image: 'tsstack-test/busybox:latest',
    Cmd: ['sleep', '3600'],
    Labels: { [LABEL.project]: project, [LABEL.service]: 'app', [LABEL.replica]: '1' },
    HostConfig: { NetworkMode: 'none' },
  });
  const abort = new AbortController();
  try {
    await container.start();
    const runtime = await connectRuntime({ env: process.env });
    const svc = {
      name: 'app',
      develop: { watch: [{ action: 'sync', path: src, target: '/app', ignore: [] }] },
      extensions: {},
    } as unknown as ServiceSpec;
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
    let appliedAt = 0;
    bus.subscribe((e) => {
      if (e.kind === 'watch.applied') appliedAt = performance.now();
      if (e.kind === 'watch.failed') console.error(`sync failed: ${e.error}`);
    });
    const ctl = await startWatch({
      stack,
      runtime,
      bus,
      reload: async () => {},
      rebuild: async () => {},
      signal: abort.signal,
    });
    const file = path.join(src, 'edit.txt');

    // Each round measures every path once, in turn, so a busy engine slows them all alike. The first two
    // rounds warm up chokidar, the exec path and the engine and are not counted.
    const floorFile = path.join(dir, 'floor.txt');
    const synced: number[] = [];
    const seen: number[] = [];
    const cp: number[] = [];
    const api: number[] = [];
    for (let i = 0; i < EDITS + 2; i++) {
      const count = i >= 2;
      // tsstack watch: write → sync done (putArchive returned: the file is in the container), measured without
      // polling since concurrent execs slow the engine; then checked once with `cat`.
      let content = `edit ${i} ${Math.random()}\n`;
      appliedAt = 0;
      let t0 = performance.now();
      await writeFile(file, content);
      while (appliedAt === 0 && performance.now() - t0 < 5000) await sleep(1);
      if (!appliedAt) throw new Error(`edit ${i} was never synced`);
      const inContainer = await catInContainer(container.id, '/app/edit.txt');
      if (inContainer !== content) throw new Error(`edit ${i}: container has ${JSON.stringify(inContainer)}`);
      if (count) synced.push(appliedAt - t0);
      await ctl.idle();
      await sleep(100);

      // The same, polling `cat` in the container until the new content shows (includes the exec overhead).
      content = `poll ${i} ${Math.random()}\n`;
      t0 = performance.now();
      await writeFile(file, content);
      let visibleAt = 0;
      while (!visibleAt && performance.now() - t0 < 5000) {
        if ((await catInContainer(container.id, '/app/edit.txt')) === content) visibleAt = performance.now();
      }
      if (!visibleAt) throw new Error(`poll edit ${i} never became visible`);
      if (count) seen.push(visibleAt - t0);
      await ctl.idle();
      await sleep(100);

      // Floor: the docker CLI copying a file of the same size (what a hand-run `docker cp` costs).
      await writeFile(floorFile, content);
      t0 = performance.now();
      await run('docker', ['cp', floorFile, `${container.id}:/app/floor.txt`]);
      if (count) cp.push(performance.now() - t0);

      // Floor: one archive upload through the Runtime, no watcher and no debounce.
      t0 = performance.now();
      const { tar } = await buildTar([{ hostPath: floorFile, containerPath: '/app/floor.txt' }]);
      await runtime.putArchive(container.id, '/', tar);
      if (count) api.push(performance.now() - t0);
      await sleep(50);
    }
    await ctl.close();

    return [
      { name: 'tsstack watch: write → synced (watch.applied)', ms: synced },
      { name: 'tsstack watch: write → seen by polling exec', ms: seen },
      { name: 'docker cp (CLI) of the same file', ms: cp },
      { name: 'putArchive alone (API floor, no debounce)', ms: api },
    ];
  } finally {
    abort.abort();
    await container.remove({ force: true });
    await rm(dir, { recursive: true, force: true });
  }
}
