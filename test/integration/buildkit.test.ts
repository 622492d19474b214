// BuildKit builds through buildx on the engine under test: an awesome-compose-style Dockerfile (multi-stage,
// a cache mount, a heredoc, no `# syntax=` line) with `up --build`; a cache mount that a second build finds
// warm; a build secret seen during the build and absent from every layer; a failing build quoting the
// Dockerfile line; an unpullable `# syntax=` frontend named; named contexts; the classic fallback's refusal.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  docker,
  projectObjects,
  removeProject,
  tsstack,
  uniqueName,
  type CliResult,
} from './helpers/stack-cli.js';

const project = uniqueName('t-buildkit');
// Engine 20.10's built-in Dockerfile frontend predates heredocs and named contexts.
const legacy = process.env.TSSTACK_TEST_ENGINE === '20.10';
const secret = `s3cret-${project}`;
let tmp = '';

const cli = (file: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> =>
  tsstack(['-f', file, '-p', project, ...args], env, 240_000);

async function stackFile(name: string, lines: string[]): Promise<string> {
  const f = join(tmp, `${name}.yml`);
  await writeFile(f, `${lines.join('\n')}\n`);
  return f;
}

async function dir(name: string, files: Record<string, string>): Promise<void> {
  await mkdir(join(tmp, name), { recursive: true });
  for (const [f, text] of Object.entries(files)) await writeFile(join(tmp, name, f), text);
}

/** Every byte of `docker save` of an image: its layers are plain tars, so a file's content shows as written. */
async function savedBytes(ref: string): Promise<Buffer> {
  const stream = await docker.getImage(ref).get();
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

const SLEEP = 'CMD ["sh", "-c", "trap \'exit 0\' TERM; sleep 3600 & wait"]';

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'tsstack-buildkit-'));
});

