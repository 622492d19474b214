// Watch-mode rebuild and spec-reload latency: from a save to the recreated container serving HTTP again.
// Anchors: the engine's own floor (build and/or stop, remove, create, start through the API, nothing else),
// and Docker Compose v2 run by hand after the same save (`docker compose up -d --build` / `up -d`).
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { runWatchMode } from '../../src/session/watch-mode.js';
import { EventBus } from '../../src/events/bus.js';
import { converge } from '../../src/reconciler/converge.js';
import { LABEL } from '../../src/model/labels.js';
import { connectRuntime } from '../../src/runtime/index.js';
import { loadStack } from '../../src/spec/index.js';
import { composeNote, findComposeV2 } from '../anchors.js';
import type { Row } from './table.js';

const run = promisify(execFile);
const docker = new Docker();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** One GET on a fresh connection (no keep-alive: a pooled socket to a replaced container would stall). */
function getOnce(port: number, file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path: `/${file}`, agent: false, timeout: 300 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** Polls until GET /<file> answers `want`; returns the time it did. */
async function servedAt(port: number, file: string, want: string, t0: number): Promise<number> {
  while (performance.now() - t0 < 60_000) {
    try {
      if ((await getOnce(port, file)).trim() === want) return performance.now();
    } catch {
      // not up yet
    }
    await sleep(5);
  }
  throw new Error(`/${file} never answered ${want}`);
}

const COMMAND = ['sh', '-c', 'echo "$STAMP" > /www/env.txt && exec httpd -f -p 8080 -h /www'];
/** The command as YAML, `$` escaped from interpolation. */
const COMMAND_YAML = JSON.stringify(COMMAND).replaceAll('$', '$$$$');
const dockerfile = (stamp: string) =>
  `FROM tsstack-test/busybox:latest\nRUN mkdir -p /www && echo ${stamp} > /www/build.txt\n`;

function tsstackYaml(project: string, port: number, env: string): string {
  return `name: ${project}
services:
  web:
    build: ./web
    command: ${COMMAND_YAML}
    ports: ["127.0.0.1:${port}:8080"]
    stop_grace_period: 0s
    environment: { STAMP: "${env}" }
    develop:
      watch:
        - action: rebuild
          path: ./web/Dockerfile
`;
}

/** The same service for Compose v2 (no `develop:`), labelled so cleanup finds everything. */
function composeYaml(project: string, port: number, env: string): string {
  return `services:
  web:
    build: { context: ./web, labels: { ${LABEL.project}: ${project} } }
    image: ${project}-web
    command: ${COMMAND_YAML}
    ports: ["127.0.0.1:${port}:8080"]
    stop_grace_period: 0s
    environment: { STAMP: "${env}" }
    labels: { ${LABEL.project}: ${project} }
networks:
  default:
    labels: { ${LABEL.project}: ${project} }
`;
}

async function cleanup(project: string): Promise<void> {
  const label = { label: [`${LABEL.project}=${project}`] };
  const cs = await docker.listContainers({ all: true, filters: label });
  await Promise.all(
    cs.map((c) =>
      docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => {}),
    ),
  );
  const nets = await docker.listNetworks({ filters: label });
  await Promise.all(
    nets.map((n) =>
      docker
        .getNetwork(n.Id)
        .remove()
        .catch(() => {}),
    ),
  );
  const images = await docker.listImages({ filters: label });
  for (const i of images)
    await docker
      .getImage(i.Id)
      .remove({ force: true })
      .catch(() => {});
}

/** One way of applying a change: it is told to rebuild or to reload with a stamp and resolves once done. */
interface Subject {
  name: { rebuild: string; reload: string };
  /** Writes the Dockerfile with `stamp` and does whatever this subject does; resolves when the change is made. */
  rebuild(stamp: string): Promise<void>;
  reload(stamp: string): Promise<void>;
  port: number;
  /** tsstack only: its own time per change (save → applied, minus the engine calls it waited for). */
  ownMs?: { rebuild: number[]; reload: number[] };
  close(): Promise<void>;
}

