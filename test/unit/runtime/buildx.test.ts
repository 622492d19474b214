import { describe, expect, it } from 'vitest';
import { bakeable, bakeDefinition } from '../../../src/runtime/buildx-bake.js';
import { BuildxProgress, splitTarget } from '../../../src/runtime/buildx-progress.js';
import {
  buildxArgs,
  explainFailure,
  findBuildx,
  locateStep,
  syntaxDirective,
} from '../../../src/runtime/buildx.js';
import { buildkitOnlyKeys, checkBuildRequest, chooseBuilder } from '../../../src/runtime/builder.js';
import { LayerProgress } from '../../../src/runtime/layer-progress.js';
import type { BuildRequest } from '../../../src/runtime/types.js';

const base: BuildRequest = {
  context: '/ctx',
  tags: ['demo-web', 'reg/web:1'],
  args: { A: '1' },
  labels: { l: 'v' },
};

describe('buildxArgs', () => {
  it('maps every key of a request to buildx build flags, the context last', () => {
    const args = buildxArgs(
      {
        ...base,
        dockerfile: 'docker/Dockerfile.prod',
        target: 'prod',
        noCache: true,
        pull: true,
        network: 'host',
        extraHosts: ['db:10.0.0.2'],
        shmSize: 1048576,
        ulimits: { nofile: { soft: 1024, hard: 2048 } },
        secrets: [
          { id: 'tok', file: '/s/tok' },
          { id: 'npm', env: 'NPM_TOKEN' },
        ],
        ssh: ['default'],
        additionalContexts: { base: 'docker-image://demo-base' },
        cacheFrom: ['type=registry,ref=r/c'],
        cacheTo: ['type=inline'],
        platforms: ['linux/amd64'],
        entitlements: ['network.host'],
      },
      '/tmp/iid',
    );
    expect(args.join(' ')).toBe(
      [
        'build --progress=rawjson --iidfile /tmp/iid --load -f /ctx/docker/Dockerfile.prod',
        '-t demo-web -t reg/web:1 --build-arg A=1 --label l=v --target prod --no-cache --pull --network host',
        '--add-host db:10.0.0.2 --shm-size 1048576 --ulimit nofile=1024:2048',
        '--secret id=tok,src=/s/tok --secret id=npm,env=NPM_TOKEN --ssh default',
        '--build-context base=docker-image://demo-base --cache-from type=registry,ref=r/c --cache-to type=inline',
        '--platform linux/amd64 --allow network.host /ctx',
      ].join(' '),
    );
  });

  it('an inline Dockerfile comes on stdin', () => {
    expect(buildxArgs({ ...base, dockerfileInline: 'FROM x' }, 'i')).toContain('-');
    expect(buildxArgs({ ...base, dockerfileInline: 'FROM x' }, 'i').join(' ')).toContain('-f -');
  });
});

describe('builder choice', () => {
  it('BuildKit through buildx unless DOCKER_BUILDKIT=0, Podman, or no plugin', () => {
    expect(chooseBuilder({ TSSTACK_BUILDX: '/bin/sh' }, 'docker')).toEqual({
      kind: 'buildkit',
      buildx: '/bin/sh',
    });
    expect(chooseBuilder({ TSSTACK_BUILDX: '/bin/sh', DOCKER_BUILDKIT: '0' }, 'docker')).toMatchObject({
      kind: 'classic',
    });
    expect(chooseBuilder({ TSSTACK_BUILDX: '/bin/sh' }, 'podman')).toMatchObject({ kind: 'classic' });
    expect(chooseBuilder({ TSSTACK_BUILDX: '/nonexistent/docker-buildx' }, 'docker')).toMatchObject({
      kind: 'classic',
      why: expect.stringContaining('docker-buildx plugin is not installed'),
    });
    expect(findBuildx({ TSSTACK_BUILDX: '/nonexistent' })).toBeUndefined();
  });

  it('the classic builder refuses BuildKit-only keys; nobody builds several platforms into one tag', () => {
    const req = { ...base, secrets: [{ id: 's', file: '/f' }], ssh: ['default'] };
    expect(buildkitOnlyKeys(req)).toEqual(['build.secrets', 'build.ssh']);
    expect(() => checkBuildRequest(req, { kind: 'classic', why: 'DOCKER_BUILDKIT=0 is set' })).toThrow(
      'build.secrets, build.ssh need BuildKit, and tsstack builds with the engine’s classic builder here because DOCKER_BUILDKIT=0 is set'.replace(
        '’',
        "'",
      ),
    );
    expect(() => checkBuildRequest(req, { kind: 'buildkit', buildx: 'b' })).not.toThrow();
    expect(() =>
      checkBuildRequest(
        { ...base, platforms: ['linux/amd64', 'linux/arm64'] },
        { kind: 'buildkit', buildx: 'b' },
      ),
    ).toThrow(/lists 2 platforms \(linux\/amd64, linux\/arm64\)/);
  });
});

