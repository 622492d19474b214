import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pack } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineError } from '../../src/core/errors.js';
import { connectRuntime } from '../../src/runtime/index.js';
import type { ContainerCreateSpec, EngineEvent, LogLine, Runtime } from '../../src/runtime/types.js';
import { engineSocket } from './helpers/engine-socket.js';

const IMAGE = 'tsstack-test/busybox:latest';
const PROJECT = `t-runtime-${Math.random().toString(36).slice(2, 8)}`;
const LABELS = { 'io.tsstack.project': PROJECT };
let rt: Runtime;
const tempDirs: string[] = [];

function spec(name: string, over: Partial<ContainerCreateSpec> = {}): ContainerCreateSpec {
  return {
    name: `${PROJECT}-${name}`,
    image: IMAGE,
    labels: { ...LABELS, 'io.tsstack.service': name },
    env: [],
    exposedPorts: [],
    ports: [],
    mounts: [],
    networks: [],
    ...over,
  };
}

async function run(name: string, over: Partial<ContainerCreateSpec>): Promise<string> {
  const id = await rt.createContainer(spec(name, over));
  await rt.startContainer(id);
  return id;
}

async function collectLogs(id: string): Promise<LogLine[]> {
  const lines: LogLine[] = [];
  for await (const l of rt.logs(id, { follow: false })) lines.push(l);
  return lines;
}

async function execText(id: string, cmd: string[]): Promise<{ code: number; out: string; err: string }> {
  const s = await rt.exec(id, { cmd, tty: false, stdin: false });
  let out = '';
  let err = '';
  s.stdout.on('data', (d: Buffer) => (out += d.toString()));
  s.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await s.exitCode;
  return { code, out, err };
}