afterAll(async () => {
  await removeProject(project);
  const mine = await docker.listImages({ filters: { label: [`io.tsstack.project=${project}`] } });
  for (const i of mine)
    await docker
      .getImage(i.Id)
      .remove({ force: true })
      .catch(() => {});
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('BuildKit builds', () => {
  it('an awesome-compose-style Dockerfile (multi-stage, cache mount, heredoc) builds with up --build', async () => {
    await dir('web', {
      'main.txt': 'hello from a multi-stage build\n',
      Dockerfile: [
        'FROM tsstack-test/busybox:latest AS builder',
        'WORKDIR /src',
        'COPY main.txt .',
        `RUN --mount=type=cache,id=${project}-deps,target=/root/.cache cp main.txt /root/.cache/ && cp main.txt /built.txt`,
        'RUN <<EOF',
        'echo "from a heredoc" >> /built.txt',
        'EOF',
        '',
        'FROM tsstack-test/busybox:latest',
        'COPY --from=builder /built.txt /srv/built.txt',
        SLEEP,
        '',
      ].join('\n'),
    });
    const f = await stackFile('web', ['services:', '  web:', '    build: ./web']);
    const r = await cli(f, ['up', '-d', '--build']);
    if (legacy) {
      // The explanation names the cause instead of the parser's "unknown instruction: ECHO" alone.
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('heredoc');
      expect(await projectObjects(project)).toEqual({ containers: [], networks: [], volumes: [] });
      return;
    }
    expect(r.stderr).toContain('web build | [builder 5/5] RUN <<EOF');
    expect(r.code).toBe(0);
    const [c] = (await projectObjects(project)).containers;
    const exec = await docker
      .getContainer(c!.Id)
      .exec({ Cmd: ['cat', '/srv/built.txt'], AttachStdout: true });
    const out = await new Promise<string>((resolve, reject) => {
      exec.start({}, (err, stream) => {
        if (err || !stream) return reject(err);
        const parts: Buffer[] = [];
        stream.on('data', (d: Buffer) => parts.push(d));
        stream.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
      });
    });
    expect(out).toContain('hello from a multi-stage build');
    expect(out).toContain('from a heredoc');
    expect((await cli(f, ['down', '-t', '1'])).code).toBe(0);
  });

  it('a cache mount is warm on the second build after a change', async () => {
    await dir('cache', {
      Dockerfile: [
        'FROM tsstack-test/busybox:latest',
        'ARG BUST',
        // The project in the command: a cache mount's id is not part of BuildKit's cache key, the command is.
        `RUN --mount=type=cache,id=${project}-cache,target=/cache sh -c 'echo "bust $BUST ${project}"; if [ -f /cache/warm ]; then echo cache-hit; else sleep 2; touch /cache/warm; echo cache-miss; fi'`,
        '',
      ].join('\n'),
    });
    const f = await stackFile('cache', [
      'services:',
      '  cached:',
      '    build:',
      '      context: ./cache',
      '      args: { BUST: "${BUST}" }',
    ]);
    const t0 = performance.now();
    const first = await cli(f, ['build'], { BUST: '1' });
    const t1 = performance.now();
    const second = await cli(f, ['build'], { BUST: '2' });
    const t2 = performance.now();
    expect(first.code).toBe(0);
    expect(second.code).toBe(0);
    // Output lines of the step (indented), not the step's own name, which holds both words.
    expect(first.stderr).toContain('cached build |   cache-miss');
    expect(second.stderr).toContain(`cached build |   bust 2 ${project}`);
    expect(second.stderr).toContain('cached build |   cache-hit');
    // Printed, not asserted: timings depend on the machine's load.
    console.log(`cache mount: first build ${Math.round(t1 - t0)} ms, second ${Math.round(t2 - t1)} ms`);
  });

  it('a build secret is visible during the build and in no layer of the image', async () => {
    await writeFile(join(tmp, 'token.txt'), secret);
    await dir('secret', {
      Dockerfile: [
        'FROM tsstack-test/busybox:latest',
        // Compared by digest: the secret itself in the RUN line would land in the image's history.
        `RUN --mount=type=secret,id=token sh -c 'test "$(md5sum < /run/secrets/token | cut -c1-32)" = "${md5(secret)}" && echo secret-seen'`,
        'RUN echo done > /done',
        '',
      ].join('\n'),
    });
    const f = await stackFile('secret', [
      'services:',
      '  secretive:',
      '    build:',
      '      context: ./secret',
      '      secrets: [token]',
      'secrets:',
      '  token:',
      '    file: ./token.txt',
    ]);
    const r = await cli(f, ['build']);
    expect(r.stderr).toContain('secretive build |   secret-seen');
    expect(r.code).toBe(0);
    const saved = await savedBytes(`${project}-secretive`);
    expect(saved.length).toBeGreaterThan(100_000);
    expect(saved.includes(Buffer.from('done\n'))).toBe(true);
    expect(saved.includes(Buffer.from(secret))).toBe(false);
  });

  it('a failing build quotes BuildKit’s error with the Dockerfile line', async () => {
    await dir('broken', {
      Dockerfile: 'FROM tsstack-test/busybox:latest\nRUN echo fine\nRUN echo about-to-fail && exit 3\n',
    });
    const f = await stackFile('broken', ['services:', '  broken:', '    build: ./broken']);
    const r = await cli(f, ['build']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('service broken: build failed');
    expect(r.stderr).toMatch(/Dockerfile:3/);
    expect(r.stderr).toContain('>>> RUN echo about-to-fail && exit 3');
    expect(r.stderr).toContain('exit code: 3');
    expect(r.stderr).toMatch(/last output of \[3\/3\] RUN echo about-to-fail && exit 3:\n +about-to-fail/);
  });

  it('a # syntax= frontend the machine cannot pull is named in the error', async () => {
    // A registry address on the loopback where nothing listens: fails at once, offline.
    const frontend = '127.0.0.1:9/tsstack-test/no-such-frontend:1';
    await dir('syntax', { Dockerfile: `# syntax=${frontend}\nFROM tsstack-test/busybox:latest\n` });
    const f = await stackFile('syntax', ['services:', '  syntax:', '    build: ./syntax']);
    const r = await cli(f, ['build']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `"# syntax=${frontend}" line names a BuildKit frontend image this machine cannot pull`,
    );
  });

  it.skipIf(legacy)('named contexts: a folder and another service’s image (service:NAME)', async () => {
    await dir('base', { Dockerfile: 'FROM tsstack-test/busybox:latest\nRUN echo from-base > /base.txt\n' });
    await dir('extra', { 'extra.txt': 'from-extra\n' });
    await dir('top', {
      Dockerfile:
        'FROM tsstack-test/busybox:latest\nCOPY --from=base /base.txt /\nCOPY --from=extra extra.txt /\n',
    });
    const f = await stackFile('contexts', [
      'services:',
      '  base:',
      '    build: ./base',
      '  top:',
      '    build:',
      '      context: ./top',
      '      additional_contexts:',
      '        base: service:base',
      '        extra: ./extra',
    ]);
    const r = await cli(f, ['build', 'base', 'top']);
    expect(r.code).toBe(0);
    const saved = await savedBytes(`${project}-top`);
    expect(saved.includes(Buffer.from('from-base\n'))).toBe(true);
    expect(saved.includes(Buffer.from('from-extra\n'))).toBe(true);
  });

  it('with DOCKER_BUILDKIT=0 a BuildKit-only key is refused, naming the key and why', async () => {
    const f = await stackFile('classic', [
      'services:',
      '  secretive:',
      '    build:',
      '      context: ./secret',
      '      secrets: [token]',
      'secrets:',
      '  token:',
      '    file: ./token.txt',
    ]);
    const r = await cli(f, ['build'], { DOCKER_BUILDKIT: '0' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('build.secrets needs BuildKit');
    expect(r.stderr).toContain('DOCKER_BUILDKIT=0');
  });

  it('several builds run together, each with its own progress lines', async () => {
    await dir('one', { Dockerfile: 'FROM tsstack-test/busybox:latest\nRUN echo building-one\n' });
    await dir('two', { Dockerfile: 'FROM tsstack-test/busybox:latest\nRUN echo building-two\n' });
    const f = await stackFile('two', [
      'services:',
      '  one:',
      '    build: ./one',
      '  two:',
      '    build: ./two',
    ]);
    const r = await cli(f, ['build', '--no-cache']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('one build |   building-one');
    expect(r.stderr).toContain('two build |   building-two');
    expect(r.stderr).toContain(`Image ${project}-one  Built`);
    expect(r.stderr).toContain(`Image ${project}-two  Built`);
  });

  it('in a batch, the failing build is the one named, with its Dockerfile line', async () => {
    const f = await stackFile('batch', [
      'services:',
      '  one:',
      '    build: ./one',
      '  broken:',
      '    build: ./broken',
    ]);
    const r = await cli(f, ['build']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/service broken: build failed: .*exit code: 3/);
    expect(r.stderr).toContain('>>> RUN echo about-to-fail && exit 3');
    expect(r.stderr).not.toMatch(/service one: build failed: .*exit code: 3/);
  });

  it('.dockerignore and a Dockerfile-specific NAME.dockerignore keep files out of the context', async () => {
    await dir('ignore', {
      'web.Dockerfile': 'FROM tsstack-test/busybox:latest\nCOPY . /ctx/\n',
      'web.Dockerfile.dockerignore': 'private.txt\n',
      '.dockerignore': 'kept-by-the-specific-file.txt\n',
      'private.txt': `private-${project}\n`,
      'kept-by-the-specific-file.txt': `kept-${project}\n`,
      'public.txt': `public-${project}\n`,
    });
    const f = await stackFile('ignore', [
      'services:',
      '  ignoring:',
      '    build: { context: ./ignore, dockerfile: web.Dockerfile }',
    ]);
    const r = await cli(f, ['build']);
    expect(r.code).toBe(0);
    const saved = await savedBytes(`${project}-ignoring`);
    expect(saved.includes(Buffer.from(`public-${project}`))).toBe(true);
    expect(saved.includes(Buffer.from(`private-${project}`))).toBe(false);
    // The Dockerfile-specific file replaces .dockerignore for that Dockerfile.
    expect(saved.includes(Buffer.from(`kept-${project}`))).toBe(true);
  });
});