describe('Dockerfile diagnostics', () => {
  it('finds the # syntax= directive among the leading comments only', () => {
    expect(syntaxDirective('# syntax=docker/dockerfile:1.4\nFROM x')).toBe('docker/dockerfile:1.4');
    expect(syntaxDirective('\n# escape=`\n#syntax = reg/f:1\nFROM x')).toBe('reg/f:1');
    expect(syntaxDirective('FROM x\n# syntax=docker/dockerfile:1.4')).toBeUndefined();
  });

  it('names an unpullable frontend image, and explains heredocs on an old frontend', () => {
    const words =
      'failed to solve: failed to resolve source metadata for docker.io/docker/dockerfile:1.4: dial tcp: no such host';
    expect(explainFailure(words, '# syntax=docker/dockerfile:1.4\nFROM x')).toMatch(
      /^the Dockerfile's "# syntax=docker\/dockerfile:1.4" line names a BuildKit frontend image this machine cannot pull/,
    );
    expect(
      explainFailure(
        'dockerfile parse error line 4: unknown instruction: ECHO',
        'FROM x\nRUN <<EOF\necho\nEOF',
      ),
    ).toContain('heredoc');
    expect(explainFailure('other', 'FROM x')).toBe('other');
  });

  it('locates a failed step in the Dockerfile when BuildKit did not', () => {
    expect(locateStep('[stage-1 3/3] RUN make all', 'FROM x\n\n  RUN make all\n', 'Dockerfile')).toBe(
      'Dockerfile:3\n >>> RUN make all',
    );
    expect(locateStep('[internal] load', 'FROM x', 'Dockerfile')).toBeUndefined();
  });
});

const obj = (o: unknown) => JSON.stringify(o, null, 2).split('\n');

describe('BuildxProgress (rawjson)', () => {
  it('reports steps, cached steps and log lines; keeps the error text and the failed step’s output', () => {
    const p = new BuildxProgress();
    const feed = (lines: string[]) => lines.flatMap((l) => p.line(l));
    const events = [
      ...feed(obj({ vertexes: [{ digest: 'a', name: '[internal] load build definition', started: 't' }] })),
      ...feed(obj({ vertexes: [{ digest: 'b', name: '[1/2] FROM base', cached: true }] })),
      ...feed(obj({ vertexes: [{ digest: 'c', name: '[2/2] RUN make', started: 't' }] })),
      ...feed(
        obj({ logs: [{ vertex: 'c', stream: 1, data: Buffer.from('compiling\npart').toString('base64') }] }),
      ),
      ...feed(
        obj({ logs: [{ vertex: 'c', stream: 1, data: Buffer.from('ial line\n').toString('base64') }] }),
      ),
      ...feed(obj({ statuses: [{ id: 'extracting', vertex: 'b', current: 5, total: 10 }] })),
      ...feed(
        obj({
          vertexes: [
            { digest: 'c', name: '[2/2] RUN make', started: 't', completed: 't', error: 'exit code: 2' },
          ],
        }),
      ),
      ...feed([
        'Dockerfile:2',
        '--------------------',
        '   2 | >>> RUN make',
        '--------------------',
        'ERROR: failed to solve: exit code: 2',
      ]),
    ];
    expect(events.filter((e) => !e.transient).map((e) => e.message)).toEqual([
      '[1/2] FROM base CACHED',
      '[2/2] RUN make',
      '  compiling',
      '  partial line',
      '[2/2] RUN make ERROR: exit code: 2',
    ]);
    expect(events.find((e) => e.current === 5)).toMatchObject({ total: 10, transient: true });
    expect(p.failedStep()).toBe('[2/2] RUN make');
    expect(p.failure()).toBe(
      [
        'failed to solve: exit code: 2',
        'Dockerfile:2\n--------------------\n   2 | >>> RUN make\n--------------------',
        'last output of [2/2] RUN make:\n  compiling\n  partial line',
      ].join('\n'),
    );
  });
});