async function eventually<T>(fn: () => Promise<T>, tries = 50): Promise<T> {
  let last: unknown;
  for (let i = 0; i < tries; i++) {
    try {
      return await fn();
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw last;
}

beforeAll(async () => {
  rt = await connectRuntime({ env: process.env });
});

afterAll(async () => {
  if (!rt) return;
  for (const c of await rt.listContainers(LABELS, { all: true }))
    await rt.removeContainer(c.id, { force: true });
  for (const n of await rt.listNetworks(LABELS)) await rt.removeNetwork(n.id);
  for (const v of await rt.listVolumes(LABELS)) await rt.removeVolume(v.name, true);
  for (const i of await rt.listImages(LABELS)) await rt.removeImage(i.id, true);
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
});

describe('DockerRuntime on the real engine', () => {
  it('reports engine info with a negotiated API version', async () => {
    const info = await rt.info();
    expect(info.flavor).toBe('docker');
    expect(info.apiVersion).toMatch(/^1\.\d+$/);
    expect(info.cpus).toBeGreaterThan(0);
    expect(info.memory).toBeGreaterThan(0);
    await rt.ping();
  });

  it('creates, starts, lists by label, stops and removes a container', async () => {
    const id = await run('life', {
      command: ['sleep', '300'],
      labels: { ...LABELS, 'io.tsstack.service': 'life', 'io.tsstack.replica': '1' },
      stopTimeout: 1,
    });
    const listed = await rt.listContainers({ ...LABELS, 'io.tsstack.service': 'life' });
    expect(listed.map((c) => c.id)).toEqual([id]);
    expect(listed[0]?.state).toBe('running');
    expect(listed[0]?.name).toBe(`${PROJECT}-life`);
    expect(listed[0]?.labels['io.tsstack.replica']).toBe('1');
    expect(await rt.listContainers({ ...LABELS, 'io.tsstack.service': 'other' })).toEqual([]);

    await rt.stopContainer(id, 1);
    const stopped = await rt.inspectContainer(id);
    expect(stopped?.state).toBe('exited');
    expect(stopped?.exitCode).toBe(137); // sleep ignores SIGTERM as PID 1: the engine killed it after the grace period
    expect(await rt.listContainers({ ...LABELS, 'io.tsstack.service': 'life' })).toEqual([]);
    expect(
      (await rt.listContainers({ ...LABELS, 'io.tsstack.service': 'life' }, { all: true }))[0]?.exitCode,
    ).toBe(137);
    await rt.stopContainer(id, 1); // already stopped: not an error
    await rt.removeContainer(id);
    expect(await rt.inspectContainer(id)).toBeUndefined();
  });

  it('publishes a port on 127.0.0.1 with an ephemeral host port that answers', async () => {
    const id = await run('web', {
      command: [
        'sh',
        '-c',
        'mkdir -p /www && echo hello-tsstack > /www/index.html && exec httpd -f -p 8080 -h /www',
      ],
      ports: [{ target: 8080, protocol: 'tcp', hostIp: '127.0.0.1' }],
    });
    const c = await rt.inspectContainer(id);
    const port = c?.ports.find((p) => p.target === 8080);
    expect(port?.hostIp).toBe('127.0.0.1');
    expect(port?.hostPort).toBeGreaterThan(0);
    const listed = (await rt.listContainers({ ...LABELS, 'io.tsstack.service': 'web' }))[0];
    expect(listed?.ports.find((p) => p.target === 8080)?.hostPort).toBe(port?.hostPort);
    const body = await eventually(async () => (await fetch(`http://127.0.0.1:${port?.hostPort}/`)).text());
    expect(body.trim()).toBe('hello-tsstack');
  });

  it('attaches networks with aliases that resolve by DNS from another container', async () => {
    const net1 = `${PROJECT}_front`;
    const net2 = `${PROJECT}_back`;
    await rt.createNetwork({
      name: net1,
      driver: 'bridge',
      labels: LABELS,
      options: {},
      internal: false,
      attachable: true,
    });
    await rt.createNetwork({
      name: net2,
      driver: 'bridge',
      labels: LABELS,
      options: {},
      internal: false,
      attachable: false,
      ipam: { config: [{ subnet: '172.31.231.0/24' }] },
    });
    expect((await rt.inspectNetwork(net2))?.subnets).toEqual(['172.31.231.0/24']);
    expect((await rt.listNetworks(LABELS)).map((n) => n.name).sort()).toEqual([net2, net1].sort());

    const server = await run('server', {
      command: [
        'sh',
        '-c',
        'mkdir -p /www && echo from-server > /www/index.html && exec httpd -f -p 8080 -h /www',
      ],
      networks: [
        { network: net1, aliases: ['server', 'front-alias'] },
        { network: net2, aliases: ['server', 'back-alias'], ipv4Address: '172.31.231.10' },
      ],
    });
    expect((await rt.inspectContainer(server))?.networks.sort()).toEqual([net2, net1].sort());
    const client = await run('client', {
      command: ['sleep', '300'],
      networks: [{ network: net2, aliases: [] }],
    });

    const viaAlias = await eventually(async () => {
      const r = await execText(client, ['wget', '-qO-', 'http://back-alias:8080/']);
      if (r.code !== 0) throw new Error(r.err);
      return r;
    });
    expect(viaAlias.out.trim()).toBe('from-server');
    const lookup = await execText(client, ['nslookup', 'back-alias']);
    expect(lookup.out).toContain('172.31.231.10');
    // The client is not on the front network, so that network's alias does not resolve for it.
    expect((await execText(client, ['nslookup', 'front-alias'])).code).not.toBe(0);
  });

  it('mounts a named volume whose data a second container reads', async () => {
    const vol = `${PROJECT}_data`;
    await rt.createVolume({ name: vol, driver: 'local', labels: LABELS, options: {} });
    expect((await rt.inspectVolume(vol))?.labels).toEqual(LABELS);
    const mounts = [{ type: 'volume' as const, source: vol, target: '/data', readOnly: false }];
    const writer = await run('writer', { command: ['sh', '-c', 'echo persisted > /data/f'], mounts });
    expect(await rt.waitContainer(writer)).toBe(0);
    const reader = await run('reader', {
      command: ['sh', '-c', 'cat /data/f; touch /data/g'],
      mounts: [{ ...mounts[0]!, readOnly: true }],
    });
    expect(await rt.waitContainer(reader)).not.toBe(0); // read-only: touch fails
    const lines = await collectLogs(reader);
    expect(lines.find((l) => l.stream === 'stdout')?.message).toBe('persisted');
    expect(lines.some((l) => l.stream === 'stderr' && /Read-only/i.test(l.message))).toBe(true);
    expect((await rt.listVolumes(LABELS)).map((v) => v.name)).toContain(vol);
    await rt.removeContainer(writer);
    await rt.removeContainer(reader);
    await rt.removeVolume(vol);
    expect(await rt.inspectVolume(vol)).toBeUndefined();
  });

  it('demultiplexes logs into stdout and stderr lines, with timestamps and tail', async () => {
    const id = await run('logger', {
      command: ['sh', '-c', 'echo out1; echo err1 >&2; printf "out2\\nout3"; echo; echo err2 >&2'],
    });
    expect(await rt.waitContainer(id)).toBe(0);
    const lines = await collectLogs(id);
    expect(lines.filter((l) => l.stream === 'stdout').map((l) => l.message)).toEqual([
      'out1',
      'out2',
      'out3',
    ]);
    expect(lines.filter((l) => l.stream === 'stderr').map((l) => l.message)).toEqual(['err1', 'err2']);
    const stamped: LogLine[] = [];
    for await (const l of rt.logs(id, { follow: false, timestamps: true, tail: 1 })) stamped.push(l);
    expect(stamped).toHaveLength(1);
    expect(stamped[0]?.time).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(stamped[0]?.message).not.toMatch(/^\d{4}-/);
  });

  it('reads a TTY container log as raw stdout, and a long log line by line', async () => {
    const tty = await run('tty', { tty: true, command: ['sh', '-c', 'echo on-tty; echo err-on-tty >&2'] });
    expect(await rt.waitContainer(tty)).toBe(0);
    expect(await collectLogs(tty)).toEqual([
      { stream: 'stdout', message: 'on-tty' },
      { stream: 'stdout', message: 'err-on-tty' },
    ]);
    const long = await run('long', { command: ['sh', '-c', 'seq 1 20000; seq 1 500 >&2'] });
    expect(await rt.waitContainer(long)).toBe(0);
    const lines = await collectLogs(long);
    const out = lines.filter((l) => l.stream === 'stdout').map((l) => l.message);
    expect(out).toHaveLength(20000);
    expect(out.every((m, i) => m === String(i + 1))).toBe(true);
    expect(lines.filter((l) => l.stream === 'stderr')).toHaveLength(500);
  });

  it('follows logs until the signal aborts', async () => {
    const id = await run('ticker', {
      command: ['sh', '-c', 'i=0; while true; do i=$((i+1)); echo tick$i; sleep 0.2; done'],
    });
    const ac = new AbortController();
    const got: string[] = [];
    for await (const l of rt.logs(id, { follow: true }, ac.signal)) {
      got.push(l.message);
      if (got.length === 3) ac.abort();
    }
    expect(got).toEqual(['tick1', 'tick2', 'tick3']);
    await rt.removeContainer(id, { force: true });
  });

  it('streams events filtered by label, seeing start and die with the exit code', async () => {
    const ac = new AbortController();
    const seen: EngineEvent[] = [];
    const done = (async () => {
      for await (const e of rt.events({ ...LABELS, 'io.tsstack.service': 'evented' }, ac.signal)) {
        seen.push(e);
        if (e.action === 'die') ac.abort();
      }
    })();
    await new Promise((r) => setTimeout(r, 300)); // the subscription must be in place before the container starts
    const other = await run('unwatched', { command: ['true'] }); // same project, another service: filtered out
    const id = await run('evented', { command: ['sh', '-c', 'sleep 0.3; exit 3'] });
    const timer = setTimeout(() => ac.abort(), 20_000);
    await done;
    clearTimeout(timer);
    const actions = seen.map((e) => e.action);
    expect(actions).toContain('start');
    expect(actions).toContain('die');
    expect(seen.every((e) => e.id === id && e.type === 'container')).toBe(true);
    expect(seen.find((e) => e.action === 'die')?.attributes.exitCode).toBe('3');
    expect(seen.find((e) => e.action === 'start')?.attributes.name).toBe(`${PROJECT}-evented`);
    expect(other).not.toBe(id);
  });

  it('execs with exit code and separated output, with a TTY, and with stdin', async () => {
    const id = await run('execbox', { command: ['sleep', '300'] });
    const plain = await execText(id, ['sh', '-c', 'echo hi; echo bad >&2; exit 3']);
    expect(plain).toEqual({ code: 3, out: 'hi\n', err: 'bad\n' });

    const tty = await rt.exec(id, {
      cmd: ['sh', '-c', 'echo tty-out; echo tty-err >&2'],
      tty: true,
      stdin: false,
    });
    let ttyOut = '';
    tty.stdout.on('data', (d: Buffer) => (ttyOut += d.toString()));
    tty.stderr.resume();
    expect(await tty.exitCode).toBe(0);
    expect(ttyOut).toContain('tty-out\r\n'); // a TTY merges both streams and writes CRLF
    expect(ttyOut).toContain('tty-err');

    const withStdin = await rt.exec(id, { cmd: ['sh', '-c', 'tr a-z A-Z; exit 5'], tty: false, stdin: true });
    let upper = '';
    withStdin.stdout.on('data', (d: Buffer) => (upper += d.toString()));
    withStdin.stderr.resume();
    withStdin.stdin?.write('shout\n');
    withStdin.stdin?.end();
    expect(await withStdin.exitCode).toBe(5);
    expect(upper).toBe('SHOUT\n');
  });

  it('reports stats samples and stops when aborted', async () => {
    const busy = await run('busy', { command: ['sh', '-c', 'while true; do :; done'] });
    const idle = await run('idle', { command: ['sleep', '300'] });
    const third = async (id: string) => {
      const ac = new AbortController();
      const samples = [];
      for await (const s of rt.stats(id, ac.signal)) {
        samples.push(s);
        if (samples.length === 3) ac.abort();
      }
      expect(samples).toHaveLength(3);
      return samples[2]!;
    };
    const b = await third(busy);
    const i = await third(idle);
    expect(b.memoryUsage).toBeGreaterThan(0);
    expect(b.memoryLimit).toBeGreaterThan(0);
    // A busy loop uses CPU and a sleeping container almost none (how much depends on the machine's load).
    expect(b.cpuPercent).toBeGreaterThan(1);
    expect(i.cpuPercent).toBeLessThan(b.cpuPercent);
    await rt.removeContainer(busy, { force: true });
    await rt.removeContainer(idle, { force: true });
  });

  it('extracts a tar into a container with putArchive', async () => {
    const id = await run('archive', { command: ['sleep', '300'] });
    const tar = pack();
    tar.entry({ name: 'synced/hello.txt' }, 'hello from the host\n');
    tar.finalize();
    await rt.putArchive(id, '/tmp', tar as unknown as NodeJS.ReadableStream);
    expect((await execText(id, ['cat', '/tmp/synced/hello.txt'])).out).toBe('hello from the host\n');
  });

  it('builds an image honouring .dockerignore, build args, target and labels', async () => {
    const ctx = mkdtempSync(join(tmpdir(), 'tsstack-build-'));
    tempDirs.push(ctx);
    writeFileSync(
      join(ctx, 'Dockerfile'),
      [
        `FROM ${IMAGE} AS base`,
        'ARG GREETING=unset',
        'RUN echo "$GREETING" > /greeting',
        'FROM base AS final',
        'COPY . /ctx/',
        'FROM base AS unused',
        'RUN exit 9',
      ].join('\n'),
    );
    writeFileSync(join(ctx, 'keep.txt'), 'keep');
    writeFileSync(join(ctx, 'secret.txt'), 'secret');
    mkdirSync(join(ctx, 'sub'));
    writeFileSync(join(ctx, 'sub', 'secret.txt'), 'only the root one is ignored');
    writeFileSync(join(ctx, 'sub', 'debug.log'), 'log');
    writeFileSync(join(ctx, 'sub', 'important.log'), 'log kept by an exception');
    mkdirSync(join(ctx, 'node_modules'));
    writeFileSync(join(ctx, 'node_modules', 'big.js'), 'x');
    writeFileSync(
      join(ctx, '.dockerignore'),
      '# test\nsecret.txt\n**/*.log\n!sub/important.log\nnode_modules\nDockerfile\n',
    );

    const tag = `tsstack-test/${PROJECT}:built`;
    const progress: string[] = [];
    const imageId = await rt.buildImage(
      { context: ctx, tags: [tag], args: { GREETING: 'hi-arg' }, target: 'final', labels: LABELS },
      (p) => progress.push(p.message),
    );
    expect(imageId).toMatch(/^sha256:|^[0-9a-f]{12,}$/);
    // BuildKit (buildx) names steps `[base 2/3] RUN ...`; the classic builder `Step 2/5 : RUN ...`.
    expect(
      progress.some((m) => /RUN echo "(\$GREETING|hi-arg)"/.test(m)),
      progress.join('\n'),
    ).toBe(true);
    const image = await rt.inspectImage(tag);
    expect(image?.labels['io.tsstack.project']).toBe(PROJECT);
    expect((await rt.listImages(LABELS)).some((i) => i.tags.includes(tag))).toBe(true);

    const id = await run('built', {
      image: tag,
      command: ['sh', '-c', 'cat /greeting; cd /ctx && find . -type f | sort'],
    });
    expect(await rt.waitContainer(id)).toBe(0);
    const out = (await collectLogs(id)).map((l) => l.message);
    expect(out[0]).toBe('hi-arg');
    const files = out.slice(1);
    expect(files).toContain('./keep.txt');
    expect(files).toContain('./sub/secret.txt');
    expect(files).toContain('./sub/important.log');
    // .dockerignore names the Dockerfile: it is still sent (the build worked) but COPY leaves it out, as Docker does.
    expect(files).not.toContain('./Dockerfile');
    expect(files).toContain('./.dockerignore');
    expect(files).not.toContain('./secret.txt');
    expect(files).not.toContain('./sub/debug.log');
    expect(files.some((f) => f.startsWith('./node_modules'))).toBe(false);
  });

  it('builds from an inline Dockerfile', async () => {
    const ctx = mkdtempSync(join(tmpdir(), 'tsstack-build-'));
    tempDirs.push(ctx);
    const tag = `tsstack-test/${PROJECT}:inline`;
    await rt.buildImage({
      context: ctx,
      dockerfileInline: `FROM ${IMAGE}\nRUN echo inline > /marker\n`,
      tags: [tag],
      args: {},
      labels: LABELS,
    });
    const id = await run('inline', { image: tag, command: ['cat', '/marker'] });
    expect(await rt.waitContainer(id)).toBe(0);
    expect((await collectLogs(id)).map((l) => l.message)).toEqual(['inline']);
  });

  it('reports a failing build with the engine words', async () => {
    const ctx = mkdtempSync(join(tmpdir(), 'tsstack-build-'));
    tempDirs.push(ctx);
    writeFileSync(join(ctx, 'Dockerfile'), `FROM ${IMAGE}\nRUN echo about to fail && exit 7\n`);
    const err = await rt
      .buildImage({ context: ctx, tags: [`tsstack-test/${PROJECT}:broken`], args: {}, labels: LABELS })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    // BuildKit's words (`exit code: 7`, with the Dockerfile line), or the classic builder's (`non-zero code: 7`).
    expect((err as EngineError).message).toMatch(/exit code: 7|non-zero code: 7/);
    expect((err as EngineError).message).toContain('RUN echo about to fail && exit 7');
  });

  it('fails a pull of an image that cannot be found with a clear EngineError', async () => {
    const err = await rt.pullImage('tsstack-nonexistent/nothing:1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).message).toMatch(/^pull image tsstack-nonexistent\/nothing:1: \S/);
    expect((err as EngineError).exitCode).toBe(1);
  });

  it('gives inspect of a missing object as undefined and other failures as EngineError', async () => {
    expect(await rt.inspectContainer(`${PROJECT}-missing`)).toBeUndefined();
    expect(await rt.inspectImage('tsstack-test/missing:none')).toBeUndefined();
    expect(await rt.inspectNetwork(`${PROJECT}_missing`)).toBeUndefined();
    const err = await rt.startContainer(`${PROJECT}-missing`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).statusCode).toBe(404);
    expect((err as EngineError).message).toContain('No such container');
    const dup = spec('dup', { command: ['true'] });
    await rt.createContainer(dup);
    const conflict = await rt.createContainer(dup).catch((e: unknown) => e);
    expect((conflict as EngineError).statusCode).toBe(409);
    expect((conflict as EngineError).message).toContain(`create container ${dup.name}: Conflict`);
  });
});

describe('connectRuntime', () => {
  it('names where it looked and how to start an engine when nothing answers', async () => {
    const err = await connectRuntime({ env: { DOCKER_HOST: 'unix:///tmp/tsstack-no-such.sock' } }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(EngineError);
    const msg = (err as EngineError).message;
    expect(msg).toMatch(
      /^cannot reach a container engine at unix:\/\/\/tmp\/tsstack-no-such\.sock .*ENOENT.*DOCKER_HOST/,
    );
    expect(msg).not.toContain('\n');
    const tcp = await connectRuntime({ env: { DOCKER_HOST: 'tcp://127.0.0.1:1' } }).catch((e: unknown) => e);
    expect((tcp as EngineError).message).toMatch(
      /^cannot reach a container engine at tcp:\/\/127\.0\.0\.1:1 .*ECONNREFUSED/,
    );
  });

  it('speaks to an engine over tcp:// (a loopback relay to the socket), exec included', async () => {
    const open = new Set<Socket>();
    const relay = createServer((client) => {
      const engine = connect(engineSocket());
      open.add(client).add(engine);
      client.pipe(engine).pipe(client);
      client.on('error', () => engine.destroy());
      engine.on('error', () => client.destroy());
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    const { port } = relay.address() as { port: number };
    try {
      const tcp = await connectRuntime({ env: { DOCKER_HOST: `tcp://127.0.0.1:${port}` } });
      expect(tcp.endpoint).toBe(`tcp://127.0.0.1:${port}`);
      const id = await tcp.createContainer(spec('overtcp', { command: ['sleep', '300'] }));
      await tcp.startContainer(id);
      const s = await tcp.exec(id, { cmd: ['echo', 'via-tcp'], tty: false, stdin: false });
      let out = '';
      s.stdout.on('data', (d: Buffer) => (out += d.toString()));
      expect(await s.exitCode).toBe(0);
      expect(out).toBe('via-tcp\n');
      await tcp.removeContainer(id, { force: true });
    } finally {
      relay.close();
      for (const sock of open) sock.destroy();
    }
  });

  it('connects to the default socket when DOCKER_HOST is unset', async () => {
    const r = await connectRuntime({ env: {} });
    expect(r.endpoint).toBe('unix:///var/run/docker.sock');
    await r.ping();
  });
});