/** tsstack watch: the save is all the user does; the watcher rebuilds or reloads. */
async function tsstackSubject(): Promise<Subject> {
  const project = `b-wreb-${Math.random().toString(36).slice(2, 8)}`;
  const dir = await mkdtemp(path.join(tmpdir(), 'tsstack-bench-rebuild-'));
  const port = await freePort();
  const abort = new AbortController();
  await mkdir(path.join(dir, 'web'));
  await writeFile(path.join(dir, 'web', 'Dockerfile'), dockerfile('b0'));
  const file = path.join(dir, 'compose.yml');
  await writeFile(file, tsstackYaml(project, port, 'e0'));
  const load = () => loadStack({ files: [file], cwd: dir, envFiles: [], profiles: [], env: {} });
  const runtime = await connectRuntime({ env: process.env });
  const { stack, raw } = await load();
  const bus = new EventBus();
  await converge(runtime, stack, { bus });
  const ownMs = { rebuild: [] as number[], reload: [] as number[] };
  let engineMs = 0;
  bus.subscribe((e) => {
    if (e.kind === 'watch.failed' || e.kind === 'stack.invalid') console.error(`watch: ${JSON.stringify(e)}`);
    if (e.kind === 'image.done' || e.kind === 'operation.done') engineMs += e.ms;
    if (e.kind === 'watch.applied') {
      if (e.action === 'rebuild' || e.action === 'reload') ownMs[e.action].push(e.ms - engineMs);
      engineMs = 0;
    }
  });
  let ready!: () => void;
  const isReady = new Promise<void>((r) => (ready = r));
  const watching = runWatchMode({
    load,
    envFiles: [],
    runtime,
    stack,
    raw,
    bus,
    signal: abort.signal,
    print: false,
    keys: false,
    onReady: () => ready(),
  });
  await isReady;
  return {
    name: {
      rebuild: 'tsstack watch: Dockerfile save → new container serving',
      reload: 'tsstack watch: stack file save → recreated, serving',
    },
    port,
    ownMs,
    rebuild: (stamp) => writeFile(path.join(dir, 'web', 'Dockerfile'), dockerfile(stamp)),
    reload: (stamp) => writeFile(file, tsstackYaml(project, port, stamp)),
    close: async () => {
      abort.abort();
      await watching.catch(() => {});
      await cleanup(project);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The engine floor: the same build and recreate straight through the API with nothing in between, on a
 * project network with the service alias like tsstack's, publishing the same way.
 */
async function floorSubject(): Promise<Subject> {
  const project = `b-wflr-${Math.random().toString(36).slice(2, 8)}`;
  const dir = await mkdtemp(path.join(tmpdir(), 'tsstack-bench-floor-'));
  const port = await freePort();
  const runtime = await connectRuntime({ env: process.env });
  const tag = `${project}-web`;
  const labels = { [LABEL.project]: project, [LABEL.service]: 'web' };
  const network = `${project}_default`;
  await docker.createNetwork({ Name: network, Driver: 'bridge', Labels: { [LABEL.project]: project } });
  let env = 'e0';
  const build = async (stamp: string) => {
    await writeFile(path.join(dir, 'Dockerfile'), dockerfile(stamp));
    await runtime.buildImage({ context: dir, tags: [tag], args: {}, labels });
  };
  const create = async () => {
    const c = await docker.createContainer({
      name: `${project}-web-1`,
      Image: tag,
      Cmd: COMMAND,
      Env: [`STAMP=${env}`],
      Labels: labels,
      ExposedPorts: { '8080/tcp': {} },
      HostConfig: {
        NetworkMode: network,
        PortBindings: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] },
      },
      NetworkingConfig: { EndpointsConfig: { [network]: { Aliases: ['web'] } } },
    });
    await c.start();
    return c;
  };
  await build('b0');
  let c = await create();
  const recreate = async () => {
    await c.stop({ t: 0 });
    await c.remove();
    c = await create();
  };
  return {
    name: {
      rebuild: 'engine floor: build + stop/rm/create/start',
      reload: 'engine floor: stop/rm/create/start',
    },
    port,
    rebuild: async (stamp) => {
      await build(stamp);
      await recreate();
    },
    reload: async (stamp) => {
      env = stamp;
      await recreate();
    },
    close: async () => {
      await cleanup(project);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Compose v2 by hand: after each save, `docker compose up -d [--build]`. Undefined when it is not installed. */
async function composeSubject(): Promise<Subject | undefined> {
  const compose = findComposeV2();
  if (!compose.available) {
    console.error(`note: ${composeNote(compose)}`);
    return undefined;
  }
  const project = `b-wcmp-${Math.random().toString(36).slice(2, 8)}`;
  const dir = await mkdtemp(path.join(tmpdir(), 'tsstack-bench-compose-'));
  const port = await freePort();
  const file = path.join(dir, 'docker-compose.yml');
  const dc = (...args: string[]) =>
    run('docker', ['compose', '-p', project, '-f', file, ...args], { cwd: dir });
  await mkdir(path.join(dir, 'web'));
  await writeFile(path.join(dir, 'web', 'Dockerfile'), dockerfile('b0'));
  await writeFile(file, composeYaml(project, port, 'e0'));
  await dc('up', '-d', '--build');
  let env = 'e0';
  return {
    name: {
      rebuild: `docker compose ${compose.version} up -d --build (by hand)`,
      reload: `docker compose ${compose.version} up -d (by hand)`,
    },
    port,
    rebuild: async (stamp) => {
      await writeFile(path.join(dir, 'web', 'Dockerfile'), dockerfile(stamp));
      await dc('up', '-d', '--build');
    },
    reload: async (stamp) => {
      env = stamp;
      await writeFile(file, composeYaml(project, port, env));
      await dc('up', '-d');
    },
    close: async () => {
      await dc('down', '-t', '0', '--rmi', 'local').catch(() => {});
      await cleanup(project);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Rebuild and spec-reload rows. The subjects take turns edit by edit, so a busy engine slows all of them
 * alike; the first round warms caches and is not counted.
 */
export async function benchRebuild(edits: number): Promise<{ rebuild: Row[]; reload: Row[] }> {
  const subjects: Subject[] = [];
  try {
    subjects.push(await tsstackSubject(), await floorSubject());
    const compose = await composeSubject();
    if (compose) subjects.push(compose);
    for (const s of subjects) await servedAt(s.port, 'env.txt', 'e0', performance.now());
    const rebuild = subjects.map((s) => ({ name: s.name.rebuild, ms: [] as number[] }));
    const reload = subjects.map((s) => ({ name: s.name.reload, ms: [] as number[] }));
    for (let i = 1; i <= edits + 1; i++) {
      for (const [k, s] of subjects.entries()) {
        // Stamps differ per subject so no build reuses another's cached layer. Polling starts with the save,
        // for every subject alike.
        let t0 = performance.now();
        let served = servedAt(s.port, 'build.txt', `s${k}b${i}`, t0);
        await s.rebuild(`s${k}b${i}`);
        const r = (await served) - t0;
        await sleep(200);
        t0 = performance.now();
        served = servedAt(s.port, 'env.txt', `s${k}e${i}`, t0);
        await s.reload(`s${k}e${i}`);
        const e = (await served) - t0;
        await sleep(200);
        if (i > 1) {
          rebuild[k]?.ms.push(r);
          reload[k]?.ms.push(e);
        }
      }
    }
    for (const s of subjects) {
      if (!s.ownMs) continue;
      // The first round is warm-up, as above.
      rebuild.push({
        name: '  of which tsstack itself (minus build and engine calls)',
        ms: s.ownMs.rebuild.slice(1),
      });
      reload.push({ name: '  of which tsstack itself (minus engine calls)', ms: s.ownMs.reload.slice(1) });
    }
    return { rebuild, reload };
  } finally {
    for (const s of subjects) await s.close().catch((err: unknown) => console.error(err));
  }
}