describe('LayerProgress', () => {
  it('folds per-layer pull progress into layers done and bytes for the image', () => {
    const l = new LayerProgress('pull');
    expect(l.feed({ status: 'Pulling from team/app', id: '1' })).toEqual({
      message: '1: Pulling from team/app',
    });
    l.feed({ status: 'Pulling fs layer', id: 'aaaaaaaaaaaa' });
    l.feed({ status: 'Downloading', id: 'aaaaaaaaaaaa', progressDetail: { current: 50, total: 100 } });
    expect(
      l.feed({ status: 'Downloading', id: 'bbbbbbbbbbbb', progressDetail: { current: 10, total: 300 } }),
    ).toEqual({
      message: 'pulling 0/2 layers',
      current: 60,
      total: 400,
      transient: true,
    });
    l.feed({ status: 'Pull complete', id: 'aaaaaaaaaaaa' });
    expect(l.feed({ status: 'Already exists', id: 'bbbbbbbbbbbb' })).toMatchObject({
      message: 'pulling 2/2 layers',
      current: 400,
    });
  });
});

describe('bake: several builds in one buildx process', () => {
  it('one target per request; what bake cannot express is built alone', () => {
    const def = bakeDefinition([
      { ...base, secrets: [{ id: 's', env: 'TOKEN' }], ulimits: { nofile: { soft: 1, hard: 2 } } },
      { ...base, context: '/other', dockerfileInline: 'FROM x', additionalContexts: { b: '/b' } },
    ]) as { group: unknown; target: Record<string, Record<string, unknown>> };
    expect(def.group).toEqual({ default: { targets: ['t0', 't1'] } });
    expect(def.target.t0).toMatchObject({
      context: '/ctx',
      dockerfile: '/ctx/Dockerfile',
      tags: ['demo-web', 'reg/web:1'],
      secret: ['id=s,env=TOKEN'],
      ulimits: ['nofile=1:2'],
      output: ['type=docker'],
    });
    expect(def.target.t1).toMatchObject({ 'dockerfile-inline': 'FROM x', contexts: { b: '/b' } });
    expect(bakeable(base)).toBe(true);
    expect(bakeable({ ...base, network: 'host' })).toBe(false);
    expect(bakeable({ ...base, ssh: ['default'] })).toBe(false);
  });

  it('step names carry their target, which routes progress back to its build', () => {
    expect(splitTarget('[t0 base 2/3] RUN make')).toEqual({ target: 't0', name: '[base 2/3] RUN make' });
    expect(splitTarget('[t12] exporting to image')).toEqual({ target: 't12', name: 'exporting to image' });
    const p = new BuildxProgress(true);
    const events = [
      ...obj({ vertexes: [{ digest: 'x', name: '[t1 2/2] RUN false', started: 't' }] }),
      ...obj({
        vertexes: [{ digest: 'x', name: '[t1 2/2] RUN false', started: 't', error: 'exit code: 1' }],
      }),
    ].flatMap((l) => p.line(l));
    expect(events.map((e) => [e.target, e.message])).toEqual([
      ['t1', '[2/2] RUN false'],
      ['t1', '[2/2] RUN false ERROR: exit code: 1'],
    ]);
    expect(p.failedTarget()).toBe('t1');
  });
});
